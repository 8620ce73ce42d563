/**
 * The API the console's editor stands on, through real HTTP: the component registry with
 * config schemas, the test run (an unsaved scenario run on a sample request and stored), the
 * batched last processes of the catalog, and the web-request example calling its own server.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { components } from '../../components/index.ts'
import { errorOf, startServer, type TestServer } from './helpers.ts'

let server: TestServer
beforeAll(async () => {
  server = await startServer()
})
afterAll(async () => {
  await server?.close()
})

const greetDraft = (body = "({ greeting: 'Hello, ' + body.name + query.x })") => ({
  id: 'draft-greet',
  name: 'Draft',
  nodes: [
    { id: 'start', type: 'start' },
    {
      id: 'vars',
      type: 'setVariables',
      config: {
        assignments: [
          { name: '$status', value: '201' },
          { name: '$body', value: body },
        ],
      },
    },
    { id: 'end', type: 'end' },
  ],
  edges: [
    { from: 'start', to: 'vars' },
    { from: 'vars', to: 'end' },
  ],
})

describe('GET /api/v1/components', () => {
  test('lists every registered component with its group and config schema', async () => {
    const response = await server.api('GET', '/api/v1/components')
    expect(response.status).toBe(200)
    const { items } = (await response.json()) as { items: Array<Record<string, any>> }
    expect(items.map((c) => c.type)).toEqual([...components.keys()])
    const byType = new Map(items.map((c) => [c.type, c]))
    expect(byType.get('start')).toMatchObject({ group: 'system', kind: 'control', displayName: { ru: expect.any(String), en: expect.any(String) } })
    expect(byType.get('setVariables')).toMatchObject({ group: 'actions', displayName: { en: 'Set variables' } })
    expect(byType.get('webRequest')!.group).toBe('communications')
    for (const c of items) expect(['system', 'actions', 'data', 'communications']).toContain(c.group)
    // Expression fields are marked, so the console can give them an expression editor.
    const assignment = byType.get('setVariables')!.configSchema.properties.assignments.items.properties
    expect(assignment.value.format).toBe('expression')
    expect(assignment.name.format).toBeUndefined()
  })

  test('needs the admin token', async () => {
    const response = await server.api('GET', '/api/v1/components', undefined, null)
    expect(response.status).toBe(401)
  })
})

describe('POST /api/v1/scenarios/test-run', () => {
  test('runs an unsaved scenario on a sample request and stores the process with a test trigger', async () => {
    const response = await server.api('POST', '/api/v1/scenarios/test-run', {
      scenario: greetDraft(),
      request: { method: 'POST', query: '?x=!', headers: { 'X-Sample': 'yes' }, body: '{"name":"Ada"}' },
    })
    expect(response.status).toBe(201)
    const process = (await response.json()) as Record<string, any>
    expect(response.headers.get('location')).toBe(`/api/v1/processes/${process.id}`)
    expect(process).toMatchObject({
      status: 'completed',
      trigger: { type: '$test', async: false },
      scenario: { id: 'draft-greet', version: 0 },
      response: { status: 201, body: { greeting: 'Hello, Ada!' } },
    })
    expect(process.input).toMatchObject({ method: 'POST', body: { name: 'Ada' }, query: { x: '!' }, headers: { 'x-sample': 'yes' }, event: { type: '$test' } })
    expect(process.steps.map((s: { nodeId: string }) => s.nodeId)).toEqual(['start', 'vars', 'end'])
    const stored = await server.api('GET', `/api/v1/processes/${process.id}`)
    expect((await stored.json()).trigger.type).toBe('$test')
  })

  test('names the saved version when the document is that version', async () => {
    const created = await server.api('POST', '/api/v1/scenarios', { ...greetDraft(), id: 'saved-greet' })
    expect(created.status).toBe(201)
    const response = await server.api('POST', '/api/v1/scenarios/test-run', { scenario: { ...greetDraft(), id: 'saved-greet' }, request: { body: '{"name":"B"}' } })
    expect((await response.json()).scenario).toEqual({ id: 'saved-greet', version: 1 })
  })

  test('a failing scenario is stored failed with the node that failed', async () => {
    const response = await server.api('POST', '/api/v1/scenarios/test-run', { scenario: greetDraft('body.missing.deeper'), request: { method: 'GET' } })
    expect(response.status).toBe(201)
    const process = await response.json()
    expect(process.status).toBe('failed')
    expect(process.error.nodeId).toBe('vars')
    expect(process.response.status).toBe(500)
  })

  test('an invalid scenario is 422 with its problems, a bad sample request 400; nothing stored', async () => {
    const before = (await server.processes()).length
    const invalid = await server.api('POST', '/api/v1/scenarios/test-run', { scenario: { ...greetDraft(), edges: [] } })
    expect(invalid.status).toBe(422)
    expect((await errorOf(invalid)).details!.problems.length).toBeGreaterThan(0)
    const bad = await server.api('POST', '/api/v1/scenarios/test-run', { scenario: greetDraft(), request: { method: 'BREW', headers: { 'bad header': 'x' } } })
    expect(bad.status).toBe(400)
    expect((await errorOf(bad)).code).toBe('BAD_REQUEST')
    expect((await server.processes()).length).toBe(before)
  })
})

describe('GET /api/v1/webrequests/last-processes', () => {
  test('answers the newest process of each external request in one request', async () => {
    await server.call('/api/webrequest/greet', { method: 'POST', body: '{"name":"A","n":1}', headers: { 'content-type': 'application/json' } })
    const second = await server.call('/api/webrequest/greet', { method: 'POST', body: '{"name":"B","n":1}', headers: { 'content-type': 'application/json' } })
    const newest = second.headers.get('x-process-id')
    await server.processes()
    const response = await server.api('GET', '/api/v1/webrequests/last-processes')
    expect(response.status).toBe(200)
    const { items } = (await response.json()) as { items: Array<{ webRequestId: string; process: any }> }
    const webrequests = (await (await server.api('GET', '/api/v1/webrequests')).json()).items as Array<{ id: string; urlId: string }>
    expect(items.map((i) => i.webRequestId).sort()).toEqual(webrequests.map((w) => w.id).sort())
    const greetId = webrequests.find((w) => w.urlId === 'greet')!.id
    const greet = items.find((i) => i.webRequestId === greetId)!
    expect(greet.process.id).toBe(newest)
    expect(greet.process.snapshot).toBeUndefined()
    const never = items.find((i) => i.webRequestId !== greetId && i.process === null)
    expect(never).toBeDefined()
    const some = await server.api('GET', `/api/v1/webrequests/last-processes?ids=${greetId}`)
    expect((await some.json()).items).toHaveLength(1)
  })
})

describe('flows/web-request.json', () => {
  test('calls greet on the server it was called on, whatever its port', async () => {
    const response = await server.call('/api/webrequest/web-request', { method: 'POST', body: '{"name":"Self"}', headers: { 'content-type': 'application/json' } })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ upstreamStatus: 201, reply: { greeting: 'Hello, Self' } })
  })
})

describe('a test run among the running processes', () => {
  test('counts against MAX_CONCURRENT_PROCESSES: one more is 429', async () => {
    const small = await startServer({ maxConcurrentProcesses: 1 })
    try {
      const waiting = {
        id: 'waits',
        nodes: [
          { id: 'start', type: 'start' },
          { id: 'wait', type: 'timer', config: { pause: 'PT1S' } },
          { id: 'end', type: 'end' },
        ],
        edges: [
          { from: 'start', to: 'wait' },
          { from: 'wait', to: 'end' },
        ],
      }
      const first = small.api('POST', '/api/v1/scenarios/test-run', { scenario: waiting })
      await expect.poll(() => small.context.gate.running).toBe(1)
      const second = await small.api('POST', '/api/v1/scenarios/test-run', { scenario: waiting })
      expect(second.status).toBe(429)
      expect((await errorOf(second)).code).toBe('TOO_MANY_PROCESSES')
      expect((await first).status).toBe(201)
      // The slot is free again.
      expect((await small.api('POST', '/api/v1/scenarios/test-run', { scenario: greetDraft(), request: { body: '{"name":"C"}' } })).status).toBe(201)
    } finally {
      await small.close()
    }
  })
})
