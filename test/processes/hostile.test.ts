/**
 * Hostile scenarios cannot stall the server (issue 10): while a builtin that never reaches
 * QuickJS's interrupt handler, a busy 5 000-step chain, a heavy regex and an out-of-memory
 * `code` run, /healthz and a trivial scenario keep answering; each hostile process ends with
 * its own error within its limit + 1 s; the server serves on. All through HTTP.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { WorkerPool } from '../../processes/pool.ts'
import { errorOf, FIXTURES, startServer, type TestServer } from '../server/helpers.ts'

const start = { id: 'start', type: 'start' }
const end = { id: 'end', type: 'end' }
const chain = (...ids: string[]) => ids.slice(1).map((to, i) => ({ from: ids[i], to }))
const assign = (id: string, assignments: Record<string, string>) => ({ id, type: 'setVariables', config: { assignments: Object.entries(assignments).map(([name, value]) => ({ name, value })) } })

const HOSTILE = {
  builtin: {
    id: 'builtin',
    nodes: [start, assign('spin', { x: '[].indexOf.call({ length: 2 ** 40 }, 1)' }), end],
    edges: chain('start', 'spin', 'end'),
    webrequests: [{ urlId: 'builtin', name: 'Builtin that never ends' }],
  },
  busy: {
    id: 'busy',
    nodes: [
      start,
      assign('init', { i: '0' }),
      { id: 'check', type: 'exclusiveGateway' },
      assign('work', { i: '(() => { let s = 0; for (let k = 0; k < 200000; k++) s += k; return i + 1 })()' }),
      assign('answer', { $body: '({ i })' }),
      end,
    ],
    edges: [
      ...chain('start', 'init', 'check'),
      { from: 'check', to: 'work', condition: 'i < 5000' },
      { from: 'check', to: 'answer', default: true },
      { from: 'work', to: 'check' },
      ...chain('answer', 'end'),
    ],
    webrequests: [{ urlId: 'busy', name: 'Busy chain', timeoutMs: 1500 }],
  },
  regex: {
    id: 'regex',
    nodes: [start, { id: 'parse', type: 'parser', config: { data: 'body.text', method: 'regex', query: '(a?){1000}a{1000}', return: 'all', saveTo: 'm' } }, end],
    edges: chain('start', 'parse', 'end'),
    webrequests: [{ urlId: 'regex', name: 'Heavy regex', timeoutMs: 1000 }],
  },
  oom: {
    id: 'oom',
    nodes: [start, assign('hog', { x: "(() => { const a = []; for (;;) a.push('x'.repeat(1 << 20) + a.length) })()" }), end],
    edges: chain('start', 'hog', 'end'),
    webrequests: [{ urlId: 'oom', name: 'Out of memory' }],
  },
}

let server: TestServer
const dataLimit = process.env.MAX_PROCESS_DATA_BYTES
beforeAll(async () => {
  // Room for a body big enough that the regex takes seconds (workers copy the environment).
  process.env.MAX_PROCESS_DATA_BYTES = String(16 * 2 ** 20)
  server = await startServer({ workers: 2, maxBodyBytes: 16 * 2 ** 20 }, { ...FIXTURES, ...HOSTILE })
})
afterAll(async () => {
  await server?.close()
  if (dataLimit === undefined) delete process.env.MAX_PROCESS_DATA_BYTES
  else process.env.MAX_PROCESS_DATA_BYTES = dataLimit
})

const greet = () => server.call('/api/webrequest/greet', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"Ada","n":1}' })

/** Runs `hostile`, probing /healthz and greet while it runs; timings of both. */
async function whileRunning(hostile: () => Promise<Response>) {
  // Each case starts with both workers and the started reserve (a replacement after the case
  // before may still be loading on a busy machine).
  await (server.context.runner as WorkerPool).atFullStrength()
  const began = performance.now()
  let ended = 0
  const running = hostile().then(async (response) => {
    ended = performance.now()
    return response
  })
  await new Promise((resolve) => setTimeout(resolve, 200))
  // Both at once, while the hostile process holds a worker.
  const probes = ended
    ? []
    : await Promise.all(
        (['healthz', 'greet'] as const).map(async (what) => {
          const t = performance.now()
          const response = await (what === 'healthz' ? server.call('/healthz') : greet())
          await response.arrayBuffer()
          return { what, status: response.status, ms: performance.now() - t, at: performance.now() }
        }),
      )
  const response = await running
  return { response, ms: ended - began, probes, ended }
}

