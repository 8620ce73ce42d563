/**
 * «Отправка почты» (`connectorId` `sendMail`) ↔ potok's `sendMail`. A Bpium file keeps the SMTP
 * server inline — `smtphost`, `smtpport`, `smtpsecure`, `smtplogin` and a plain-text `smtppass`
 * (the names seen in real files are `connectionProtocol`, `smtphost`, `smtplogin`, `smtppass`,
 * `to`, `subject`; the others are read under the names Bpium's form suggests). potok keeps
 * server settings in a connection (docs/connections.md): the node is mapped to a connection id and the
 * report says which `smtp` connection to create with which host, port and login. The password
 * is never read into anything: the user enters it in the connection. Exchange (`connectionProtocol`
 * = `exchange`) is not supported: such a node is reported as an unsupported connector.
 *
 * Export writes `connectionProtocol` = `smtp` and the connection id (`connection`, a parameter
 * Bpium ignores), the message fields, and the output slot `output` for the message id.
 */
import type { SendMailConfig } from '../components/sendMail.ts'
import { constantOf, expressionOf, listParam, outputParam, scriptParam, type TaskParams } from './params.ts'
import type { XmlNode } from './xml.ts'

type Warn = (message: string) => void

/** A connection the import asks the user to create (docs/connections.md); never holds a secret. */
export interface ConnectionToCreate {
  id: string
  type: 'smtp'
  config: { host?: string; port?: number; secure?: boolean; user?: string }
  /** The elements mapped to it. */
  elementIds: string[]
}

const SERVER_PARAMS = new Set(['connectionProtocol', 'smtphost', 'smtpport', 'smtpsecure', 'smtplogin', 'smtppass', 'connection'])
const MESSAGE_PARAMS: Record<string, keyof SendMailConfig> = { from: 'from', to: 'to', cc: 'cc', bcc: 'bcc', subject: 'subject' }
const BODY_PARAMS = ['text', 'message', 'body', 'html']

