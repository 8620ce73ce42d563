/**
 * Real faults on the shared store (a private FerretDB started by this test): two potok servers
 * with a side-effect counter — each acknowledged process makes its side effect exactly once
 * while nothing fails, and completes exactly once (none left running) when one server is
 * SIGKILLed mid-way; then the database itself is killed and restarted: callers get a 503 at
 * once while it is down, /healthz says so, and the servers recover by themselves.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { connect } from 'node:net'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { killChildren, startChildServer, type ChildServer } from './child.ts'
import { isErrorBody, sleep } from './helpers.ts'

const FERRETDB = join(process.env.POTOK_TOOLS_BIN ?? join(homedir(), '.cache/potok-tools/bin'), 'ferretdb')
const enabled = Boolean(process.env.MONGODB_URI) && existsSync(FERRETDB)
if (!enabled) console.warn(`[server] FerretDB fault tests skipped: they need MONGODB_URI set and the FerretDB binary at ${FERRETDB} (.ci/run builds it)`)

const ferretDir = mkdtempSync(join(tmpdir(), 'potok-ferret-faults-'))
let ferret: ChildProcess | null = null
let counter: Server | null = null

afterAll(async () => {
  killChildren()
  ferret?.kill('SIGKILL')
  counter?.close()
  rmSync(ferretDir, { recursive: true, force: true })
})

/**
 * Where the private FerretDB listens: a Unix socket in its own directory, so a restart listens
 * at the same address without a TCP port that something else could take while it is down.
 */
const ferretSocket = join(ferretDir, 'mongo.sock')

/** Starts (or restarts, same files and socket) the private FerretDB. */
async function startFerret(): Promise<void> {
  rmSync(ferretSocket, { force: true }) // left by the killed one
  ferret = spawn(
    FERRETDB,
    [
      '--handler=sqlite',
      `--sqlite-url=file:${ferretDir}/`,
      `--state-dir=${ferretDir}`,
      '--listen-addr=',
      `--listen-unix=${ferretSocket}`,
      '--debug-addr=127.0.0.1:0',
      '--telemetry=disable',
      '--log-level=error',
    ],
    { stdio: 'ignore' },
  )
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(ferretSocket)
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (up) return
    await sleep(100)
  }
  throw new Error('FerretDB did not start')
}

async function stopFerret(): Promise<void> {
  const exited = new Promise((resolve) => ferret!.once('exit', resolve))
  ferret!.kill('SIGKILL')
  await exited
}

/** Counts side effects by key. */
async function startCounter(): Promise<{ port: number; hits: Map<string, number> }> {
  const hits = new Map<string, number>()
  counter = createServer((req, res) => {
    const key = new URL(req.url!, 'http://x').searchParams.get('k')!
    hits.set(key, (hits.get(key) ?? 0) + 1)
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
  })
  await new Promise<void>((resolve) => counter!.listen(0, '127.0.0.1', resolve))
  return { port: (counter.address() as { port: number }).port, hits }
}

function effectFlow(counterPort: number) {
  return {
    id: 'effect',
    nodes: [
      { id: 'start', type: 'start' },
      { id: 'hit', type: 'webRequest', config: { method: 'POST', url: `'http://127.0.0.1:${counterPort}/hit?k=' + body.k`, timeoutMs: 5000, failOnStatus: true } },
      { id: 'wait', type: 'timer', config: { pause: 'PT0.3S' } },
      { id: 'done', type: 'setVariables', config: { assignments: [{ name: 'k', value: 'body.k' }] } },
      { id: 'end', type: 'end' },
    ],
    edges: [
      ['start', 'hit'],
      ['hit', 'wait'],
      ['wait', 'done'],
      ['done', 'end'],
    ].map(([from, to]) => ({ from, to })),
    webrequests: [{ urlId: 'effect', name: 'Side effect' }],
  }
}

const accept = async (server: ChildServer, k: string): Promise<string | null> => {
  const response = await fetch(`${server.base}/api/webrequest/effect?async=true`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ k }) })
  if (response.status !== 202) {
    expect([503, 507]).toContain(response.status)
    expect(isErrorBody(await response.json())).toBe(true)
    return null
  }
  return response.headers.get('x-process-id')
}

