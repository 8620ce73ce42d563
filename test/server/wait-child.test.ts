/**
 * Waiting on a child holds no slot: an asynchronous parent whose `subProcess` node waits for a
 * synchronous child is parked (stored `queued`, no slot, no memory) while the child runs as a
 * process of its own, and is woken when the child ends — on any server, the child's result
 * delivered once. Real servers (`potok serve`), a side-effect counter, SQLite and FerretDB
 * (when MONGODB_URI is set); servers SIGKILLed while parents and children come and go.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { killChildren, startChildServer, type ChildServer } from './child.ts'
import { sleep } from './helpers.ts'

const chain = (...ids: string[]) => ids.slice(1).map((to, i) => ({ from: ids[i], to }))

function flows(counterPort: number, childPause: string): Record<string, unknown> {
  return {
    child: {
      id: 'child',
      nodes: [
        { id: 'start', type: 'start' },
        { id: 'hit', type: 'webRequest', config: { method: 'POST', url: `'http://127.0.0.1:${counterPort}/hit?k=' + k`, timeoutMs: 5000, failOnStatus: true } },
        { id: 'wait', type: 'timer', config: { pause: childPause } },
        { id: 'double', type: 'setVariables', config: { assignments: [{ name: 'doubled', value: 'n * 2' }] } },
        { id: 'end', type: 'end' },
      ],
      edges: chain('start', 'hit', 'wait', 'double', 'end'),
    },
    parent: {
      id: 'parent',
      nodes: [
        { id: 'start', type: 'start' },
        {
          id: 'call',
          type: 'subProcess',
          config: {
            scenario: "'child'",
            inputs: [
              { name: 'k', value: 'body.k' },
              { name: 'n', value: 'body.n' },
            ],
            resultTo: 'r',
          },
        },
        { id: 'answer', type: 'setVariables', config: { assignments: [{ name: 'got', value: 'r.doubled' }] } },
        { id: 'end', type: 'end' },
      ],
      edges: chain('start', 'call', 'answer', 'end'),
      webrequests: [{ urlId: 'parent', name: 'Parent' }],
    },
    loop: {
      id: 'loop',
      nodes: [
        { id: 'start', type: 'start' },
        { id: 'again', type: 'subProcess', config: { scenario: "'loop'", resultTo: 'inner' } },
        { id: 'end', type: 'end' },
      ],
      edges: chain('start', 'again', 'end'),
      webrequests: [{ urlId: 'loop', name: 'Starts itself' }],
    },
    instant: {
      id: 'instant',
      nodes: [
        { id: 'start', type: 'start' },
        { id: 'answer', type: 'setVariables', config: { assignments: [{ name: 'ok', value: 'true' }] } },
        { id: 'end', type: 'end' },
      ],
      edges: chain('start', 'answer', 'end'),
      webrequests: [{ urlId: 'instant', name: 'Instant' }],
    },
  }
}

let counter: Server
let counterPort = 0
const hits = new Map<string, number>()
const dirs: string[] = []

beforeAll(async () => {
  counter = createServer((req, res) => {
    const key = new URL(req.url!, 'http://x').searchParams.get('k')!
    hits.set(key, (hits.get(key) ?? 0) + 1)
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
  })
  await new Promise<void>((resolve) => counter.listen(0, '127.0.0.1', resolve))
  counterPort = (counter.address() as { port: number }).port
})

afterAll(() => {
  killChildren()
  counter?.close()
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

function setup(store: string, childPause: string): Record<string, string> {
  const flowsDir = mkdtempSync(join(tmpdir(), 'potok-wait-flows-'))
  dirs.push(flowsDir)
  for (const [name, flow] of Object.entries(flows(counterPort, childPause))) writeFileSync(join(flowsDir, `${name}.json`), JSON.stringify(flow))
  if (store === 'sqlite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'potok-wait-data-'))
    dirs.push(dataDir)
    return { FLOWS_DIR: flowsDir, DATA_DIR: dataDir }
  }
  const uri = process.env.MONGODB_URI!.replace(/\/?(\?|$)/, `/potok_wait_${randomBytes(4).toString('hex')}$1`)
  return { FLOWS_DIR: flowsDir, MONGODB_URI: uri }
}

async function accept(server: ChildServer, urlId: string, body: unknown): Promise<string> {
  const response = await fetch(`${server.base}/api/webrequest/${urlId}?async=true`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  expect(response.status).toBe(202)
  return response.headers.get('x-process-id')!
}

type Stored = { id: string; status: string; output: Record<string, any>; wakeAt?: string | null; steps: Array<{ nodeId: string; status: string }> }

const read = async (server: ChildServer, id: string): Promise<Stored> => (await server.api('GET', `/api/v1/processes/${id}`)).json()

async function allCompleted(server: ChildServer, ids: string[], ms: number): Promise<Stored[]> {
  const deadline = Date.now() + ms
  for (;;) {
    const records = await Promise.all(ids.map((id) => read(server, id)))
    if (records.every((p) => p.status === 'completed') || Date.now() > deadline) return records
    await sleep(250)
  }
}

/** The parent's result came from its one child, whose side effect ran `maxHits` times at most. */
async function expectDelivered(server: ChildServer, parents: Stored[], keys: string[], maxHits = 1): Promise<number> {
  let repeated = 0
  for (const [i, parent] of parents.entries()) {
    expect(parent.status).toBe('completed')
    expect(parent.output.got).toBe(i * 2)
    // The waiting node is one step of the parent, however often the parent parked and woke.
    expect(parent.steps.filter((s) => s.nodeId === 'call').map((s) => s.status)).toEqual(['completed'])
    expect(parent.steps.filter((s) => s.nodeId === 'end')).toHaveLength(1)
    const children = (await (await server.api('GET', `/api/v1/processes?parentId=${parent.id}&limit=10`)).json()).items
    expect(children.map((c: Stored) => c.status)).toEqual(['completed'])
    const count = hits.get(keys[i]!) ?? 0
    expect(count).toBeGreaterThanOrEqual(1)
    expect(count).toBeLessThanOrEqual(maxHits)
    repeated += count - 1
  }
  return repeated
}

