/**
 * `sendMail` end to end against a real SMTP server started here (not a mock transport): the
 * server receives the right envelope, headers, bodies and attachments; refused connections,
 * bad logins, silence and rejected recipients are component errors with their own codes, caught
 * by boundaries; the password never reaches the process's record.
 */
import { createServer, type Server } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { toBinary } from '../../runtime/binary.ts'
import { PotokError } from '../../runtime/errors.ts'
import { startProcess } from '../../runtime/process.ts'
import { validateScenario } from '../../runtime/scenario.ts'
import type { ConnectionInfo, RuntimeServices, ScenarioNode } from '../../runtime/types.ts'
import { startSmtp, type TestSmtp } from '../mail/smtp.ts'
import { refusedAddress, type RefusedAddress } from '../refused.ts'
import { chain, withErrorBoundary } from './helpers.ts'
import { DEFAULT_RUNTIME_LIMITS, setRuntimeLimits } from '../../runtime/limits.ts'

const PASSWORD = 'smtp-pa55word'
let smtp: TestSmtp
let silent: Server
let silentPort: number
let nowhere: RefusedAddress

beforeAll(async () => {
  smtp = await startSmtp({ user: 'robot@example.com', password: PASSWORD, rejectRecipient: 'nobody@example.com' })
  silent = createServer(() => {
    /* accepts, never greets */
  })
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  silentPort = (silent.address() as AddressInfo).port
  nowhere = await refusedAddress()
})
afterAll(async () => {
  await nowhere.close()
  await smtp.close()
  await new Promise((resolve) => silent.close(resolve))
})

const files: Record<string, { name: string; contentType: string; data: Uint8Array }> = {
  '48/7/3/0': { name: 'invoice.pdf', contentType: 'application/pdf', data: new Uint8Array(Buffer.from('%PDF-1.4 fake')) },
}
const services = (overrides: Partial<Record<string, Partial<ConnectionInfo['config']>>> = {}, password = PASSWORD): RuntimeServices => ({
  getConnection: async (id): Promise<ConnectionInfo> => {
    const ports: Record<string, number> = { mail: smtp.port, silent: silentPort, closed: nowhere.port }
    if (id === 'api') return { id, type: 'http', config: { scheme: 'bearer' }, secrets: { token: 't' } }
    if (!(id in ports)) throw new PotokError('CONNECTION_NOT_FOUND', `there is no connection "${id}"`)
    return { id, type: 'smtp', config: { host: id === 'closed' ? nowhere.host : '127.0.0.1', port: ports[id]!, secure: false, user: 'robot@example.com', ...overrides[id] }, secrets: { password } }
  },
  readRecordFile: async (ref) => {
    const file = files[`${ref.catalogId}/${ref.recordId}/${ref.fieldId}/${ref.index ?? 0}`]
    if (!file) throw new PotokError('RECORD_NOT_FOUND', 'no such file')
    return file
  },
})
const mail = (config: Record<string, unknown>, id = 'mail'): ScenarioNode => ({
  id,
  type: 'sendMail',
  config: { connection: 'mail', to: "'ann@example.com'", subject: "'Hi'", text: "'Hello'", ...config },
})

