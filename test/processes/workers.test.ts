/**
 * A worker killed from outside (as a crash would) loses no acknowledged process: synchronous
 * callers still get their answer, every process accepted with 202 completes, exactly once.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { WorkerPool } from '../../processes/pool.ts'
import { FIXTURES, sleep, startServer, type TestServer } from '../server/helpers.ts'

const ticking = {
  id: 'ticking',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'a', type: 'setVariables', config: { assignments: [{ name: 'ticks', value: '1' }] } },
    { id: 'wait', type: 'timer', config: { pause: 'PT0.6S' } },
    {
      id: 'b',
      type: 'setVariables',
      config: {
        assignments: [
          { name: 'ticks', value: 'ticks + 1' },
          { name: '$body', value: '({ ticks })' },
        ],
      },
    },
    { id: 'end', type: 'end' },
  ],
  edges: [
    ['start', 'a'],
    ['a', 'wait'],
    ['wait', 'b'],
    ['b', 'end'],
  ].map(([from, to]) => ({ from, to })),
  webrequests: [{ urlId: 'ticking', name: 'Ticking' }],
}

let server: TestServer
beforeAll(async () => {
  server = await startServer({ workers: 2 }, { ...FIXTURES, ticking })
})
afterAll(async () => {
  await server?.close()
})

describe('worker pool', () => {
  test('a worker killed from outside loses no acknowledged process', async () => {
    const pool = server.context.runner as WorkerPool
    expect(pool.threadIds).toHaveLength(2)
    const sync = Array.from({ length: 6 }, () => server.call('/api/webrequest/ticking', { method: 'POST' }))
    const accepted = await Promise.all(Array.from({ length: 10 }, () => server.call('/api/webrequest/ticking?async=true', { method: 'POST' })))
    expect(accepted.map((r) => r.status)).toEqual(Array(10).fill(202))
    const ids = accepted.map((r) => r.headers.get('x-process-id')!)
    // Most processes are waiting in their timer now, in one worker or the other.
    await expect.poll(() => pool.load().reduce((sum, worker) => sum + worker.processes, 0)).toBeGreaterThanOrEqual(10)
    const [victim] = pool.load().sort((a, b) => b.processes - a.processes)
    expect(victim!.processes).toBeGreaterThan(0)
    await pool.terminateWorker(victim!.threadId)
    expect(pool.threadIds).not.toContain(victim!.threadId)

    const answers = await Promise.all(sync)
    for (const answer of answers) {
      expect(answer.status).toBe(200)
      expect(await answer.json()).toEqual({ ticks: 2 })
    }
    let records = await server.processes()
    for (let i = 0; i < 100 && ids.some((id) => records.find((p) => p.id === id)?.status !== 'completed'); i++) {
      await sleep(100)
      records = await server.processes()
    }
    for (const id of ids)
      expect(
        records.find((p) => p.id === id),
        id,
      ).toMatchObject({ status: 'completed', output: { ticks: 2 } })
    expect(records.filter((p) => p.scenario.id === 'ticking' && p.status !== 'completed')).toEqual([])
  })

  test('the pool serves on after the crash', async () => {
    const response = await server.call('/api/webrequest/greet', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"Ada","n":1}' })
    expect(response.status).toBe(201)
    expect(await response.json()).toEqual({ greeting: 'Hello, Ada', next: 2 })
  })
})