const stores = ['sqlite', ...(process.env.MONGODB_URI ? ['mongodb'] : [])]
if (!process.env.MONGODB_URI) console.warn('[server] wait-child FerretDB cases skipped: MONGODB_URI is not set')

describe.each(stores)('waiting on a child holds no slot (%s)', (store) => {
  const parents = 40

  test(`${parents} parents waiting on slow children with ASYNC_CONCURRENCY=4 all complete; an instant process is not held behind them`, async () => {
    const env = { ...setup(store, 'PT0.5S'), ASYNC_CONCURRENCY: '4', ASYNC_LEASE_MS: '3000' }
    const server = await startChildServer(env)
    const keys = Array.from({ length: parents }, (_, n) => `${store}-slots-${n}`)
    const ids: string[] = []
    for (const [n, k] of keys.entries()) ids.push(await accept(server, 'parent', { k, n }))
    // Parked parents: queued, with a time to look again, while their children run.
    const deadline = Date.now() + 60_000
    let parked = 0
    while (parked < 4 && Date.now() < deadline) {
      parked = (await Promise.all(ids.map((id) => read(server, id)))).filter((p) => p.status === 'queued' && !!p.wakeAt).length
    }
    expect(parked).toBeGreaterThanOrEqual(4)
    const instant = await accept(server, 'instant', {})
    const quick = await allCompleted(server, [instant], 30_000)
    expect(quick[0]!.status).toBe('completed')
    // With each parent holding a slot for its child, the instant process would end behind most of them.
    const doneBefore = (await Promise.all(ids.map((id) => read(server, id)))).filter((p) => p.status === 'completed').length
    expect(doneBefore).toBeLessThan(parents / 2)
    const records = await allCompleted(server, ids, 180_000)
    expect(await expectDelivered(server, records, keys)).toBe(0)
    await server.kill()
  }, 240_000)

  test('nesting stays bounded: a scenario that starts itself fails with SUBPROCESS_DEPTH, its depth kept in each durable child', async () => {
    const server = await startChildServer({ ...setup(store, 'PT0.1S'), MAX_SUBPROCESS_DEPTH: '3' })
    const id = await accept(server, 'loop', {})
    const deadline = Date.now() + 60_000
    let top = await read(server, id)
    while (top.status !== 'failed' && Date.now() < deadline) {
      await sleep(200)
      top = await read(server, id)
    }
    expect(top.status).toBe('failed')
    expect((top as unknown as { error: { code: string } }).error.code).toBe('SUBPROCESS_DEPTH')
    // The top process and its descendants at depths 1, 2 and 3; the one at depth 3 could not start a fourth.
    let levels = 0
    for (let parent = id; ; ) {
      const children = (await (await server.api('GET', `/api/v1/processes?parentId=${parent}&limit=10`)).json()).items
      if (!children.length) break
      expect(children.map((c: Stored) => c.status)).toEqual(['failed'])
      levels++
      // Stored with the child, so the bound holds on whichever server runs it.
      expect(children[0].trigger).toMatchObject({ type: '$subProcess', id: parent, async: false, depth: levels })
      parent = children[0].id
    }
    expect(levels).toBe(3)
    await server.kill()
  }, 120_000)

  test("servers SIGKILLed while children end and parents wake: every parent completes once with its child's result", async () => {
    // Children park at their own timer too (1.2 s > the 1 s parking threshold).
    const env = { ...setup(store, 'PT1.2S'), ASYNC_CONCURRENCY: '8', ASYNC_LEASE_MS: '1500' }
    const count = store === 'sqlite' ? 30 : 12
    const keys = Array.from({ length: count }, (_, n) => `${store}-crash-${n}`)
    let server = await startChildServer(env)
    const ids: string[] = []
    for (const [n, k] of keys.entries()) ids.push(await accept(server, 'parent', { k, n }))
    // Kill at different moments: children starting, parked, ending; parents parking and waking.
    for (const after of [900, 1500, 1100, 1700]) {
      await sleep(after)
      await server.kill()
      server = await startChildServer(env)
    }
    const records = await allCompleted(server, ids, 180_000)
    // Only an activity cut mid-flight runs again (the child's web request): at most one per slot and kill.
    const repeated = await expectDelivered(server, records, keys, 5)
    expect(repeated).toBeLessThanOrEqual(4 * 8)
    expect((await (await server.api('GET', '/api/v1/processes?status=running&limit=200')).json()).items).toEqual([])
    await server.kill()
  }, 240_000)
})
