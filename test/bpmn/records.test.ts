/**
 * Bpium's data actions in BPMN (docs/bpmn.md, docs/catalogs.md): a file in Bpium's dialect using every one imports
 * to the record components with every parameter, exports back to the same scenario, and runs
 * on a real server against catalog 48 of flows/catalogs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { canonicalScenario } from '../../bpmn/canonical.ts'
import { exportBpmn } from '../../bpmn/export.ts'
import { importBpmn } from '../../bpmn/import.ts'
import type { Scenario } from '../../runtime/types.ts'
import { startServer, type TestServer } from '../server/helpers.ts'
import { fixture } from './helpers.ts'

const config = (scenario: Scenario, id: string) => scenario.nodes.find((n) => n.id === id)?.config

describe('Bpium data actions', () => {
  it('import with every parameter: catalog from the list or a variable, key/value or JSON values, filters, sort, fields, limit, outputs', () => {
    const { scenario, report } = importBpmn(fixture('records'))
    expect(report).toMatchObject({ complete: true, valid: true, unsupported: [] })
    expect(scenario.nodes.map((n) => n.type)).toEqual([
      'start',
      'setVariables',
      'catalogStructure',
      'code',
      'createRecord',
      'findRecords',
      'updateRecord',
      'fileUpload',
      'getRecord',
      'deleteRecord',
      'setVariables',
      'end',
    ])
    expect(config(scenario, 'T2')).toEqual({ catalogId: 'catalogId', saveTo: 'catalogStruct' })
    expect(config(scenario, 'T4')).toEqual({ catalogId: 'catalogId', valuesJson: 'result', saveTo: 'recordId' })
    expect(config(scenario, 'T5')).toEqual({
      catalogId: '48',
      viewId: '0',
      filters: [
        { fieldId: '2', value: 'body.Имя' },
        { fieldId: '5', value: '["1"]' },
      ],
      sortField: 'id',
      sortType: -1,
      limit: 10,
      offset: 0,
      saveTo: 'found',
      countTo: 'foundCount',
    })
    expect(config(scenario, 'T6')).toEqual({
      catalogId: 'catalogId',
      recordId: 'recordId',
      values: [
        { fieldId: '6', value: "'из BPMN'" },
        { fieldId: '8', value: 'foundCount * 100' },
      ],
      saveTo: 'changed',
    })
    expect(config(scenario, 'T7')).toEqual({ source: { content: "'note for ' + recordId", name: "'note.txt'" }, timeoutMs: 60000, fileIdTo: 'fileId', urlTo: 'fileUrl' })
    expect(config(scenario, 'T8')).toEqual({ catalogId: '48', recordId: 'recordId', fields: ['2', '6', '8'], saveTo: 'record' })
    expect(config(scenario, 'T9')).toEqual({ catalogId: 'catalogId', recordId: 'recordId' })
  })

  it('round-trips exactly, every config shape included', () => {
    const imported = importBpmn(fixture('records')).scenario
    expect(importBpmn(exportBpmn(imported)).scenario).toStrictEqual(canonicalScenario(imported))
    const shapes: Scenario = {
      id: 'record-shapes',
      nodes: [
        { id: 'start', type: 'start' },
        {
          id: 'find',
          type: 'findRecords',
          config: { catalogId: 'cat', filtersJson: '({ 2: { $or: ["a", "b"] } })', searchText: 'q', fields: 'wanted', limit: 'n * 2', offset: 5, sortField: '3', saveTo: 'list' },
        },
        { id: 'get', type: 'getRecord', config: { catalogId: "'users'", recordId: 'id', fields: 'someFields', saveTo: 'r' } },
        { id: 'add', type: 'createRecord', config: { catalogId: '7', values: [] } },
        { id: 'edit', type: 'updateRecord', config: { catalogId: '7', recordId: '1', valuesJson: '({ 2: "x" })', saveTo: 'r2' } },
        { id: 'file', type: 'fileUpload', config: { source: { url: 'link', name: "'a.pdf'" }, catalogId: '7', recordId: 'id', fieldId: '9', timeoutMs: 5000, saveTo: 'f' } },
        { id: 'file2', type: 'fileUpload', config: { source: { content: 'bytes', name: "'b.bin'", contentType: "'application/pdf'" }, urlTo: 'u' } },
        { id: 'file3', type: 'fileUpload', config: { source: { url: 'link' } } },
        { id: 'end', type: 'end' },
      ],
      edges: ['start', 'find', 'get', 'add', 'edit', 'file', 'file2', 'file3', 'end'].slice(1).map((to, i, all) => ({ from: i === 0 ? 'start' : all[i - 1], to })),
    }
    const xml = exportBpmn(shapes)
    expect(xml).toContain('<camunda:connectorId>bpiumFindRecords</camunda:connectorId>')
    expect(xml).toContain('<camunda:value type="const">var</camunda:value>')
    expect(importBpmn(xml).scenario).toStrictEqual(canonicalScenario(shapes))
  })

  describe('on a server', () => {
    let server: TestServer
    beforeAll(async () => {
      server = await startServer()
    })
    afterAll(async () => {
      await server?.close()
    })

    it('an imported Bpium scenario reads and writes records unchanged', async () => {
      const imported = await server.api('POST', '/api/v1/scenarios/import?id=bpium-records', fixture('records'))
      const { scenario } = (await imported.json()) as { scenario: Scenario }
      expect((await server.api('POST', '/api/v1/scenarios', { ...scenario, webrequests: [{ urlId: 'bpium-records', name: 'Bpium records' }] })).status).toBe(201)
      const response = await server.call('/api/webrequest/bpium-records', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ Имя: 'Борис', Статус: ['1'] }) })
      expect(response.status).toBe(200)
      const body = (await response.json()) as any
      expect(body).toMatchObject({ foundCount: 1, fields: 8, record: { id: body.recordId, values: { 2: 'Борис', 6: 'из BPMN', 8: 100 } } })
      expect(Object.keys(body.record.values).sort()).toEqual(['2', '6', '8'])
      expect(body.fileUrl).toBe(`/api/v1/files/${body.fileId}`)
      expect(await (await server.api('GET', body.fileUrl)).text()).toBe(`note for ${body.recordId}`)
      expect((await server.api('GET', `/api/v1/catalogs/48/records/${body.recordId}`)).status).toBe(404)
    })
  })
})
