import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { manualClock } from '../clock.ts'
import { errorOf, sleep, startServer, type TestServer } from './helpers.ts'

let server: TestServer
beforeAll(async () => {
  server = await startServer()
})
afterAll(async () => {
  await server?.close()
})

const greet = (name: string) => server.call('/api/webrequest/greet', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, n: 1 }) })

async function waitFor(id: string, statuses: string[], ms = 10_000) {
  const deadline = Date.now() + ms
  for (;;) {
    const response = await server.api('GET', `/api/v1/processes/${id}`)
    const record = await response.json()
    if (statuses.includes(record.status)) return record
    if (Date.now() > deadline) throw new Error(`process ${id} is ${record.status}, not ${statuses.join('/')}`)
    await sleep(30)
  }
}

describe('/api/v1/processes', () => {
  test('lists newest first with filters and cursor pages; one process comes with its steps', async () => {
    const ids: string[] = []
    for (const name of ['a', 'b', 'c']) ids.push((await greet(name)).headers.get('x-process-id')!)
    await server.context.writes.flush()

    const first = await (await server.api('GET', '/api/v1/processes?scenarioId=greet&limit=2')).json()
    expect(first.items.map((p: { id: string }) => p.id)).toEqual([ids[2], ids[1]])
    expect(first.nextCursor).toEqual(expect.any(String))
    const second = await (await server.api('GET', `/api/v1/processes?scenarioId=greet&limit=2&cursor=${encodeURIComponent(first.nextCursor)}`)).json()
    expect(second.items.map((p: { id: string }) => p.id)).toEqual([ids[0]])
    expect(second.nextCursor).toBeNull()

    const completed = await (await server.api('GET', '/api/v1/processes?status=completed,failed&triggerId=greet')).json()
    expect(completed.items.length).toBe(3)
    const future = await (await server.api('GET', `/api/v1/processes?from=${new Date(Date.now() + 60_000).toISOString()}`)).json()
    expect(future.items).toEqual([])

    const one = await (await server.api('GET', `/api/v1/processes/${ids[0]}`)).json()
    expect(one).toMatchObject({
      id: ids[0],
      status: 'completed',
      scenario: { id: 'greet', version: 1 },
      trigger: { type: '$webRequest', async: false },
      input: { body: { name: 'a', n: 1 }, method: 'POST' },
      output: { $body: { greeting: 'Hello, a', next: 2 } },
      response: { status: 201 },
    })
    expect(one.steps.map((s: { nodeId: string }) => s.nodeId)).toEqual(['start', 'vars', 'end'])
    expect(one.steps[1].writes.map((w: { path: string }) => w.path)).toEqual(['$status', '$headers', '$body'])
  })

  test('bad filters and unknown processes are clear errors; no token, no access', async () => {
    expect((await errorOf(await server.api('GET', '/api/v1/processes?status=done'))).code).toBe('BAD_REQUEST')
    expect((await errorOf(await server.api('GET', '/api/v1/processes?from=yesterday'))).code).toBe('BAD_REQUEST')
    expect((await errorOf(await server.api('GET', '/api/v1/processes?cursor=nope'))).code).toBe('INVALID_CURSOR')
    const missing = await server.api('GET', '/api/v1/processes/nope')
    expect(missing.status).toBe(404)
    expect((await server.api('GET', '/api/v1/processes', undefined, null)).status).toBe(401)
    expect((await server.api('POST', '/api/v1/processes/x/cancel', undefined, 'wrong')).status).toBe(401)
  })

  test('replay runs the same input against the original version or the current one', async () => {
    const id = (await greet('Ada')).headers.get('x-process-id')!
    await server.context.writes.flush()
    const stored = await (await server.api('GET', '/api/v1/scenarios/greet')).json()
    const changed = structuredClone(stored.scenario)
    changed.nodes[1].config.assignments[2].value = "({ greeting: 'Hi, ' + body.name })"
    expect((await server.api('PUT', '/api/v1/scenarios/greet', changed)).status).toBe(200)

    const original = await server.api('POST', `/api/v1/processes/${id}/replay`, { version: 'original' })
    expect(original.status).toBe(201)
    const originalRecord = await original.json()
    expect(originalRecord).toMatchObject({ replayOf: id, scenario: { id: 'greet', version: 1 } })
    const current = await (await server.api('POST', `/api/v1/processes/${id}/replay`, { version: 'current' })).json()
    expect(current.scenario.version).toBe(2)
    const noBody = await (await server.api('POST', `/api/v1/processes/${id}/replay`)).json()
    expect(noBody.scenario.version).toBe(1)

    expect((await waitFor(originalRecord.id, ['completed'])).output.$body).toEqual({ greeting: 'Hello, Ada', next: 2 })
    expect((await waitFor(current.id, ['completed'])).output.$body).toEqual({ greeting: 'Hi, Ada' })
    expect((await errorOf(await server.api('POST', `/api/v1/processes/${id}/replay`, { version: 'newest' }))).code).toBe('BAD_REQUEST')
    await server.api('PUT', '/api/v1/scenarios/greet', stored.scenario)
  })

  test('resume continues an interrupted process from its snapshot', async () => {
    const timedOut = await server.call('/api/webrequest/slow')
    expect(timedOut.status).toBe(504)
    const id = timedOut.headers.get('x-process-id')!
    const interrupted = await waitFor(id, ['interrupted'])
    expect(interrupted.error.code).toBe('TIMEOUT')
    const resumed = await server.api('POST', `/api/v1/processes/${id}/resume`)
    expect(resumed.status).toBe(202)
    const done = await waitFor(id, ['completed'])
    expect(done.output.$body).toEqual({ waited: true })
    expect(done.error).toBeNull()
    expect((await errorOf(await server.api('POST', `/api/v1/processes/${id}/resume`))).code).toBe('NOT_RESUMABLE')
  })

  test('resume re-runs the failed step of a failed process', async () => {
    const failed = await server.call('/api/webrequest/fail')
    expect(failed.status).toBe(500)
    const id = failed.headers.get('x-process-id')!
    await waitFor(id, ['failed'])
    expect((await server.api('POST', `/api/v1/processes/${id}/resume`)).status).toBe(202)
    const again = await waitFor(id, ['failed'])
    expect(again.error).toMatchObject({ code: 'UNDEFINED_VARIABLE', nodeId: 'boom' })
    expect(again.steps.filter((s: { nodeId: string }) => s.nodeId === 'boom').length).toBeGreaterThanOrEqual(1)
  })

  test('cancel stops a queued or running process', async () => {
    // The executor's wake and the store's due times run on this clock: the timer's end is a step of it.
    const time = manualClock()
    const accepted = await server.call('/api/webrequest/slow-ok?async=true')
    expect(accepted.status).toBe(202)
    const id = accepted.headers.get('x-process-id')!
    // Queued, claimed (running) or parked at its 1.5 s timer (queued with a wake time): cancellable at any of them.
    const cancelled = await server.api('POST', `/api/v1/processes/${id}/cancel`)
    expect(cancelled.status).toBe(200)
    expect((await cancelled.json()).status).toBe('cancelled')
    // Past the timer's end: the executor wakes for it and finds nothing to run.
    await time.advance(2000).finally(() => time.restore())
    await server.context.writes.flush()
    const record = await waitFor(id, ['cancelled'])
    expect(record.output ?? null).toBeNull()
    expect((await errorOf(await server.api('POST', `/api/v1/processes/${id}/cancel`))).code).toBe('NOT_CANCELLABLE')
    expect((await server.api('POST', '/api/v1/processes/nope/cancel')).status).toBe(404)
  })
})
