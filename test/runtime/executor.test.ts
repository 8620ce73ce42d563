import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer } from 'node:http'
import { afterEach, describe, expect, test } from 'vitest'
import { PotokError } from '../../runtime/errors.ts'
import { ProcessExecutor } from '../../processes/executor.ts'
import { openStore } from '../../store/index.ts'
import type { ProcessStore } from '../../store/port.ts'
import { loadFlow, scenario, set } from './helpers.ts'

const stores: ProcessStore[] = []
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()))
})

async function freshStore(dir = mkdtempSync(join(tmpdir(), 'potok-exec-'))) {
  const store = await openStore({ dataDir: dir, mongodbUri: '' })
  stores.push(store)
  return { store, dir }
}

async function until<T>(check: () => Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > deadline) throw new Error('condition not reached in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}

const trigger = { type: '$webRequest', id: 'wr', async: true } as const

describe('ProcessExecutor', () => {
  test('a queued process is stored before enqueue resolves, then runs with a snapshot after every step', async () => {
    const { store } = await freshStore()
    const version = await store.saveScenario(loadFlow('timer'))
    const executor = new ProcessExecutor(store, { pollMs: 50 })
    const id = await executor.enqueue({ scenario: version, input: {}, trigger })
    expect((await store.getProcess(id))?.status).toMatch(/queued|running/)
    executor.start()
    const done = await until(async () => {
      const p = await store.getProcess(id, { steps: true })
      return p?.status === 'completed' && p
    })
    expect(done.steps!.map((s) => [s.nodeId, s.status])).toEqual([
      ['start', 'completed'],
      ['before', 'completed'],
      ['pause', 'completed'],
      ['after', 'completed'],
      ['end', 'completed'],
    ])
    expect((done.output as any).$body.waitedMs).toBeGreaterThanOrEqual(195)
    expect(done.lease).toBeNull()
    expect(done.durationMs).toBeGreaterThanOrEqual(195)
    await executor.stop()
  })

  test('stop() hands running processes back as queued; another executor resumes them, each once', async () => {
    const { store } = await freshStore()
    const slow = scenario(
      [{ id: 's', type: 'start' }, set('a', { n: '1' }), { id: 't', type: 'timer', config: { pause: 'PT0.4S' } }, set('b', { n: 'n + 1' }), { id: 'e', type: 'end' }],
      ['s>a', 'a>t', 't>b', 'b>e'],
    )
    const version = await store.saveScenario(slow)
    const first = new ProcessExecutor(store, { pollMs: 50, concurrency: 4 })
    first.start()
    const ids = await Promise.all(Array.from({ length: 10 }, () => first.enqueue({ scenario: version, input: {}, trigger })))
    await until(async () => (await store.listProcesses({ status: 'running' })).items.length >= 4)
    await first.stop()
    const handedBack = await store.listProcesses({ status: 'queued', limit: 100 })
    expect(handedBack.items.length).toBe(10)
    const second = new ProcessExecutor(store, { pollMs: 50, concurrency: 16 })
    const started = Date.now()
    second.start()
    await until(async () => (await store.listProcesses({ status: 'completed', limit: 100 })).items.length === 10)
    for (const id of ids) {
      const p = await store.getProcess(id, { steps: true })
      expect(p?.output).toMatchObject({ n: 2 })
      expect(p!.steps!.filter((s) => s.nodeId === 'e')).toHaveLength(1)
    }
    expect(Date.now() - started).toBeLessThan(5000)
    await second.stop()
  })

  test('a process whose lease expired (its server died) is claimed and resumed by another', async () => {
    const { store } = await freshStore()
    const version = await store.saveScenario(loadFlow('timer'))
    const dead = new ProcessExecutor(store, { pollMs: 20, leaseMs: 300 })
    const id = await dead.enqueue({ scenario: version, input: {}, trigger })
    // Claimed by a server that then dies: no heartbeat, no final write.
    const claimed = await store.claimProcesses('dead-server', 300, 10)
    expect(claimed.map((p) => p.id)).toEqual([id])
    const alive = new ProcessExecutor(store, { pollMs: 50, leaseMs: 300 })
    alive.start()
    const done = await until(async () => {
      const p = await store.getProcess(id)
      return p?.status === 'completed' && p
    })
    expect(done.lease).toBeNull()
    await alive.stop()
  })

  test('a failing process is stored failed with its error and a resumable snapshot', async () => {
    const { store } = await freshStore()
    const version = await store.saveScenario(scenario([{ id: 's', type: 'start' }, set('a', { x: 'nope' }), { id: 'e', type: 'end' }], ['s>a', 'a>e']))
    const executor = new ProcessExecutor(store, { pollMs: 50 })
    executor.start()
    const id = await executor.enqueue({ scenario: version, input: {}, trigger })
    const failed = await until(async () => {
      const p = await store.getProcess(id)
      return p?.status === 'failed' && p
    })
    expect(failed.error).toMatchObject({ code: 'UNDEFINED_VARIABLE', nodeId: 'a' })
    expect((failed.snapshot as { value: unknown }).value).toBe('failed')
    await executor.stop()
  })
  test('a commit that timed out is tried again while the lease holds: no step record is lost, no activity runs twice', async () => {
    const { store } = await freshStore()
    let hits = 0
    const counter = createServer((_req, res) => {
      hits++
      res.end('{}')
    })
    await new Promise<void>((resolve) => counter.listen(0, '127.0.0.1', resolve))
    const url = `'http://127.0.0.1:${(counter.address() as { port: number }).port}/'`
    const flow = scenario(
      [
        { id: 's', type: 'start' },
        { id: 'hit', type: 'webRequest', config: { method: 'POST', url, timeoutMs: 5000 } },
        { id: 't', type: 'timer', config: { pause: 'PT0.05S' } },
        { id: 'e', type: 'end' },
      ],
      ['s>hit', 'hit>t', 't>e'],
    )
    // The commit after the web request times out once (the store was slow for a moment).
    let failed = false
    const flaky = new Proxy(store, {
      get(target, key) {
        const value = Reflect.get(target, key, target)
        if (key !== 'commitProcess') return typeof value === 'function' ? value.bind(target) : value
        return async (...args: Parameters<ProcessStore['commitProcess']>) => {
          if (!failed && args[3]?.some((step) => step.nodeId === 'hit' && step.status === 'completed')) {
            failed = true
            throw new PotokError('STORE_TIMEOUT', 'the store did not answer commitProcess in time', { status: 503 })
          }
          return target.commitProcess(...args)
        }
      },
    })
    const executor = new ProcessExecutor(flaky, { pollMs: 50, leaseMs: 600 })
    const id = await executor.enqueue({ scenario: await store.saveScenario(flow), input: {}, trigger })
    executor.start()
    await until(async () => (await store.getProcess(id))?.status === 'completed')
    // Long enough for a lease left behind to expire and the process to be claimed again.
    await new Promise((r) => setTimeout(r, 1_000))
    await executor.stop()
    counter.close()
    expect(failed).toBe(true)
    expect(hits).toBe(1)
    // The retried commit carried the web request's step record: none is lost with the timeout.
    const steps = (await store.getProcess(id, { steps: true }))!.steps!.map((step) => [step.nodeId, step.status])
    expect(steps).toEqual([
      ['s', 'completed'],
      ['hit', 'completed'],
      ['t', 'completed'],
      ['e', 'completed'],
    ])
  })
})
