/**
 * When a synchronous process goes on record `running` (SYNC_RECORD_AFTER_MS): a process that
 * ends inside the window is written once, at its end; one that answers early through `respond`,
 * calls a host service (here: starts a sub-process) or starts an activity (an outgoing web
 * request), is on record before that happens. The
 * window is set far longer than any process here, so only those events can write the start.
 * (A process cut by a crash after the window is in crash.test.ts.)
 */
import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { FIXTURES, sleep, startServer, type TestServer } from './helpers.ts'

const start = { id: 'start', type: 'start' }
const end = { id: 'end', type: 'end' }
const chain = (...ids: string[]) => ids.slice(1).map((to, i) => ({ from: ids[i], to }))
const nap = { id: 'wait', type: 'timer', config: { pause: 'PT0.6S' } }

const fixtures = {
  ...FIXTURES,
  napping: {
    id: 'napping',
    nodes: [start, nap, { id: 'answer', type: 'setVariables', config: { assignments: [{ name: '$body', value: '({ napped: true })' }] } }, end],
    edges: chain('start', 'wait', 'answer', 'end'),
    webrequests: [{ urlId: 'napping', name: 'Napping', timeoutMs: 10_000 }],
  },
  'child-then-nap': {
    id: 'child-then-nap',
    nodes: [
      start,
      {
        id: 'child',
        type: 'subProcess',
        config: { scenario: "'sub-process-child'", inputs: '({ order: { lines: [{ price: 2, qty: 2 }] } })', mode: 'sync', resultTo: 'child', processIdTo: 'childId' },
      },
      nap,
      { id: 'answer', type: 'setVariables', config: { assignments: [{ name: '$body', value: '({ total: child.total, childId })' }] } },
      end,
    ],
    edges: chain('start', 'child', 'wait', 'answer', 'end'),
    webrequests: [{ urlId: 'child-then-nap', name: 'Child, then nap', timeoutMs: 10_000 }],
  },
}

Object.assign(fixtures, {
  outbound: {
    id: 'outbound',
    nodes: [
      start,
      { id: 'call', type: 'webRequest', config: { method: 'GET', url: 'body.target', responseFormat: 'json', timeoutMs: 5000, bodyTo: 'reply' } },
      { id: 'answer', type: 'setVariables', config: { assignments: [{ name: '$body', value: 'reply' }] } },
      end,
    ],
    edges: chain('start', 'call', 'answer', 'end'),
    webrequests: [{ urlId: 'outbound', name: 'Outbound', timeoutMs: 10_000 }],
  },
})

let server: TestServer
/** An outside service that answers with the processes potok lists as running when it is called. */
let upstream: Server
beforeAll(async () => {
  server = await startServer({ syncRecordAfterMs: 60_000 }, fixtures)
  upstream = createServer((_request, response) => {
    running().then((items) => response.end(JSON.stringify({ runningWhenCalled: items.map((p) => p.id) })))
  })
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
})
afterAll(async () => {
  await server?.close()
  upstream?.close()
})

const running = async () => (await (await server.api('GET', '/api/v1/processes?status=running&limit=100')).json()).items as Array<{ id: string; parentId?: string | null }>

test('a process that ends inside the window is written once, at its end: never listed running', async () => {
  const answer = server.call('/api/webrequest/napping', { method: 'POST' })
  const seen: number[] = []
  for (let i = 0; i < 8; i++) {
    seen.push((await running()).length)
    await sleep(50)
  }
  expect(seen).toEqual(Array(8).fill(0))
  const response = await answer
  expect(response.status).toBe(200)
  expect(await response.json()).toEqual({ napped: true })
  const record = await server.store.getProcess(response.headers.get('x-process-id')!, { steps: true })
  expect(record).toMatchObject({ status: 'completed', output: { $body: { napped: true } } })
  expect(record!.steps!.map((s) => s.nodeId)).toEqual(['start', 'wait', 'answer', 'end'])
  expect(Date.parse(record!.finishedAt!) - Date.parse(record!.startedAt)).toBeGreaterThanOrEqual(500)
})

test('an early answer (respond) is given only once the process is on record running', async () => {
  const response = await server.call('/api/webrequest/early', { method: 'POST' })
  expect(response.status).toBe(202)
  const id = response.headers.get('x-process-id')!
  const record = await (await server.api('GET', `/api/v1/processes/${id}`)).json()
  expect(record.status).toBe('running')
  for (;;) {
    const later = await server.store.getProcess(id)
    if (later?.status === 'completed') break
    await sleep(50)
  }
})

test('a host service call (a sub-process) puts the process on record first', async () => {
  const answer = server.call('/api/webrequest/child-then-nap', { method: 'POST' })
  let listed: Array<{ id: string }> = []
  for (let i = 0; i < 100 && !listed.length; i++) {
    listed = await running()
    if (!listed.length) await sleep(20)
  }
  expect(listed).toHaveLength(1)
  const response = await answer
  expect(response.status).toBe(200)
  const body = await response.json()
  expect(body.total).toBe(4)
  expect(listed[0].id).toBe(response.headers.get('x-process-id'))
  await server.processes()
  expect(await server.store.getProcess(body.childId)).toMatchObject({ parentId: listed[0].id, status: 'completed' })
})

test('an activity (an outgoing web request) starts only once the process is on record', async () => {
  const { port } = upstream.address() as { port: number }
  const response = await server.call('/api/webrequest/outbound', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ target: `http://127.0.0.1:${port}/` }) })
  expect(response.status).toBe(200)
  expect(await response.json()).toEqual({ runningWhenCalled: [response.headers.get('x-process-id')] })
})
