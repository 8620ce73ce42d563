/**
 * Several servers on one MongoDB (FerretDB in CI): any of them serves any endpoint, and the
 * asynchronous processes they accept between them all complete, each exactly once.
 */
import { randomBytes } from 'node:crypto'
import { MongoClient } from 'mongodb'
import { afterAll, describe, expect, test } from 'vitest'
import { MongoStore } from '../../store/mongo.ts'
import { ADMIN_TOKEN, REPO_FLOWS, sleep } from './helpers.ts'
import { createLogger } from '../../server/log.ts'
import { serve, type RunningServer } from '../../server/serve.ts'
import { loadSettings } from '../../server/settings.ts'

const uri = process.env.MONGODB_URI
if (!uri) console.warn('[server] two-servers test skipped: MONGODB_URI is not set (.ci/run starts FerretDB and sets it)')
const dbUri = uri?.replace(/\/?(\?|$)/, `/potok_two_${randomBytes(4).toString('hex')}$1`)
const servers: RunningServer[] = []

afterAll(async () => {
  for (const server of servers) await server.close()
  if (dbUri) {
    const store = new MongoStore({ uri: dbUri })
    await store.init()
    await store.dropDatabase()
    await store.close()
  }
})

async function start(): Promise<RunningServer> {
  const settings = loadSettings({}, { port: 0, host: '127.0.0.1', mongodbUri: dbUri, flowsDir: REPO_FLOWS, adminToken: ADMIN_TOKEN, logLevel: 'silent', asyncConcurrency: 16 })
  const server = await serve(settings, { handleSignals: false, banner: false, logger: createLogger('silent') })
  servers.push(server)
  return server
}

describe.skipIf(!uri)('two servers on one MongoDB', () => {
  test('200 asynchronous requests split between them all complete, each exactly once', async () => {
    const a = await start()
    const b = await start()
    const ids: string[] = []
    const accept = async (server: RunningServer, n: number) => {
      const response = await fetch(`${server.url}api/webrequest/greet?async=1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `n${n}`, n }) })
      expect(response.status).toBe(202)
      ids.push(response.headers.get('x-process-id')!)
    }
    for (let n = 0; n < 200; n += 10) {
      await Promise.all(Array.from({ length: 10 }, (_, i) => accept((n + i) % 2 ? a : b, n + i)))
    }
    // Either server answers for any process. Waits until none is queued or running any more.
    const deadline = Date.now() + 120_000
    let ended: Array<{ id: string; status: string; error?: unknown }> = []
    while (Date.now() < deadline) {
      const page = await a.store.listProcesses({ limit: 500 })
      ended = page.items.filter((p) => p.status !== 'queued' && p.status !== 'running')
      if (ended.length === 200) break
      await sleep(250)
    }
    const notCompleted = (await a.store.listProcesses({ limit: 500 })).items
      .filter((p) => p.status !== 'completed')
      .map((p) => ({ id: p.id, status: p.status, error: p.error, lease: p.lease, rev: p.rev }))
    expect(notCompleted).toEqual([])
    const all = await b.store.listProcesses({ limit: 500 })
    expect(all.items.length).toBe(200)
    expect(new Set(all.items.map((p) => p.id))).toEqual(new Set(ids))
    for (const p of all.items) {
      const n = Number((p.input as { body: { n: number } }).body.n)
      expect(p.output).toMatchObject({ $body: { greeting: `Hello, n${n}`, next: n + 1 } })
      const record = await a.store.getProcess(p.id, { steps: true })
      expect(record!.steps!.filter((s) => s.nodeId === 'end')).toHaveLength(1)
    }

    // A few seconds after their ends the servers' housekeeping has moved them to the archive
    // (`archiveEnded`): the collection the executors work on holds none of them, nor does the
    // schedule, and the API still serves every one.
    const client = await MongoClient.connect(dbUri!)
    try {
      const db = client.db()
      const until = Date.now() + 60_000
      while (Date.now() < until && (await db.collection('processes').countDocuments()) > 0) await sleep(250)
      expect(await db.collection('processes').countDocuments()).toBe(0)
      expect(await db.collection('archive').countDocuments()).toBe(200)
      expect(await db.collection('due').countDocuments()).toBe(0)
    } finally {
      await client.close()
    }
    const auth = { authorization: `Bearer ${a.adminToken.token}` }
    const listed = (await (await fetch(`${b.url}api/v1/processes?limit=500`, { headers: auth })).json()) as { items: Array<{ id: string; status: string }> }
    expect(new Set(listed.items.map((p) => p.id))).toEqual(new Set(ids))
    expect(listed.items.every((p) => p.status === 'completed')).toBe(true)
    const one = await fetch(`${a.url}api/v1/processes/${ids[0]}`, { headers: auth })
    expect(one.status).toBe(200)
    expect(await one.json()).toMatchObject({ id: ids[0], status: 'completed' })
  }, 180_000)
})