describe('sendMail', () => {
  test('delivers to a real SMTP server: envelope, headers, text and HTML, attachments; the message id goes to saveTo', async () => {
    const before = smtp.received.length
    const result = await startProcess(
      chain([
        mail({
          from: "'Shop <robot@example.com>'",
          to: "[order.email, 'boss@example.com']",
          cc: "'cc1@example.com, cc2@example.com'",
          bcc: "'hidden@example.com'",
          subject: '`Заказ №${order.id}`',
          text: '`Сумма: ${order.total} ₽`',
          html: '`<p>Сумма: <b>${order.total}</b></p>`',
          attachments: [
            { name: "'order.csv'", content: "'sku;qty\\nA-1;2\\n'", contentType: "'text/csv'" },
            { name: "'logo.png'", content: 'logo' },
            { content: "({ catalogId: '48', recordId: '7', fieldId: '3' })" },
          ],
          saveTo: 'sent.id',
        }),
      ]),
      { order: { id: 'A-17', email: 'ann@example.com', total: 1250 }, logo: toBinary(Buffer.from([137, 80, 78, 71]), 'image/png') },
      { services: services() },
    )
    expect(result.error).toBeNull()
    expect(smtp.received.length).toBe(before + 1)
    const { envelope, user, mail: got } = smtp.received.at(-1)!
    expect(user).toBe('robot@example.com')
    expect(envelope.from).toBe('robot@example.com')
    expect(envelope.to.sort()).toEqual(['ann@example.com', 'boss@example.com', 'cc1@example.com', 'cc2@example.com', 'hidden@example.com'])
    expect(got.from?.value).toEqual([{ address: 'robot@example.com', name: 'Shop' }])
    expect((Array.isArray(got.to) ? got.to : [got.to]).flatMap((t) => t!.value.map((v) => v.address))).toEqual(['ann@example.com', 'boss@example.com'])
    expect(got.headers.get('bcc')).toBeUndefined()
    expect(got.subject).toBe('Заказ №A-17')
    expect(got.text?.trim()).toBe('Сумма: 1250 ₽')
    expect(got.html).toContain('<b>1250</b>')
    expect(got.attachments.map((a) => [a.filename, a.contentType, a.content.toString('latin1')])).toEqual([
      ['order.csv', 'text/csv', 'sku;qty\nA-1;2\n'],
      ['logo.png', 'image/png', Buffer.from([137, 80, 78, 71]).toString('latin1')],
      ['invoice.pdf', 'application/pdf', '%PDF-1.4 fake'],
    ])
    expect(result.output.sent).toEqual({ id: got.messageId })
    expect(JSON.stringify(result)).not.toContain(PASSWORD)
  })

  test("from defaults to the connection's user; validation wants a body and a connection id", async () => {
    const result = await startProcess(chain([mail({})]), {}, { services: services() })
    expect(result.error).toBeNull()
    expect(smtp.received.at(-1)!.mail.from?.value[0]?.address).toBe('robot@example.com')
    expect(validateScenario(chain([mail({ text: undefined })])).ok).toBe(false)
    expect(validateScenario(chain([mail({ connection: "'mail'" })])).ok).toBe(false)
  })

  test.each([
    ['refused connection', { connection: 'closed' }, {}, 'MAIL_CONNECTION', /ECONNREFUSED|connect/i],
    ['wrong password', {}, { password: 'wrong' }, 'MAIL_AUTH', /Authentication failed|Invalid login/i],
    ['a server that never greets', { connection: 'silent', timeoutMs: 400 }, {}, 'MAIL_TIMEOUT', /timeout|did not accept|Greeting/i],
    ['a rejected recipient', { to: "'nobody@example.com'" }, {}, 'MAIL_REJECTED', /No such mailbox|recipients/i],
    ['no recipient', { to: "''" }, {}, 'MAIL_INVALID', /recipient/],
    ['an attachment of the wrong kind', { attachments: [{ name: "'x'", content: '({ a: 1 })' }] }, {}, 'MAIL_INVALID', /attachment 1 must be a binary value/],
    ['an http connection', { connection: 'api' }, {}, 'CONNECTION_TYPE', /smtp/],
    ['an unknown connection', { connection: 'nope' }, {}, 'CONNECTION_NOT_FOUND', /nope/],
  ])('%s is a component error caught by a boundary', async (_name, config, options, code, message) => {
    const result = await startProcess(withErrorBoundary(mail(config)), {}, { services: services({}, (options as { password?: string }).password ?? PASSWORD) })
    expect(result.status).toBe('completed')
    expect(result.output.err).toMatchObject({ code, message: expect.stringMatching(message) })
    expect(JSON.stringify(result)).not.toContain(PASSWORD)
  })

  test('an attachment over MAIL_MAX_BYTES is refused before anything is sent', async () => {
    setRuntimeLimits({ mailMaxBytes: 10 })
    try {
      const result = await startProcess(withErrorBoundary(mail({ attachments: [{ name: "'big.txt'", content: "'x'.repeat(11)" }] })), {}, { services: services() })
      expect(result.output.err).toMatchObject({ code: 'MAIL_INVALID', message: expect.stringContaining('over the limit of 10') })
    } finally {
      setRuntimeLimits({ mailMaxBytes: DEFAULT_RUNTIME_LIMITS.mailMaxBytes })
    }
  })
})

describe('sendMail in a sub-process', () => {
  test('a child process reaches the connections its parent does', async () => {
    const { childProcessService } = await import('../../runtime/children.ts')
    const child = { ...chain([mail({ subject: "'from the child'", saveTo: 'id' })]), id: 'notify' }
    const shared = services()
    const startChild = childProcessService({ loadScenario: async (id) => (id === 'notify' ? child : null), services: () => shared })
    const parent = chain([{ id: 'sub', type: 'subProcess', config: { scenario: "'notify'", resultTo: 'child' } }])
    const before = smtp.received.length
    const result = await startProcess(parent, {}, { services: { ...shared, startChild } })
    expect(result.error).toBeNull()
    expect(smtp.received.length).toBe(before + 1)
    expect(smtp.received.at(-1)!.mail.subject).toBe('from the child')
    expect((result.output.child as { id: string }).id).toBe(smtp.received.at(-1)!.mail.messageId)
  })
})
