/**
 * Processes are never lost: a server running asynchronous processes is killed with SIGKILL
 * mid-way; a new server on the same store finishes every one of them, each exactly once.
 * Synchronous processes cut by the kill are on record `interrupted` and can be resumed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { openStore } from '../../store/index.ts'
import { CHILD_TOKEN, killChildren, startChildServer } from './child.ts'

const TOKEN = CHILD_TOKEN
afterAll(() => killChildren())

const startChild = (env: Record<string, string>) => startChildServer(env)

const ticking = {
  id: 'ticking',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'a', type: 'setVariables', config: { assignments: [{ name: 'ticks', value: '1' }] } },
    { id: 't1', type: 'timer', config: { pause: 'PT0.4S' } },
    { id: 'b', type: 'setVariables', config: { assignments: [{ name: 'ticks', value: 'ticks + 1' }] } },
    { id: 't2', type: 'timer', config: { pause: 'PT0.4S' } },
    {
      id: 'c',
      type: 'setVariables',
      config: {
        assignments: [
          { name: 'ticks', value: 'ticks + 1' },
          { name: 'n', value: 'query.n' },
        ],
      },
    },
    { id: 'end', type: 'end' },
  ],
  edges: [
    ['start', 'a'],
    ['a', 't1'],
    ['t1', 'b'],
    ['b', 't2'],
    ['t2', 'c'],
    ['c', 'end'],
  ].map(([from, to]) => ({ from, to })),
  webrequests: [{ urlId: 'ticking', name: 'Ticking' }],
}

describe('crash: SIGKILL mid-way, a new server finishes every process exactly once', () => {
  test('50 asynchronous processes with timers survive a killed server', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'potok-crash-data-'))
    const flowsDir = mkdtempSync(join(tmpdir(), 'potok-crash-flows-'))
    writeFileSync(join(flowsDir, 'ticking.json'), JSON.stringify(ticking))
    const env = { DATA_DIR: dataDir, FLOWS_DIR: flowsDir, ASYNC_LEASE_MS: '1500', ASYNC_CONCURRENCY: '16' }

    const first = await startChild(env)
    const ids: string[] = []
    for (let n = 0; n < 50; n++) {
      const response = await fetch(`${first.base}/api/webrequest/ticking?async=true&n=${n}`, { method: 'POST' })
      expect(response.status).toBe(202)
      ids.push(response.headers.get('x-process-id')!)
    }
    await new Promise((r) => setTimeout(r, 600))
    await first.kill()

    const store = await openStore({ dataDir, mongodbUri: '' })
    const before = await store.listProcesses({ limit: 100 })
    expect(before.items.length).toBe(50)
    expect(before.items.filter((p) => p.status === 'completed').length).toBeLessThan(50)
    expect(before.items.some((p) => p.status === 'running')).toBe(true)
    await store.close()

    const second = await startChild(env)
    const deadline = Date.now() + 30_000
    let records: any[] = []
    for (;;) {
      const page = await (await fetch(`${second.base}/api/v1/processes?limit=100`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()
      records = page.items
      if (records.every((p) => p.status === 'completed') || Date.now() > deadline) break
      await new Promise((r) => setTimeout(r, 200))
    }
    expect(records.map((p) => p.status)).toEqual(Array(50).fill('completed'))
    expect(new Set(records.map((p) => p.id))).toEqual(new Set(ids))
    for (const id of ids) {
      const p = await (await fetch(`${second.base}/api/v1/processes/${id}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()
      expect(p.output.ticks).toBe(3)
      expect(p.steps.filter((s: { nodeId: string }) => s.nodeId === 'end')).toHaveLength(1)
      expect(p.steps.map((s: { index: number }) => s.index)).toEqual(p.steps.map((_: unknown, i: number) => i))
      expect(p.lease).toBeNull()
    }
    await second.kill()
  }, 90_000)

  test("synchronous processes cut by SIGKILL are on record interrupted and resumable; an early answer's process too", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'potok-crash-sync-data-'))
    const flowsDir = mkdtempSync(join(tmpdir(), 'potok-crash-sync-flows-'))
    const napping = {
      id: 'napping',
      nodes: [
        { id: 'start', type: 'start' },
        { id: 'first', type: 'setVariables', config: { assignments: [{ name: '$body', value: '({ early: true })' }] } },
        { id: 'maybe', type: 'exclusiveGateway' },
        { id: 'respond', type: 'respond' },
        { id: 'nap', type: 'timer', config: { pause: 'PT2S' } },
        { id: 'last', type: 'setVariables', config: { assignments: [{ name: '$body', value: '({ napped: true })' }] } },
        { id: 'end', type: 'end' },
      ],
      edges: [
        { from: 'start', to: 'first' },
        { from: 'first', to: 'maybe' },
        { from: 'maybe', to: 'respond', condition: "query.early === '1'" },
        { from: 'maybe', to: 'nap', default: true },
        { from: 'respond', to: 'nap' },
        { from: 'nap', to: 'last' },
        { from: 'last', to: 'end' },
      ],
      webrequests: [{ urlId: 'napping', name: 'Napping', timeoutMs: 10_000 }],
    }
    writeFileSync(join(flowsDir, 'napping.json'), JSON.stringify(napping))
    const env = { DATA_DIR: dataDir, FLOWS_DIR: flowsDir, ASYNC_LEASE_MS: '1500' }
    const first = await startChildServer(env)
    const cut = Array.from({ length: 6 }, () =>
      fetch(`${first.base}/api/webrequest/napping`, { method: 'POST' }).then(
        (r) => r.status,
        () => 'cut',
      ),
    )
    const early = await fetch(`${first.base}/api/webrequest/napping?early=1`, { method: 'POST' })
    expect(early.status).toBeLessThan(300)
    expect(await early.json()).toEqual({ early: true })
    const earlyId = early.headers.get('x-process-id')!
    await new Promise((r) => setTimeout(r, 300))
    await first.kill()
    expect(await Promise.all(cut)).toEqual(Array(6).fill('cut'))

    const second = await startChildServer(env)
    const auth = { authorization: `Bearer ${CHILD_TOKEN}` }
    let records: Array<{ id: string; status: string; error?: { code: string } }> = []
    const deadline = Date.now() + 20_000
    for (;;) {
      records = (await (await fetch(`${second.base}/api/v1/processes?scenarioId=napping&limit=100`, { headers: auth })).json()).items
      if (records.length === 7 && records.every((p) => p.status === 'interrupted')) break
      if (Date.now() > deadline) throw new Error(`not all interrupted: ${JSON.stringify(records.map((p) => p.status))}`)
      await new Promise((r) => setTimeout(r, 200))
    }
    for (const record of records) expect(record.error?.code).toBe('SERVER_LOST')
    expect(records.map((p) => p.id)).toContain(earlyId)

    // Resumable: the early-answered one runs again and completes.
    const resumed = await fetch(`${second.base}/api/v1/processes/${earlyId}/resume`, { method: 'POST', headers: auth })
    expect(resumed.status).toBe(202)
    for (;;) {
      const p = await (await fetch(`${second.base}/api/v1/processes/${earlyId}`, { headers: auth })).json()
      if (p.status === 'completed') {
        expect(p.output.$body).toEqual({ napped: true })
        break
      }
      if (Date.now() > deadline + 10_000) throw new Error(`not resumed: ${p.status}`)
      await new Promise((r) => setTimeout(r, 200))
    }
    await second.kill()
  }, 60_000)
})
