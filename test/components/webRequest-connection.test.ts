/**
 * `webRequest` with `auth: { connection }` (docs/connections.md) against a real HTTP server that is also an
 * OAuth2 token endpoint: basic and bearer from the connection; OAuth2 client credentials fetched
 * once, cached until expiry, renewed once on 401; no secret or token in the process's variables.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { PotokError } from '../../runtime/errors.ts'
import { startProcess } from '../../runtime/process.ts'
import { validateScenario } from '../../runtime/scenario.ts'
import type { ConnectionInfo, RuntimeServices } from '../../runtime/types.ts'
import { chain, withErrorBoundary } from './helpers.ts'

let server: Server
let base: string
const tokenRequests: Array<{ authorization?: string; body: string }> = []
let issued = 0
let valid = new Set<string>()
let expiresIn = 3600

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const reply = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(JSON.stringify(value))
      }
      if (req.url === '/token') {
        tokenRequests.push({ authorization: req.headers.authorization, body })
        if (req.headers.authorization !== `Basic ${Buffer.from('client-1:client-secret').toString('base64')}`) return reply(401, { error: 'invalid_client' })
        const token = `tok-${++issued}`
        valid.add(token)
        return reply(200, { access_token: token, token_type: 'Bearer', expires_in: expiresIn })
      }
      const presented = req.headers.authorization ?? ''
      if (req.url === '/api') {
        if (!valid.has(presented.replace(/^Bearer /, ''))) return reply(401, { error: 'expired' })
        return reply(200, { hello: 'oauth', token: presented })
      }
      reply(200, { authorization: presented })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))
beforeEach(() => {
  tokenRequests.length = 0
  valid = new Set()
  expiresIn = 3600
})

const connections: Record<string, ConnectionInfo> = {
  'crm-basic': { id: 'crm-basic', type: 'http', config: { scheme: 'basic', username: 'ann' }, secrets: { password: 'basic-pw' } },
  'crm-bearer': { id: 'crm-bearer', type: 'http', config: { scheme: 'bearer' }, secrets: { token: 'static-token' } },
  mail: { id: 'mail', type: 'smtp', config: { host: 'x', port: 25 }, secrets: {} },
}
const oauth = (id: string, extra: Record<string, unknown> = {}): ConnectionInfo => ({
  id,
  type: 'http',
  config: { scheme: 'oauth2', tokenUrl: `${base}/token`, clientId: 'client-1', scope: 'orders.read', ...extra },
  secrets: { clientSecret: 'client-secret' },
})
const services = (): RuntimeServices => ({
  getConnection: async (id) => {
    if (id.startsWith('oauth')) return oauth(id, id === 'oauth-bad' ? { clientId: 'wrong' } : {})
    const found = connections[id]
    if (!found) throw new PotokError('CONNECTION_NOT_FOUND', `there is no connection "${id}"`)
    return found
  },
})
const call = (connection: string, path = '/echo') => ({ id: 'call', type: 'webRequest', config: { url: `base + '${path}'`, auth: { connection }, statusTo: 'status', bodyTo: 'body' } })
const run = (node: ReturnType<typeof call>, scenario = chain([node])) => startProcess(scenario, { base }, { services: services() })

describe('webRequest auth: { connection }', () => {
  test('the config validates with a connection id (and refuses an expression there)', () => {
    expect(validateScenario(chain([call('crm-basic')])).ok).toBe(true)
    expect(validateScenario(chain([{ id: 'call', type: 'webRequest', config: { url: "'http://x'", auth: { connection: "'a' + b" } } }])).ok).toBe(false)
  })

  test('basic and bearer come from the connection', async () => {
    const basic = await run(call('crm-basic'))
    expect(basic.output.body).toEqual({ authorization: `Basic ${Buffer.from('ann:basic-pw').toString('base64')}` })
    const bearer = await run(call('crm-bearer'))
    expect(bearer.output.body).toEqual({ authorization: 'Bearer static-token' })
  })

  test('OAuth2: the token is fetched once (client credentials, Basic client auth) and reused until it expires', async () => {
    const first = await run(call('oauth-a', '/api'))
    expect(first.output).toMatchObject({ status: 200, body: { hello: 'oauth' } })
    await run(call('oauth-a', '/api'))
    expect(tokenRequests).toHaveLength(1)
    expect(new URLSearchParams(tokenRequests[0]!.body).get('grant_type')).toBe('client_credentials')
    expect(new URLSearchParams(tokenRequests[0]!.body).get('scope')).toBe('orders.read')
    expect(JSON.stringify(first.output) + JSON.stringify(first.snapshot)).not.toContain('client-secret')

    expiresIn = 1 // shorter than the renewal margin: every request fetches a new token
    await run(call('oauth-short', '/api'))
    await run(call('oauth-short', '/api'))
    expect(tokenRequests).toHaveLength(3)
  })

  test('OAuth2: a 401 (token revoked early) fetches a new token and repeats the request once', async () => {
    await run(call('oauth-revoked', '/api'))
    valid.clear() // the API forgets every token it issued
    const again = await run(call('oauth-revoked', '/api'))
    expect(again.output).toMatchObject({ status: 200, body: { hello: 'oauth', token: `Bearer tok-${issued}` } })
    expect(tokenRequests).toHaveLength(2)
  })

  test('failures are component errors with their own codes, caught by a boundary, without secrets', async () => {
    const refused = await run(call('oauth-bad', '/api'), withErrorBoundary(call('oauth-bad', '/api')))
    expect(refused.status).toBe('completed')
    expect(refused.output.err).toMatchObject({ code: 'OAUTH_TOKEN', message: expect.stringContaining('answered 401 without an access token (invalid_client)') })
    expect(JSON.stringify(refused.output)).not.toContain('client-secret')
    const missing = await run(call('nope'), withErrorBoundary(call('nope')))
    expect(missing.output.err).toMatchObject({ code: 'CONNECTION_NOT_FOUND' })
    const wrongType = await run(call('mail'), withErrorBoundary(call('mail')))
    expect(wrongType.output.err).toMatchObject({ code: 'CONNECTION_TYPE' })
    const noHost = await startProcess(withErrorBoundary(call('crm-basic')), { base })
    expect(noHost.output.err).toMatchObject({ code: 'CONNECTION_NOT_FOUND' })
  })
})
