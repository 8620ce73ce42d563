/**
 * The worker pool through its `ProcessRunner` interface: host services are proxied by name
 * (arguments, results, AbortSignals and PotokErrors cross), aborts carry their code, and a
 * durable run's snapshots are acknowledged one by one.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { WorkerPool } from '../../processes/pool.ts'
import { PotokError } from '../../runtime/errors.ts'
import { startProcess } from '../../runtime/process.ts'
import { registerComponents } from '../../components/index.ts'
import type { ChildProcessRequest, PersistUpdate, Scenario } from '../../runtime/types.ts'

const start = { id: 'start', type: 'start' }
const end = { id: 'end', type: 'end' }
const child = (mode: 'sync' | 'async' = 'sync') => ({ id: 'child', type: 'subProcess', config: { scenario: "'kid'", inputs: [{ name: 'n', value: 'n' }], mode, resultTo: 'result' } })
const parent: Scenario = {
  id: 'parent',
  version: 1,
  nodes: [start, child(), { id: 'after', type: 'setVariables', config: { assignments: [{ name: 'doubled', value: 'result.n * 2' }] } }, end],
  edges: [
    { from: 'start', to: 'child' },
    { from: 'child', to: 'after' },
    { from: 'after', to: 'end' },
  ],
}
const waiting: Scenario = {
  id: 'waiting',
  version: 1,
  nodes: [start, { id: 'wait', type: 'timer', config: { pause: 'PT5S' } }, end],
  edges: [
    { from: 'start', to: 'wait' },
    { from: 'wait', to: 'end' },
  ],
}

let pool: WorkerPool
beforeAll(async () => {
  registerComponents()
  pool = new WorkerPool({ size: 2 })
  await pool.ready()
})
afterAll(async () => {
  await pool?.close()
})

describe('worker pool', () => {
  test("a result from a worker arrives as one thread makes it: output keys in order, a __proto__ variable kept, the snapshot's variables the output itself", async () => {
    const edit: Scenario = {
      id: 'edit',
      version: 1,
      nodes: [
        start,
        {
          id: 'vars',
          type: 'setVariables',
          config: {
            assignments: [
              { name: 'body.name', value: "'Bob'" },
              { name: '$status', value: '201' },
              { name: 'added', value: '[1, { x: null }]' },
            ],
          },
        },
        end,
      ],
      edges: [
        { from: 'start', to: 'vars' },
        { from: 'vars', to: 'end' },
      ],
    }
    const input = JSON.parse('{"headers":{"a":"1"},"body":{"name":"Ann","n":1},"__proto__":{"kept":true},"query":{}}')
    const pooled = await pool.start(edit, input)
    const alone = await startProcess(edit, JSON.parse(JSON.stringify(input)), { processId: pooled.processId })
    expect(JSON.stringify(pooled.output)).toBe(JSON.stringify(alone.output))
    expect(Object.keys(pooled.output)).toEqual(['headers', 'body', '__proto__', 'query', '$status', 'added'])
    expect(Object.getPrototypeOf(pooled.output)).toBe(Object.prototype)
    expect(pooled.snapshot).toEqual(alone.snapshot)
    // The snapshot's variables are the output, as the engine made them (the store keeps them once).
    expect((pooled.snapshot as { context: { vars: unknown } }).context.vars).toBe(pooled.output)
  })

  test("a host service runs on this thread with the worker's arguments; its value goes back", async () => {
    const calls: ChildProcessRequest[] = []
    let signal: AbortSignal | undefined
    const result = await pool.start(
      parent,
      { n: 21 },
      {
        services: {
          startChild: async (request, s) => {
            calls.push(request)
            signal = s
            return { processId: 'kid-1', status: 'completed', output: { n: request.input.n } }
          },
        },
      },
    )
    expect(result).toMatchObject({ status: 'completed', output: { doubled: 42, result: { n: 21 } } })
    expect(calls).toEqual([{ scenarioId: 'kid', input: { n: 21 }, mode: 'sync', parent: { id: result.processId, scenarioId: 'parent', scenarioVersion: 1, depth: 0 } }])
    expect(signal).toBeInstanceOf(AbortSignal)
  })

  test("a service's PotokError reaches the process with its code and details", async () => {
    const result = await pool.start(
      parent,
      { n: 1 },
      {
        services: {
          startChild: async () => {
            throw new PotokError('QUOTA_EXCEEDED', 'no more children today', { details: { limit: 3 } })
          },
        },
      },
    )
    expect(result.status).toBe('failed')
    expect(result.error).toMatchObject({ code: 'QUOTA_EXCEEDED', message: 'no more children today', nodeId: 'child', details: { limit: 3 } })
  })

  test("aborting the process aborts the signal its service call holds, with the reason's code", async () => {
    const controller = new AbortController()
    let aborted: unknown
    const running = pool.start(
      parent,
      { n: 1 },
      {
        signal: controller.signal,
        services: {
          startChild: (_request, signal) =>
            new Promise((_resolve, reject) => {
              signal.addEventListener('abort', () => {
                aborted = signal.reason
                reject(signal.reason)
              })
              setTimeout(() => controller.abort(new PotokError('CANCELLED', 'the process was cancelled')), 50)
            }),
        },
      },
    )
    const result = await running
    expect(result).toMatchObject({ status: 'cancelled', error: { code: 'CANCELLED' } })
    for (let i = 0; i < 50 && !aborted; i++) await new Promise((resolve) => setTimeout(resolve, 20))
    expect(aborted).toBeInstanceOf(PotokError)
  })

  test('a durable run waits for each snapshot to be stored before its next step', async () => {
    const stored: PersistUpdate[] = []
    let writing = 0
    const result = await pool.start(
      parent,
      { n: 2 },
      {
        services: { startChild: async (request) => ({ processId: 'k', status: 'completed', output: { n: request.input.n } }) },
        persist: async (update) => {
          expect(writing).toBe(0)
          writing++
          await new Promise((resolve) => setTimeout(resolve, 20))
          stored.push(update)
          writing--
        },
      },
    )
    expect(result.status).toBe('completed')
    expect(stored.map((u) => u.status).at(-1)).toBe('completed')
    expect(stored.length).toBeGreaterThanOrEqual(4)
    expect(
      stored
        .flatMap((u) => u.steps)
        .filter((s) => s.status === 'completed')
        .map((s) => s.nodeId),
    ).toEqual(['start', 'child', 'after', 'end'])
  })

  test('a timeout ends a waiting process in its worker, resumable from its snapshot', async () => {
    const result = await pool.start(waiting, {}, { timeoutMs: 100, persist: async () => {} })
    expect(result).toMatchObject({ status: 'interrupted', error: { code: 'TIMEOUT' } })
    expect(result.snapshot).toMatchObject({ status: 'active' })
    const resumed = await pool.resume(waiting, result.snapshot, { timeoutMs: 100 })
    expect(resumed).toMatchObject({ processId: result.processId, status: 'interrupted' })
  })
})
