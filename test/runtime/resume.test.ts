import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { childProcessService } from '../../runtime/children.ts'
import { resumeProcess, startProcess } from '../../runtime/process.ts'
import { SqliteStore } from '../../store/sqlite.ts'
import type { PersistUpdate, ProcessResult, RuntimeServices, Variables } from '../../runtime/types.ts'
import { loadFlows } from '../../server/flows.ts'
import { processServices } from '../../server/serve.ts'
import { manualClock } from '../clock.ts'
import { flowNames, loadFlow, scenario, set } from './helpers.ts'

/** Variables that depend on the clock or on ids, left out of comparisons. */
const VOLATILE = new Set(['startedAt', 'waitedMs', 'childId', 'asyncChildId', 'date', 'createdAt', 'updatedAt', 'archive', 'file'])

/**
 * Flows with data actions write records, which is not undone when a process is resumed: each
 * run (the whole one, and each resumed one) gets a fresh store loaded from flows/ (its catalogs
 * and seed records), so every run starts from the same data.
 */
const RECORD_TYPES = new Set(['getRecord', 'findRecords', 'createRecord', 'updateRecord', 'deleteRecord', 'catalogStructure', 'fileUpload'])
const stores: SqliteStore[] = []
afterAll(async () => {
  for (const store of stores) await store.close()
})
async function freshServices(name: string, services: RuntimeServices): Promise<RuntimeServices> {
  if (!loadFlow(name).nodes.some((n) => RECORD_TYPES.has(n.type))) return services
  const store = new SqliteStore({ filename: ':memory:' })
  await store.init()
  stores.push(store)
  await loadFlows(store, fileURLToPath(new URL('../../flows/', import.meta.url)))
  return { ...processServices(store), startChild: services.startChild }
}
const timeless = (vars: Variables) => JSON.parse(JSON.stringify(vars, (key, value) => (VOLATILE.has(key) ? undefined : value)))

/** A local stand-in for the endpoint web-request.json calls. */
let upstream: Server
let upstreamUrl = ''
beforeAll(async () => {
  upstream = createServer((req, res) => {
    res.writeHead(201, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ greeting: 'Hello', path: req.url }))
  })
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/api/webrequest/greet`
})
afterAll(() => new Promise<void>((resolve) => upstream.close(() => resolve())))

/** Input for each example, and the services it needs (children come from flows/). */
function exampleRun(name: string): { input: Variables; services: RuntimeServices } {
  const input: Record<string, Variables> = {
    greet: { body: { name: 'Ada', n: 1 } },
    loop: { n: 4 },
    'error-boundary': { body: { price: 2, qty: 3 } },
    'web-request': { body: { name: 'Ada' }, greetUrl: upstreamUrl },
    'sub-process-child': { order: { lines: [{ price: 2, qty: 3 }] } },
    // A race's winner depends on the clock (a resumed timer has less left to wait): only one branch arrives here.
    'first-answer': { body: { delayMs: 500 } },
    'web-form': { body: { 2: 'Ада', 3: '+7 900 000-00-01', 5: 'В работе', 8: '10,5' } },
    'lead-closed': { catalogId: '48', recordId: '1', values: { 5: ['3'] }, allValues: { 2: 'Анна (пример)', 5: ['3'], 7: null } },
    'lead-find': { query: { phone: '901 234' } },
    'lead-archive': { body: { recordId: '1' } },
  }
  const services = { startChild: childProcessService({ loadScenario: async (id) => (flowNames().includes(id) ? loadFlow(id) : null) }) }
  return { input: input[name] ?? { body: {} }, services }
}

describe('resume from a snapshot taken after every step', () => {
  test.each(flowNames())('%s finishes the same as an uninterrupted run', async (name) => {
    const { input, services } = exampleRun(name)
    const updates: PersistUpdate[] = []
    const whole = await startProcess(loadFlow(name), input, {
      services: await freshServices(name, services),
      persist: (u) => {
        updates.push(JSON.parse(JSON.stringify(u)))
      },
    })
    expect(whole.status).toBe('completed')
    const resumable = updates.filter((u) => (u.snapshot as { status: string }).status === 'active')
    // Durable mode persists once per step: every step record appears in some update.
    expect(new Set(updates.flatMap((u) => u.steps.map((s) => s.index))).size).toBe(whole.steps.length)
    expect(resumable.length).toBeGreaterThanOrEqual(whole.steps.length - 1)
    for (const update of resumable) {
      const resumed: ProcessResult = await resumeProcess(loadFlow(name), update.snapshot, { services: await freshServices(name, services) })
      expect(resumed.status).toBe('completed')
      expect(resumed.processId).toBe(whole.processId)
      expect(timeless(resumed.output)).toEqual(timeless(whole.output))
    }
  })

  test('a restored timer waits only the rest of its pause', async () => {
    const updates: PersistUpdate[] = []
    const first = manualClock()
    try {
      const whole = startProcess(
        loadFlow('timer'),
        {},
        {
          persist: (u) => {
            updates.push(JSON.parse(JSON.stringify(u)))
          },
        },
      )
      await expect.poll(() => updates.length).toBeGreaterThan(1)
      await first.advance(200)
      expect((await whole).status).toBe('completed')
    } finally {
      first.restore()
    }
    const waiting = updates.find((u) => JSON.stringify((u.snapshot as { value: unknown }).value).includes('s2'))!
    const deadline = (waiting.snapshot as { context: { deadlines: Record<string, number> } }).context.deadlines.pause
    // The server comes back with half the pause gone: the timer waits the other half, not 200 ms again.
    const later = manualClock(deadline - 100)
    try {
      const resumed = resumeProcess(loadFlow('timer'), waiting.snapshot)
      await later.advance(99)
      expect(await Promise.race([resumed.then(() => 'ended'), new Promise((r) => setTimeout(r, 50, 'waiting'))])).toBe('waiting')
      await later.advance(1)
      expect((await resumed).status).toBe('completed')
    } finally {
      later.restore()
    }
  })

  test('resuming a failed process re-runs the step that failed', async () => {
    const s = scenario(
      [{ id: 's', type: 'start' }, set('a', { first: '1' }), set('b', { second: "typeof fixed === 'undefined' ? missing : first + 1" }), { id: 'e', type: 'end' }],
      ['s>a', 'a>b', 'b>e'],
    )
    const failed = await startProcess(s, {})
    expect(failed.status).toBe('failed')
    expect(failed.error).toMatchObject({ code: 'UNDEFINED_VARIABLE', nodeId: 'b' })
    // The same failure again without a change…
    const again = await resumeProcess(s, failed.snapshot)
    expect(again.error?.code).toBe('UNDEFINED_VARIABLE')
    // …and with the data fixed the failed step runs again and the process completes.
    const snapshot = JSON.parse(JSON.stringify(failed.snapshot))
    snapshot.context.vars.fixed = true
    const resumed = await resumeProcess(s, snapshot)
    expect(resumed.error).toBeNull()
    expect(resumed.status).toBe('completed')
    expect(resumed.output).toMatchObject({ first: 1, second: 2 })
    expect(resumed.steps.map((step) => step.nodeId)).toEqual(['b', 'e'])
  })

  test('resuming an ended process is refused', async () => {
    const whole = await startProcess(loadFlow('greet'), { body: { name: 'A', n: 1 } })
    await expect(resumeProcess(loadFlow('greet'), whole.snapshot)).rejects.toMatchObject({ code: 'INVALID_SNAPSHOT' })
    await expect(resumeProcess(loadFlow('greet'), { nope: true })).rejects.toMatchObject({ code: 'INVALID_SNAPSHOT' })
  })
})
