/**
 * «Веб-запрос» (`connectorId` `webRequest`) ↔ potok's `webRequest` config. Bpium's parameters:
 * `method` (list), `query` (the URL expression), `format` (list: `keyvalue`, or a body format),
 * `params` (map), `body` (expression), `type` (list: Content-Type), `headers` (map), `auth`
 * (list: `noauth`, `basic`, `bearer`, `oauth2` — its `token` sent as a bearer token), `login`, `password`, `async` (list: `sync` waits for the
 * answer), `output_format` (list); output slot `output_body`. potok's extra fields travel as
 * extra parameters Bpium ignores: `queryParams` (map), `token`, `failOnStatus`, `timeoutMs`,
 * `auth` = `connection` with `connection` (a potok connection id, docs/connections.md),
 * and the output slots `output_status` and `output_headers`.
 *
 * With `format` = `keyvalue`, `params` is the query of a GET or HEAD request and the body
 * fields of any other, sent as a form as Bpium does (`type` is hidden for key/value in Bpium's
 * UI and ignored here; potok's `fieldsFormat` = `json` marks a JSON object of fields, `form` an explicit form); an empty `camunda:list` is
 * "none", an explicit (even empty) `camunda:map` is a list that is there.
 */
import type { WebRequestConfig } from '../components/webRequest.ts'
import { constantOf, expressionOf, listParam, mapParam, namedOf, outputParam, scriptParam, type ParamValue, type TaskParams } from './params.ts'
import type { XmlNode } from './xml.ts'

type Warn = (message: string) => void
type Named = Array<{ name: string; value: string }>

const NO_BODY = new Set(['GET', 'HEAD'])
const DEFAULT_TIMEOUT_MS = 60_000

const CONTENT_TYPES: Record<string, string> = { json: 'application/json', form: 'application/x-www-form-urlencoded', text: 'text/plain', xml: 'application/xml', binary: 'application/octet-stream' }

function named(value: ParamValue | undefined, what: string, warn: Warn): { list: Named; present: boolean } {
  const { items, isMap } = namedOf(value)
  const list: Named = []
  for (const item of items) {
    if (item.value === undefined) warn(`${what} "${item.name}" has no value: left out`)
    else list.push({ name: item.name, value: item.value })
  }
  return { list, present: isMap }
}

function bodyFormatOf(format: string, contentType: string | undefined, warn: Warn): string {
  const known: Record<string, string> = { json: 'json', text: 'text', raw: 'text', plain: 'text', xml: 'xml', binary: 'binary', form: 'form', urlencoded: 'form' }
  if (known[format]) return known[format]
  const type = (contentType ?? '').toLowerCase()
  const byType = type.includes('json') ? 'json' : type.includes('xml') ? 'xml' : type.includes('urlencoded') ? 'form' : type.includes('octet-stream') ? 'binary' : 'text'
  warn(`body format "${format}" is not one potok knows: sent as ${byType}`)
  return byType
}

function numberOf(text: string | undefined): number | string | undefined {
  if (text === undefined) return undefined
  return /^\d+$/.test(text.trim()) ? Number(text) : text
}

