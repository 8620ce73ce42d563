import { z } from 'zod'
import { PotokError } from '../runtime/errors.ts'
import type { Component, VariableWrite } from '../runtime/types.ts'
import { expr, variablePath } from './schema.ts'
import { connectionAuthorization } from './webRequest/connectionAuth.ts'
import { buildRequest } from './webRequest/request.ts'
import { bodyExcerpt, decodeBody, responseHeaders } from './webRequest/response.ts'
import { maxResponseBytes, send } from './webRequest/send.ts'
import { takeOutbound } from '../runtime/outbound.ts'

const named = (name: z.ZodString) => z.array(z.object({ name, value: expr }).strict())
const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be an HTTP header name')

const config = z
  .object({
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('GET'),
    url: expr,
    query: named(z.string().min(1)).optional(),
    headers: named(headerName).optional(),
    body: z
      .object({
        // "binary" (a binary value, sent as bytes) goes beyond the four formats json, form, text and xml.
        // Key/value `fields` without a format are a form, as Bpium sends them (docs/connections.md).
        format: z.enum(['json', 'form', 'text', 'xml', 'binary']).optional(),
        value: expr.optional(),
        fields: named(z.string().min(1)).optional(),
      })
      .strict()
      .refine((b) => (b.value === undefined) !== (b.fields === undefined), 'give the body either a value or fields')
      .refine((b) => b.format !== undefined || b.fields !== undefined, { message: 'a body value needs a format', path: ['format'] })
      .refine((b) => b.fields === undefined || b.format === undefined || b.format === 'json' || b.format === 'form', { message: 'fields make a json or form body only', path: ['fields'] })
      .optional(),
    auth: z
      .union([
        z.discriminatedUnion('type', [
          z.object({ type: z.literal('none') }).strict(),
          z.object({ type: z.literal('basic'), login: expr, password: expr }).strict(),
          z.object({ type: z.literal('bearer'), token: expr }).strict(),
        ]),
        // Credentials kept in a connection (basic, bearer, OAuth2 client credentials).
        z.object({ type: z.literal('connection').optional(), connection: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a connection id') }).strict(),
      ])
      .optional(),
    waitForResponse: z.boolean().default(true),
    responseFormat: z.enum(['auto', 'json', 'text', 'binary']).default('auto'),
    failOnStatus: z.boolean().default(false),
    timeoutMs: z.number().int().positive().max(86_400_000).default(60_000),
    statusTo: variablePath.optional(),
    headersTo: variablePath.optional(),
    bodyTo: variablePath.optional(),
  })
  .strict()
  .refine((c) => !c.body || (c.method !== 'GET' && c.method !== 'HEAD'), { message: 'GET and HEAD requests have no body', path: ['body'] })
export type WebRequestConfig = z.infer<typeof config>

/** Every expression of the config with its path (evaluated together, in one sandbox call). */
function requestExpressions(c: WebRequestConfig) {
  const list: Array<{ path: Array<string | number>; source: string }> = [{ path: ['url'], source: c.url }]
  c.query?.forEach((q, i) => list.push({ path: ['query', i, 'value'], source: q.value }))
  c.headers?.forEach((h, i) => list.push({ path: ['headers', i, 'value'], source: h.value }))
  if (c.body?.value !== undefined) list.push({ path: ['body', 'value'], source: c.body.value })
  c.body?.fields?.forEach((f, i) => list.push({ path: ['body', 'fields', i, 'value'], source: f.value }))
  if (c.auth && 'login' in c.auth) list.push({ path: ['auth', 'login'], source: c.auth.login }, { path: ['auth', 'password'], source: c.auth.password })
  if (c.auth && 'token' in c.auth) list.push({ path: ['auth', 'token'], source: c.auth.token })
  return list
}

/**
 * Веб-запрос: an outbound HTTP request. Network errors and timeouts are errors (HTTP_NETWORK,
 * HTTP_TIMEOUT, HTTP_TOO_LARGE); a non-2xx status is one only with `failOnStatus` (HTTP_STATUS).
 * With `waitForResponse: false` it returns at once and the request goes on alone (its outcome
 * is dropped, its outputs are not written). Redirects are followed (at most 20, fetch's limit).
 */
export const webRequest: Component<WebRequestConfig> = {
  type: 'webRequest',
  displayName: { ru: 'Веб-запрос', en: 'Web request' },
  kind: 'async',
  group: 'communications',
  config,
  expressions: requestExpressions,
  run: async (ctx) => {
    const c = ctx.config
    const list = requestExpressions(c)
    const values = ctx.evaluateAll(list.map((e) => e.source))
    const byPath = new Map(list.map((e, i) => [e.path.join('.'), values[i]]))
    const request = buildRequest(c, (path) => byPath.get(path))
    takeOutbound(ctx.process, request.describe)
    const limits = { timeoutMs: c.timeoutMs, maxBytes: maxResponseBytes() }
    if (!c.waitForResponse) {
      if (c.auth && 'connection' in c.auth) request.headers.set('authorization', (await connectionAuthorization(ctx.services, c.auth.connection, ctx.signal)).header)
      send(request, limits).catch(() => {
        /* fire and forget: nobody is waiting for the outcome */
      })
      return []
    }
    const auth = c.auth && 'connection' in c.auth ? await connectionAuthorization(ctx.services, c.auth.connection, ctx.signal) : null
    if (auth) request.headers.set('authorization', auth.header)
    let response = await send(request, { ...limits, signal: ctx.signal })
    if (auth?.renewable && response.status === 401) {
      // The token may have been revoked before its expiry: fetch a new one and try once more.
      auth.forget()
      const renewed = await connectionAuthorization(ctx.services, (c.auth as { connection: string }).connection, ctx.signal)
      request.headers.set('authorization', renewed.header)
      response = await send(request, { ...limits, signal: ctx.signal })
    }
    if (c.failOnStatus && (response.status < 200 || response.status > 299)) {
      const excerpt = bodyExcerpt(response)
      throw new PotokError('HTTP_STATUS', `${request.describe} answered ${response.status} ${response.statusText}${excerpt ? `: ${excerpt}` : ''}`, { details: { status: response.status } })
    }
    const writes: VariableWrite[] = []
    if (c.statusTo) writes.push({ path: c.statusTo, value: response.status })
    if (c.headersTo) writes.push({ path: c.headersTo, value: responseHeaders(response.headers) })
    if (c.bodyTo) writes.push({ path: c.bodyTo, value: decodeBody(response, c.responseFormat, request.describe) })
    return writes
  },
}
