/**
 * Catalog lookups on the request path come from memory, and a change is served at once by the
 * server that made it; a server sharing the database sees it within CATALOG_CACHE_MS.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { MongoStore } from '../../store/mongo.ts'
import { createLogger } from '../../server/log.ts'
import { serve, type RunningServer } from '../../server/serve.ts'
import { loadSettings } from '../../server/settings.ts'
import { manualClock } from '../clock.ts'
import { ADMIN_TOKEN, REPO_FLOWS, startServer, type TestServer } from './helpers.ts'

const post = (base: string, urlId: string) => fetch(`${base}api/webrequest/${urlId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"Ada","n":1}' })
const admin = (base: string, method: string, path: string, body?: unknown) =>
  fetch(`${base}${path.slice(1)}`, { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })

describe('catalog cache on one server', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startServer({ catalogCacheMs: 60_000 })
  })
  afterAll(async () => {
    await server?.close()
  })

  test('a change through this server is served at once, though entries live a minute', async () => {
    const created = await admin(server.url, 'POST', '/api/v1/webrequests', { id: 'cached', urlId: 'cached', name: 'Cached', scenarioId: 'greet' })
    expect(created.status).toBe(201)
    expect((await post(server.url, 'cached')).status).toBe(201)
    expect((await post(server.url, 'cached')).status).toBe(201) // from memory now

    const disabled = await admin(server.url, 'PUT', '/api/v1/webrequests/cached', { urlId: 'cached', name: 'Cached', scenarioId: 'greet', enabled: false })
    expect(disabled.status).toBe(200)
    expect((await post(server.url, 'cached')).status).toBe(404)

    await admin(server.url, 'PUT', '/api/v1/webrequests/cached', { urlId: 'cached', name: 'Cached', scenarioId: 'greet' })
    const scenario = (await (await admin(server.url, 'GET', '/api/v1/scenarios/greet')).json()) as { scenario?: unknown } & Record<string, unknown>
    const document = (scenario.scenario ?? scenario) as { nodes: Array<{ id: string; config?: any }> }
    const changed = structuredClone(document)
    changed.nodes.find((n) => n.id === 'vars')!.config.assignments.push({ name: '$status', value: '202' })
    expect((await admin(server.url, 'PUT', '/api/v1/scenarios/greet', changed)).status).toBe(200)
    expect((await post(server.url, 'cached')).status).toBe(202)

    expect((await admin(server.url, 'DELETE', '/api/v1/webrequests/cached')).status).toBe(204)
    expect((await post(server.url, 'cached')).status).toBe(404)
  })
})

const uri = process.env.MONGODB_URI
if (!uri) console.warn('[server] catalog cache across servers skipped: MONGODB_URI is not set (.ci/run starts FerretDB and sets it)')
const dbUri = uri?.replace(/\/?(\?|$)/, `/potok_cache_${randomBytes(4).toString('hex')}$1`)

describe.skipIf(!uri)('catalog cache across servers on one MongoDB', () => {
  const servers: RunningServer[] = []
  afterAll(async () => {
    for (const server of servers) await server.close()
    const store = new MongoStore({ uri: dbUri! })
    await store.init()
    await store.dropDatabase()
    await store.close()
  })

  test('a change made on one server is served by the other within CATALOG_CACHE_MS', async () => {
    for (let i = 0; i < 2; i++) {
      const settings = loadSettings({}, { port: 0, host: '127.0.0.1', mongodbUri: dbUri, flowsDir: REPO_FLOWS, adminToken: ADMIN_TOKEN, logLevel: 'silent', catalogCacheMs: 500, workers: 1 })
      servers.push(await serve(settings, { handleSignals: false, banner: false, logger: createLogger('silent') }))
    }
    const [a, b] = servers as [RunningServer, RunningServer]
    // The entries' ages are read off this clock: the TTL ends when the test moves it on.
    const time = manualClock()
    try {
      expect((await admin(a.url, 'POST', '/api/v1/webrequests', { id: 'shared', urlId: 'shared', name: 'Shared', scenarioId: 'greet' })).status).toBe(201)
      expect((await post(b.url, 'shared')).status).toBe(201) // b caches it
      expect((await admin(a.url, 'PUT', '/api/v1/webrequests/shared', { urlId: 'shared', name: 'Shared', scenarioId: 'greet', enabled: false })).status).toBe(200)
      expect((await post(a.url, 'shared')).status).toBe(404)
      // The other server serves what it cached until its TTL ends, then reads the change.
      expect((await post(b.url, 'shared')).status).toBe(201)
      await time.advance(499)
      expect((await post(b.url, 'shared')).status).toBe(201)
      await time.advance(2)
      expect((await post(b.url, 'shared')).status).toBe(404)
    } finally {
      time.restore()
    }
  }, 60_000)
})
