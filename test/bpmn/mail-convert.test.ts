/**
 * BPMN import and export of «Отправка почты» (`sendMail`), «Конвертер» (`convertDoc`) and a
 * «Веб-запрос» with OAuth2: inline SMTP settings become a connection reference, the report says
 * which connection to create, and the file's password is copied nowhere.
 */
import { describe, expect, it } from 'vitest'
import { exportBpmn } from '../../bpmn/export.ts'
import { importBpmn } from '../../bpmn/import.ts'
import { describeReport } from '../../cli/import.ts'
import type { Scenario } from '../../runtime/types.ts'
import { fixture } from './helpers.ts'

const PASSWORD = 'FILE-SMTP-PASSWORD-4d2e'
const node = (scenario: Scenario, id: string) => scenario.nodes.find((n) => n.id === id)!

describe('send-mail.bpmn', () => {
  const imported = importBpmn(fixture('send-mail'))
  const { scenario, report } = imported

  it('maps sendMail to a connection reference and reports the connection to create, without the password', () => {
    expect(report.valid).toBe(true)
    expect(report.complete).toBe(true)
    expect(node(scenario, 'ServiceTask_6mail00')).toMatchObject({
      type: 'sendMail',
      config: {
        connection: 'mail',
        from: "'Магазин <robot@shop.example>'",
        to: 'body.email',
        subject: '`Строк в таблице: ${_.values(excel)[0].length}`',
        html: '`<p>Первая ячейка: ${_.values(excel)[0][0].A}</p>`',
        saveTo: 'mail.id',
      },
    })
    expect(report.connections).toEqual([{ id: 'mail', type: 'smtp', config: { host: 'smtp.yandex.ru', port: 465, secure: true, user: 'robot@shop.example' }, elementIds: ['ServiceTask_6mail00'] }])
    expect(report.warnings).toContainEqual({
      elementId: 'ServiceTask_6mail00',
      message: expect.stringContaining('create it (type smtp, host smtp.yandex.ru, port 465, TLS, login robot@shop.example) and enter its password there'),
    })
    const text = describeReport('send-mail.bpmn', report)
    expect(text).toContain('create connection: "mail" (type smtp: host smtp.yandex.ru, port 465, user robot@shop.example, secure true; enter its password) for ServiceTask_6mail00')
    expect(JSON.stringify(imported) + text).not.toContain(PASSWORD)
  })

  it("maps convertDoc (a record's file) and OAuth2 (its token as a bearer token, with a hint)", () => {
    expect(node(scenario, 'ServiceTask_6conv00')).toMatchObject({
      type: 'convert',
      config: { method: 'excel-json', source: "({ catalogId: '48', recordId: body.recordId, fieldId: '3' })", saveTo: 'excel' },
    })
    expect(node(scenario, 'ServiceTask_6crm000').config).toMatchObject({ auth: { type: 'bearer', token: 'crmToken' }, bodyTo: 'leads' })
    expect(report.warnings).toContainEqual({ elementId: 'ServiceTask_6crm000', message: expect.stringContaining('scheme oauth2 and set auth to { "connection": "<its id>" }') })
  })

  it('exports back to the same connectors, and imports the export to the same scenario (no password anywhere)', () => {
    const xml = exportBpmn(scenario)
    expect(xml).toContain('<camunda:connectorId>sendMail</camunda:connectorId>')
    expect(xml).toContain('<camunda:connectorId>convertDoc</camunda:connectorId>')
    expect(xml).not.toContain(PASSWORD)
    const again = importBpmn(xml)
    expect(again.report.valid).toBe(true)
    expect(again.report.connections).toEqual([])
    expect(again.scenario.nodes).toEqual(scenario.nodes)
  })

  it('potok scenarios with every sendMail, convert and connection-auth shape round-trip', () => {
    const shapes: Scenario = {
      id: 'shapes',
      nodes: [
        { id: 'start', type: 'start' },
        {
          id: 'm1',
          type: 'sendMail',
          config: {
            connection: 'mail',
            to: 'to',
            cc: "['a@b']",
            bcc: "'c@d'",
            subject: "'s'",
            text: "'t'",
            html: "'<b>h</b>'",
            attachments: [{ name: "'a.txt'", content: "'x'", contentType: "'text/plain'" }],
            saveTo: 'id',
            timeoutMs: 5000,
          },
        },
        { id: 'm2', type: 'sendMail', config: { connection: 'other', to: 'to', subject: "'s'", text: "'t'", timeoutMs: 60000 } },
        { id: 'c1', type: 'convert', config: { method: 'csv-json', source: 'body', options: "({ delimiter: ';' })", saveTo: 'rows' } },
        { id: 'c2', type: 'convert', config: { method: 'json-xml', source: 'doc', saveTo: 'xml' } },
        {
          id: 'w1',
          type: 'webRequest',
          config: {
            method: 'POST',
            url: 'u',
            body: { fields: [{ name: 'a', value: '1' }] },
            auth: { connection: 'crm' },
            waitForResponse: true,
            responseFormat: 'auto',
            failOnStatus: false,
            timeoutMs: 60000,
          },
        },
        {
          id: 'w2',
          type: 'webRequest',
          config: { method: 'POST', url: 'u', body: { format: 'json', fields: [{ name: 'a', value: '1' }] }, waitForResponse: true, responseFormat: 'auto', failOnStatus: false, timeoutMs: 60000 },
        },
        { id: 'end', type: 'end' },
      ],
      edges: ['start', 'm1', 'm2', 'c1', 'c2', 'w1', 'w2', 'end'].slice(1).map((to, i, all) => ({ from: i ? all[i - 1]! : 'start', to })),
    }
    const back = importBpmn(exportBpmn(shapes))
    expect(back.report.valid).toBe(true)
    expect(back.report.warnings).toEqual([])
    for (const original of shapes.nodes) expect(node(back.scenario, original.id).config, original.id).toEqual(original.config)
  })

  it('an Exchange mail node stays unsupported (reported by its connector)', () => {
    const { report: exchange } = importBpmn(fixture('unsupported'))
    expect(exchange.unsupported.map((u) => u.connectorId)).toContain('sendMail')
  })
})