async function allEnded(server: ChildServer, ids: string[], ms: number): Promise<Array<{ id: string; status: string; steps: Array<{ nodeId: string }>; output: { k?: string } }>> {
  const deadline = Date.now() + ms
  for (;;) {
    const records = await Promise.all(ids.map(async (id) => (await server.api('GET', `/api/v1/processes/${id}`)).json()))
    if (records.every((p) => p.status === 'completed') || Date.now() > deadline) return records
    await sleep(300)
  }
}

describe.skipIf(!enabled)('faults on the shared store (FerretDB)', () => {
  test('two servers, a side-effect counter, a server SIGKILLed, the database killed and restarted', async () => {
    await startFerret()
    const { port: counterPort, hits } = await startCounter()
    const flowsDir = mkdtempSync(join(tmpdir(), 'potok-faults-flows-'))
    writeFileSync(join(flowsDir, 'effect.json'), JSON.stringify(effectFlow(counterPort)))
    const env = { MONGODB_URI: `mongodb://${encodeURIComponent(ferretSocket)}/potok_faults`, FLOWS_DIR: flowsDir, ASYNC_LEASE_MS: '5000', ASYNC_CONCURRENCY: '8', STORE_TIMEOUT_MS: '2000' }
    const a = await startChildServer(env)
    const b = await startChildServer(env)

    // 1. Nothing fails: every side effect exactly once.
    const calm: string[] = []
    for (let i = 0; i < 60; i++) calm.push((await accept(i % 2 ? a : b, `calm-${i}`))!)
    const calmRecords = await allEnded(a, calm, 90_000)
    expect(calmRecords.map((p) => p.status)).toEqual(calm.map(() => 'completed'))
    for (let i = 0; i < 60; i++) expect(hits.get(`calm-${i}`)).toBe(1)

    // 2. Server b is SIGKILLed mid-way: a finishes everything, each process once on record.
    const cut: Array<{ id: string; k: string }> = []
    for (let i = 0; i < 40; i++) cut.push({ id: (await accept(i % 2 ? a : b, `cut-${i}`))!, k: `cut-${i}` })
    await sleep(300)
    await b.kill()
    const cutRecords = await allEnded(
      a,
      cut.map((c) => c.id),
      90_000,
    )
    expect(cutRecords.map((p) => p.status)).toEqual(cut.map(() => 'completed'))
    let repeated = 0
    for (const [index, record] of cutRecords.entries()) {
      expect(record.steps.filter((s) => s.nodeId === 'end')).toHaveLength(1)
      expect(record.output.k).toBe(cut[index].k)
      const count = hits.get(cut[index].k) ?? 0
      expect(count).toBeGreaterThanOrEqual(1)
      repeated += count - 1
    }
    // Only an activity cut mid-flight runs again: at most one per slot of the killed server.
    expect(repeated).toBeLessThanOrEqual(8)
    expect((await (await a.api('GET', '/api/v1/processes?status=running&limit=200')).json()).items).toEqual([])

    // 3. The database dies: callers get a 503 at once, /healthz says the store is down.
    await stopFerret()
    await sleep(500)
    let started = Date.now()
    const down = await fetch(`${a.base}/healthz`)
    expect(down.status).toBe(503)
    expect((await down.json()).error.details).toMatchObject({ store: 'mongodb', read: false })
    for (let i = 0; i < 3; i++) expect(await accept(a, `down-${i}`)).toBeNull()
    const sync = await fetch(`${a.base}/api/webrequest/effect`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"k":"down-sync"}' })
    expect(sync.status).toBe(503)
    expect(Date.now() - started).toBeLessThan(8000) // four callers, none waited out a driver timeout
    expect(hits.has('down-sync')).toBe(false) // refused before it ran: no side effect without a record

    // 4. It comes back: the server recovers by itself and accepts work again.
    await startFerret()
    started = Date.now()
    for (;;) {
      if ((await fetch(`${a.base}/healthz`)).status === 200) break
      if (Date.now() - started > 30_000) throw new Error('the server did not recover')
      await sleep(200)
    }
    const after: string[] = []
    for (let i = 0; i < 10; i++) after.push((await accept(a, `after-${i}`))!)
    const afterRecords = await allEnded(a, after, 60_000)
    expect(afterRecords.map((p) => p.status)).toEqual(after.map(() => 'completed'))
    for (let i = 0; i < 10; i++) expect(hits.get(`after-${i}`)).toBe(1)
    await a.kill()
    rmSync(flowsDir, { recursive: true, force: true })
  }, 300_000)
})
