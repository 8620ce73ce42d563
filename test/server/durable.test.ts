/**
 * Durable execution through HTTP: synchronous processes are on record while they run (listed,
 * cancellable), a timeout that degrades to async keeps its steps and start time, waiting on a
 * timer holds no executor slot, and every process that ends counts in the metrics.
 */
import { afterAll, beforeAll, expect, test } from 'vitest'
import { FIXTURES, errorOf, sleep, startServer, type TestServer } from './helpers.ts'

const start = { id: 'start', type: 'start' }
const end = { id: 'end', type: 'end' }
const chain = (...ids: string[]) => ids.slice(1).map((to, i) => ({ from: ids[i], to }))

const fixtures = {
  ...FIXTURES,
  nap: {
    id: 'nap',
    description: 'Waits 2 s on a timer, then answers.',
    nodes: [start, { id: 'wait', type: 'timer', config: { pause: 'PT2S' } }, { id: 'answer', type: 'setVariables', config: { assignments: [{ name: '$body', value: '({ napped: true })' }] } }, end],
    edges: chain('start', 'wait', 'answer', 'end'),
    webrequests: [{ urlId: 'nap', name: 'Nap', timeoutMs: 10_000 }],
  },
  instant: {
    id: 'instant',
    nodes: [start, { id: 'answer', type: 'setVariables', config: { assignments: [{ name: '$body', value: '({ ok: true })' }] } }, end],
    edges: chain('start', 'answer', 'end'),
    webrequests: [{ urlId: 'instant', name: 'Instant' }],
  },
}

let server: TestServer
beforeAll(async () => {
  server = await startServer({ asyncConcurrency: 2 }, fixtures)
})
afterAll(async () => {
  await server?.close()
})

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, ms = 8000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await read()
    if (ok(value)) return value
    if (Date.now() > deadline) throw new Error(`condition not reached in ${ms} ms: ${JSON.stringify(value)?.slice(0, 300)}`)
    await sleep(25)
  }
}

const running = async () => (await (await server.api('GET', '/api/v1/processes?status=running&limit=100')).json()).items as Array<{ id: string }>

test('a running synchronous process is listed as running and can be cancelled; the caller hears of it', async () => {
  const answer = server.call('/api/webrequest/nap', { method: 'POST' })
  const listed = await until(running, (items) => items.length > 0)
  const id = listed[0].id
  const cancelled = await server.api('POST', `/api/v1/processes/${id}/cancel`)
  expect(cancelled.status).toBe(200)
  const response = await answer
  expect(response.headers.get('x-process-id')).toBe(id)
  expect(response.status).toBe(500)
  expect((await errorOf(response)).code).toBe('CANCELLED')
  const record = await until(
    () => server.store.getProcess(id),
    (p) => p?.status === 'cancelled',
  )
  expect(record?.finishedAt).toBeTruthy()
})

test('a timeout that degrades to async keeps its start time and every step', async () => {
  const before = Date.now()
  const response = await server.call('/api/webrequest/slow-async', { method: 'POST' })
  expect(response.status).toBe(202)
  const id = response.headers.get('x-process-id')!
  const done = await until(
    () => server.store.getProcess(id, { steps: true }),
    (p) => p?.status === 'completed',
  )
  expect(Date.parse(done!.startedAt)).toBeLessThan(before + 150) // the request's start, not the hand-off at 200 ms
  expect(done!.steps!.map((s) => s.nodeId)).toEqual(['start', 'wait', 'answer', 'end'])
  expect(done!.durationMs).toBeGreaterThanOrEqual(1400)
})

test('processes waiting on a timer hold no executor slot: an instant process runs past them', async () => {
  // Two slots; four processes sleep 2 s each. Parked, they leave both slots free.
  const sleepers: string[] = []
  for (let i = 0; i < 4; i++) {
    const response = await server.call('/api/webrequest/nap?async=true', { method: 'POST' })
    expect(response.status).toBe(202)
    sleepers.push(response.headers.get('x-process-id')!)
  }
  const parked = await until(
    () => Promise.all(sleepers.map((id) => server.store.getProcess(id))),
    (all) => all.every((p) => p?.status === 'queued' && !!p.wakeAt),
  )
  for (const p of parked) expect(Date.parse(p!.wakeAt!)).toBeGreaterThan(Date.now())
  const quick = await server.call('/api/webrequest/instant?async=true', { method: 'POST' })
  const quickId = quick.headers.get('x-process-id')!
  await until(
    () => server.store.getProcess(quickId),
    (p) => p?.status === 'completed',
    3000,
  )
  // The sleepers were still waiting when it ended, then each woke and completed once.
  for (const id of sleepers) expect((await server.store.getProcess(id))?.status).toBe('queued')
  for (const id of sleepers) {
    const done = await until(
      () => server.store.getProcess(id, { steps: true }),
      (p) => p?.status === 'completed',
    )
    expect(done!.output).toMatchObject({ $body: { napped: true } })
    expect(done!.steps!.filter((s) => s.nodeId === 'end')).toHaveLength(1)
    expect(done!.steps!.filter((s) => s.nodeId === 'wait')).toHaveLength(1)
  }
})

test('asynchronous processes count in the process metrics', async () => {
  const response = await server.call('/api/webrequest/instant?async=1', { method: 'POST' })
  const id = response.headers.get('x-process-id')!
  await until(
    () => server.store.getProcess(id),
    (p) => p?.status === 'completed',
  )
  const metrics = await (await server.api('GET', '/metrics')).text()
  expect(metrics).toMatch(/potok_processes_total\{scenario="instant",status="completed"\} [1-9]/)
})