/** `'smtp.example.com'` → smtp.example.com; a number → itself; anything computed → undefined. */
function literal(expression: string | undefined): string | undefined {
  if (expression === undefined) return undefined
  const text = expression.trim()
  const quoted = /^(['"`])([^'"`\\$]*)\1$/.exec(text)
  if (quoted) return quoted[2]
  return /^\d+$/.test(text) ? text : undefined
}

/**
 * Whether a sendMail task can be mapped: SMTP settings, or potok's connection id. Exchange cannot,
 * nor a bare connector without parameters (an unsupported node exported as it was imported).
 */
export function isSmtpMail(p: TaskParams): boolean {
  if (constantOf(p.inputs.get('connection'))) return true
  return (constantOf(p.inputs.get('connectionProtocol')) ?? '').toLowerCase() === 'smtp'
}

export function importSendMail(p: TaskParams, elementId: string, warn: Warn, connections: ConnectionToCreate[]): Record<string, unknown> {
  const input = (name: string) => p.inputs.get(name)
  const config: Record<string, unknown> = {}
  const named = constantOf(input('connection'))
  if (named) {
    config.connection = named
  } else {
    const server: ConnectionToCreate['config'] = {}
    const host = literal(expressionOf(input('smtphost')))
    const port = literal(expressionOf(input('smtpport')) ?? constantOf(input('smtpport')))
    const user = literal(expressionOf(input('smtplogin')))
    const secure = (constantOf(input('smtpsecure')) ?? '').toLowerCase()
    if (host) server.host = host
    if (port) server.port = Number(port)
    if (user) server.user = user
    if (secure) server.secure = ['true', 'ssl', 'tls', 'yes', 'use', '1'].includes(secure)
    for (const [name, value] of [
      ['smtphost', host],
      ['smtplogin', user],
    ] as const) {
      if (input(name) && !value) warn(`${name} is computed by an expression: a connection holds fixed settings, so set it in the connection by hand`)
    }
    const same = connections.find((c) => JSON.stringify(c.config) === JSON.stringify(server))
    const connection = same ?? { id: connections.length ? `mail-${connections.length + 1}` : 'mail', type: 'smtp' as const, config: server, elementIds: [] }
    if (!same) connections.push(connection)
    connection.elementIds.push(elementId)
    config.connection = connection.id
    const where = [
      server.host ? `host ${server.host}` : 'its host',
      server.port ? `port ${server.port}` : 'its port',
      server.secure !== undefined ? (server.secure ? 'TLS' : 'STARTTLS or plain') : null,
      server.user ? `login ${server.user}` : null,
    ]
      .filter(Boolean)
      .join(', ')
    warn(`the SMTP settings became the connection "${connection.id}": create it (type smtp, ${where}) and enter its password there — the file's password is not copied`)
  }
  for (const [name, key] of Object.entries(MESSAGE_PARAMS)) {
    const value = expressionOf(input(name))
    if (value !== undefined) config[key] = value
  }
  // «Текст» with «Формат» (plain text or HTML); potok's export writes `text` and `html` when it has both.
  const bodyName = BODY_PARAMS.filter((name) => name !== 'html').find((name) => expressionOf(input(name)) !== undefined)
  const html = expressionOf(input('html'))
  if (bodyName) config[(constantOf(input('format')) ?? '').toLowerCase() === 'html' && html === undefined ? 'html' : 'text'] = expressionOf(input(bodyName))
  if (html !== undefined) config.html = html
  if (!bodyName && html === undefined) config.text = "''"
  const attachments = input('potokAttachments')
  if (attachments?.kind === 'script' && attachments.type === 'json') {
    try {
      config.attachments = JSON.parse(attachments.value)
    } catch {
      warn('potokAttachments is not valid JSON: left out')
    }
  } else if (expressionOf(input('attachments')) !== undefined) {
    warn('attachments by URL ({ title, url }) are not fetched by sendMail: fetch each file with a webRequest (responseFormat binary) and attach its body; left out')
  }
  const timeout = constantOf(input('timeoutMs'))
  if (timeout && /^\d+$/.test(timeout)) config.timeoutMs = Number(timeout)
  const known = new Set([...SERVER_PARAMS, ...Object.keys(MESSAGE_PARAMS), ...BODY_PARAMS, 'format', 'attachments', 'potokAttachments', 'timeoutMs'])
  for (const name of p.inputs.keys()) if (!known.has(name)) warn(`parameter "${name}" is not one potok knows for «Отправка почты»: left out`)
  const saveTo = p.outputs.find((o) => o.name)?.name
  if (saveTo) config.saveTo = saveTo
  return config
}

export function exportSendMail(c: SendMailConfig): XmlNode[] {
  const out: XmlNode[] = [listParam('connectionProtocol', ['smtp']), scriptParam('connection', c.connection, 'const')]
  for (const [name, key] of Object.entries(MESSAGE_PARAMS)) {
    const value = c[key]
    if (typeof value === 'string') out.push(scriptParam(name, value))
  }
  if (c.html !== undefined && c.text !== undefined) out.push(scriptParam('text', c.text), scriptParam('html', c.html))
  else out.push(listParam('format', [c.html !== undefined ? 'html' : 'text']), scriptParam('message', c.html ?? c.text ?? "''"))
  if (c.attachments?.length) {
    out.push({
      name: 'camunda:inputParameter',
      attrs: { name: 'potokAttachments' },
      children: [{ name: 'camunda:script', attrs: { scriptFormat: 'JavaScript' }, cdata: JSON.stringify({ type: 'json', value: JSON.stringify(c.attachments) }) }],
    })
  }
  if (c.timeoutMs !== undefined && c.timeoutMs !== 60_000) out.push(scriptParam('timeoutMs', String(c.timeoutMs), 'const'))
  if (c.saveTo) out.push(outputParam(c.saveTo, 'output'))
  return out
}
