/**
 * The endpoint (docs/server.md): the synchronous deadline (504, reset, async), `?async=true`, and the `respond`
 * component answering mid-flow — through real HTTP, with the records they leave in the store.
 */
import { afterAll, beforeAll, expect, test } from 'vitest'
import { errorOf, sleep, startServer, type TestServer } from './helpers.ts'

let server: TestServer
beforeAll(async () => {
  server = await startServer()
})
afterAll(async () => {
  await server?.close()
})

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await read()
    if (ok(value) || Date.now() > deadline) return value
    await sleep(25)
  }
}

test('a process past its timeoutMs → 504 with the standard error body; recorded interrupted with TIMEOUT', async () => {
  const started = Date.now()
  const response = await server.call('/api/webrequest/slow', { method: 'POST' })
  expect(Date.now() - started).toBeLessThan(1200)
  expect(response.status).toBe(504)
  const processId = response.headers.get('x-process-id')!
  const error = await errorOf(response)
  expect(error).toMatchObject({ code: 'TIMEOUT', processId })
  await server.processes()
  const record = (await server.store.getProcess(processId, { steps: true }))!
  expect(record.status).toBe('interrupted')
  expect(record.error?.code).toBe('TIMEOUT')
  expect(record.error?.nodeId).toBe('wait')
  expect(record.response?.status).toBe(504)
  expect(record.snapshot).toBeTruthy()
})

test('onTimeout "reset" drops the connection (Bpium\'s behaviour); the process is recorded interrupted', async () => {
  const before = new Set((await server.processes()).map((p) => p.id))
  const started = Date.now()
  await expect(server.call('/api/webrequest/slow-reset', { method: 'POST' })).rejects.toThrow()
  expect(Date.now() - started).toBeLessThan(1200)
  const records = (await server.processes()).filter((p) => !before.has(p.id))
  expect(records).toHaveLength(1)
  expect(records[0]).toMatchObject({ status: 'interrupted', error: { code: 'TIMEOUT' } })
})

test('onTimeout "async" answers 202 at the deadline and the process runs on to completion', async () => {
  const started = Date.now()
  const response = await server.call('/api/webrequest/slow-async', { method: 'POST' })
  expect(Date.now() - started).toBeLessThan(1200)
  expect(response.status).toBe(202)
  expect(await response.text()).toBe('')
  const processId = response.headers.get('x-process-id')!
  expect(processId).toMatch(/^[0-9a-f-]{36}$/)
  const running = await server.store.getProcess(processId)
  expect(running?.status).toBe('running')
  const done = await until(
    () => server.store.getProcess(processId),
    (p) => p?.status === 'completed',
    5000,
  )
  expect(done?.status).toBe('completed')
  expect(done?.output?.$body).toEqual({ waited: true })
})

test('a slow process within its timeout answers normally', async () => {
  const response = await server.call('/api/webrequest/slow-ok')
  expect(response.status).toBe(200)
  expect(await response.json()).toEqual({ waited: true })
})

test('?async=true and ?async=1: stored queued before the 202 (empty body, X-Process-Id), then run to completion', async () => {
  for (const flag of ['true', '1', 'TRUE']) {
    const response = await server.call(`/api/webrequest/greet?async=${flag}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Bo', n: 1 }) })
    expect(response.status).toBe(202)
    expect(await response.text()).toBe('')
    const processId = response.headers.get('x-process-id')!
    // The record exists the moment the caller has the 202.
    const stored = await server.store.getProcess(processId)
    expect(stored).not.toBeNull()
    expect(stored!.trigger).toEqual({ type: '$webRequest', id: 'greet', async: true })
    expect(stored!.input.event).toEqual({ id: 'greet', type: '$webRequest', async: true })
    const done = await until(
      () => server.store.getProcess(processId),
      (p) => p?.status === 'completed',
    )
    expect(done?.output?.$body).toEqual({ greeting: 'Hello, Bo', next: 2 })
  }
})

test('?async=true with a slow scenario answers at once', async () => {
  const started = Date.now()
  const response = await server.call('/api/webrequest/slow-ok/?async=true')
  expect(response.status).toBe(202)
  expect(Date.now() - started).toBeLessThan(1000)
  const processId = response.headers.get('x-process-id')!
  const done = await until(
    () => server.store.getProcess(processId),
    (p) => p?.status === 'completed',
    5000,
  )
  expect(done?.output?.$body).toEqual({ waited: true })
})

test('respond answers the caller mid-flow; the process goes on; the later answer is skipped', async () => {
  const started = Date.now()
  const response = await server.call('/api/webrequest/early', { method: 'POST' })
  const elapsed = Date.now() - started
  expect(response.status).toBe(202)
  expect(await response.json()).toEqual({ answered: 'early' })
  expect(elapsed).toBeLessThan(350)
  const processId = response.headers.get('x-process-id')!
  // On record before the early answer: readable, and listed as running until it ends.
  const read = await server.api('GET', `/api/v1/processes/${processId}`)
  expect(read.status).toBe(200)
  expect(await read.json()).toMatchObject({ id: processId, status: 'running', trigger: { async: false } })
  const runningNow = await (await server.api('GET', '/api/v1/processes?status=running&limit=100')).json()
  expect(runningNow.items.map((p: { id: string }) => p.id)).toContain(processId)
  const done = await until(
    () => server.processes().then((all) => all.find((p) => p.id === processId)),
    (p) => p?.status === 'completed',
    3000,
  )
  expect(done?.output?.after).toBe(true)
  expect(done?.response).toMatchObject({ status: 202, body: { answered: 'early' } })
})

test("sub-processes of a web request's process are recorded with parentId; an async child is queued durably and runs", async () => {
  const response = await server.call('/api/webrequest/sub-process', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
  expect(response.status).toBe(200)
  const parentId = response.headers.get('x-process-id')!
  const answer = await response.json()
  expect(answer.total).toBe(11)
  await server.processes()
  const syncChild = await server.store.getProcess(answer.childId)
  expect(syncChild).toMatchObject({ parentId, status: 'completed', trigger: { type: '$subProcess', id: parentId, async: false }, scenario: { id: 'sub-process-child' } })
  const asyncChild = await until(
    () => server.store.getProcess(answer.asyncChildId),
    (p) => p?.status === 'completed',
  )
  expect(asyncChild).toMatchObject({ parentId, trigger: { type: '$subProcess', id: parentId, async: true } })
})