/** The whole record (lists leave snapshots and large values out). */
async function processById(id: string | undefined) {
  await server.context.writes.flush()
  return (await server.store.getProcess(id!))!
}

function expectServedMeanwhile(run: Awaited<ReturnType<typeof whileRunning>>) {
  expect(run.probes.length).toBeGreaterThan(0)
  for (const probe of run.probes) {
    expect(probe.status, probe.what).toBe(probe.what === 'greet' ? 201 : 200)
    // Generous: each probe answered while the hostile process was still running.
    expect(probe.at, `${probe.what} answered in ${probe.ms.toFixed(0)} ms`).toBeLessThan(run.ended)
  }
}

describe('hostile processes run off the HTTP thread', () => {
  test('a builtin looping past the interrupt handler ends with EXPRESSION_TIMEOUT; the server answers meanwhile', async () => {
    const run = await whileRunning(() => server.call('/api/webrequest/builtin', { method: 'POST' }))
    expect(run.response.status).toBe(500)
    const error = await errorOf(run.response)
    expect(error.code).toBe('EXPRESSION_TIMEOUT')
    expect(run.ms).toBeLessThan(500 + 1000) // EXPRESSION_TIMEOUT_MS + 1 s
    expectServedMeanwhile(run)
    const record = await processById(error.processId)
    expect(record).toMatchObject({ status: 'interrupted', error: { code: 'EXPRESSION_TIMEOUT' } })

    // Resumable: cut in its first step, it starts over (as an asynchronous process, snapshots
    // after every step) and is cut again the same way.
    expect((await server.api('POST', `/api/v1/processes/${error.processId}/resume`)).status).toBe(202)
    let again = record
    const ended = (p: typeof record) => p?.finishedAt !== record!.finishedAt && p?.status !== 'queued' && p?.status !== 'running'
    for (let i = 0; i < 100 && !ended(again); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      again = await processById(error.processId)
    }
    expect(again).toMatchObject({ status: 'interrupted', error: { code: 'EXPRESSION_TIMEOUT' } })
    expect(again!.snapshot).toMatchObject({ status: 'active' })
  })

  test('a busy 5 000-step chain yields between steps and ends at its timeoutMs', async () => {
    const run = await whileRunning(() => server.call('/api/webrequest/busy', { method: 'POST' }))
    expect(run.response.status).toBe(504)
    expect((await errorOf(run.response)).code).toBe('TIMEOUT')
    expect(run.ms).toBeLessThan(1500 + 1000)
    expectServedMeanwhile(run)
  })

  test('a heavy regex over a big body is stopped at its timeoutMs from outside', async () => {
    const body = JSON.stringify({ text: 'a'.repeat(500_000) })
    const run = await whileRunning(() => server.call('/api/webrequest/regex', { method: 'POST', headers: { 'content-type': 'application/json' }, body }))
    const error = await errorOf(run.response)
    expect(error).toMatchObject({ code: 'TIMEOUT' })
    expect(run.response.status).toBe(504)
    expect(run.ms).toBeLessThan(1000 + 1000)
    expectServedMeanwhile(run)
    const record = await processById(error.processId)
    expect(record).toMatchObject({ status: 'interrupted', error: { code: 'TIMEOUT' } })
  })

  test('an out-of-memory expression fails alone with its own error within its limit', async () => {
    const run = await whileRunning(() => server.call('/api/webrequest/oom', { method: 'POST' }))
    const error = await errorOf(run.response)
    // Stopped by the sandbox itself (QuickJS's allocation fails) or, if the allocator holds the
    // thread past the deadline, by the supervisor: either way the error names memory.
    if (error.code === 'EXPRESSION_ERROR') expect(error.message).toBe('expression ran out of memory')
    else expect(error.code).toBe('MEMORY_LIMIT')
    expect(run.response.status).toBe(500)
    expect(run.ms).toBeLessThan(500 + 1000)
    expectServedMeanwhile(run)
  })

  test('the server keeps serving afterwards', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, greet))
    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(201))
    expect((await server.call('/healthz')).status).toBe(200)
  })
})