/** The potok config of a «Веб-запрос» task (unvalidated: the validator names what is wrong). */
export function importWebRequest(p: TaskParams, warn: Warn): Record<string, unknown> {
  const input = (name: string) => p.inputs.get(name)
  const method = (constantOf(input('method')) ?? 'GET').toUpperCase()
  const config: Record<string, unknown> = { method, url: expressionOf(input('query')) ?? '' }
  const format = constantOf(input('format')) ?? 'keyvalue'
  const contentType = constantOf(input('type'))
  const params = named(input('params'), 'parameter', warn)
  const extraQuery = named(input('queryParams'), 'query parameter', warn)

  let query: Named | undefined = extraQuery.present ? extraQuery.list : undefined
  if (format === 'keyvalue') {
    if (NO_BODY.has(method)) {
      if (params.present) query = [...(query ?? []), ...params.list]
    } else if (params.present) {
      // Bpium sends key/value parameters as a form whatever `type` says (the UI hides `type`
      // for key/value); `fieldsFormat` is potok's own marker for a JSON object of fields.
      const fieldsFormat = constantOf(input('fieldsFormat'))
      config.body = fieldsFormat === 'json' || fieldsFormat === 'form' ? { format: fieldsFormat, fields: params.list } : { fields: params.list }
    }
  } else {
    const value = expressionOf(input('body'))
    if (value !== undefined && NO_BODY.has(method)) warn(`a ${method} request has no body: the body is left out`)
    else if (value !== undefined) config.body = { format: bodyFormatOf(format, contentType, warn), value }
    if (params.list.length) warn('key/value parameters are hidden by the body format: left out')
  }
  if (query) config.query = query
  const headers = named(input('headers'), 'header', warn)
  if (headers.present) config.headers = headers.list

  const auth = constantOf(input('auth')) ?? 'noauth'
  if (auth === 'basic') {
    // An unset login or password is an empty one, as in Bpium.
    config.auth = { type: 'basic', login: expressionOf(input('login')) ?? "''", password: expressionOf(input('password')) ?? "''" }
  } else if (auth === 'bearer') {
    config.auth = { type: 'bearer', token: expressionOf(input('token')) ?? '' }
  } else if (auth === 'oauth2' || auth === 'oauth') {
    // Bpium's OAuth2 puts a token (an expression, or its «Доступ к сервисам» template) in `token`.
    const token = expressionOf(input('token'))
    if (token) {
      config.auth = { type: 'bearer', token }
      warn(
        'OAuth2: the token expression is sent as a bearer token; to have potok fetch and renew the token itself, create an http connection with scheme oauth2 and set auth to { "connection": "<its id>" }',
      )
    } else {
      config.auth = { type: 'oauth2' } // nothing to send: validation names it
      warn('OAuth2 without a token: create an http connection (scheme oauth2: tokenUrl, clientId, clientSecret) and set auth to { "connection": "<its id>" }')
    }
  } else if (auth === 'connection') {
    config.auth = { connection: constantOf(input('connection')) ?? '' }
  } else if (auth !== 'noauth' && auth !== 'none') {
    config.auth = { type: auth } // not supported: validation names it
  }

  const mode = constantOf(input('async'))
  if (mode !== undefined) config.waitForResponse = mode === 'sync'
  const responseFormat = constantOf(input('output_format'))
  if (responseFormat !== undefined) {
    const formats: Record<string, string> = { auto: 'auto', json: 'json', text: 'text', binary: 'binary', file: 'binary' }
    if (formats[responseFormat]) config.responseFormat = formats[responseFormat]
    else warn(`response format "${responseFormat}" is not one potok knows: read as auto`)
  }
  const failOnStatus = constantOf(input('failOnStatus'))
  if (failOnStatus !== undefined) config.failOnStatus = failOnStatus === 'true'
  const timeoutMs = numberOf(constantOf(input('timeoutMs')))
  if (timeoutMs !== undefined) config.timeoutMs = timeoutMs

  const slots: Record<string, string> = { output_body: 'bodyTo', output_status: 'statusTo', output_headers: 'headersTo' }
  for (const output of p.outputs) {
    if (!output.name) continue
    const key = slots[output.slot]
    if (key) config[key] = output.name
    else warn(`output "${output.slot}" is not one potok knows: left out`)
  }
  return config
}

/** The Bpium parameters of a potok `webRequest` config. */
export function exportWebRequest(c: WebRequestConfig): XmlNode[] {
  const method = c.method ?? 'GET'
  const out: XmlNode[] = [listParam('method', [method]), scriptParam('query', c.url)]
  const noBody = NO_BODY.has(method)
  let queryInParams = false
  if (c.body?.fields) {
    out.push(listParam('format', ['keyvalue']), mapParam('params', c.body.fields), scriptParam('body', ''), listParam('type', [CONTENT_TYPES[c.body.format ?? 'form']!]))
    if (c.body.format) out.push(scriptParam('fieldsFormat', c.body.format, 'const'))
  } else if (c.body) {
    out.push(
      listParam('format', [c.body.format ?? 'form']),
      listParam('params', []),
      scriptParam('body', c.body.value ?? ''),
      listParam('type', [CONTENT_TYPES[c.body.format ?? 'form'] ?? 'text/plain']),
    )
  } else {
    queryInParams = noBody && c.query !== undefined
    out.push(listParam('format', ['keyvalue']), queryInParams ? mapParam('params', c.query!) : listParam('params', []), scriptParam('body', ''), listParam('type', [CONTENT_TYPES.json]))
  }
  if (c.query && !queryInParams) out.push(mapParam('queryParams', c.query))
  out.push(c.headers ? mapParam('headers', c.headers) : listParam('headers', []))

  const viaConnection = c.auth && 'connection' in c.auth ? c.auth.connection : undefined
  const auth = viaConnection !== undefined ? 'connection' : (c.auth?.type ?? 'none')
  out.push(listParam('auth', [auth === 'none' ? 'noauth' : auth]))
  out.push(scriptParam('login', c.auth?.type === 'basic' ? c.auth.login : ''), scriptParam('password', c.auth?.type === 'basic' ? c.auth.password : ''))
  if (c.auth?.type === 'bearer') out.push(scriptParam('token', c.auth.token))
  if (viaConnection !== undefined) out.push(scriptParam('connection', viaConnection, 'const'))
  out.push(listParam('async', [c.waitForResponse === false ? 'async' : 'sync']))
  out.push(listParam('output_format', [c.responseFormat ?? 'auto']))
  if (c.failOnStatus) out.push(scriptParam('failOnStatus', 'true', 'const'))
  if (c.timeoutMs !== undefined && c.timeoutMs !== DEFAULT_TIMEOUT_MS) out.push(scriptParam('timeoutMs', String(c.timeoutMs), 'const'))
  if (c.bodyTo) out.push(outputParam(c.bodyTo, 'output_body'))
  if (c.statusTo) out.push(outputParam(c.statusTo, 'output_status'))
  if (c.headersTo) out.push(outputParam(c.headersTo, 'output_headers'))
  return out
}
