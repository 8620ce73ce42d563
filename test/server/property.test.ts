/**
 * Property-based: random methods, paths, headers, content types and bodies (valid, truncated,
 * huge, binary, wrong encodings) thrown at the endpoint and the management API. The server
 * never crashes, every error answer has the standard error body (docs/server.md), and no request without a valid token
 * reaches a management route.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { ProcessStore } from '../../store/port.ts'
import { isErrorBody, startServer, type TestServer } from './helpers.ts'

const LIMIT = 64 * 1024
let server: TestServer
let closedEarly = 0
beforeAll(async () => {
  server = await startServer({ maxBodyBytes: LIMIT })
})
afterAll(async () => {
  if (closedEarly) console.log(`${closedEarly} requests saw the connection closed before an answer (413 while uploading)`)
  await server?.close()
})

/** Store methods only management routes call: a call while no valid token was sent is a breach. */
const MANAGEMENT_ONLY = [
  'listScenarios',
  'listScenarioVersions',
  'saveScenario',
  'deleteScenario',
  'createWebRequest',
  'replaceWebRequest',
  'getWebRequest',
  'listWebRequests',
  'deleteWebRequest',
] as const

function spyOnManagement(store: ProcessStore): { calls: string[]; restore(): void } {
  const calls: string[] = []
  const originals = new Map<string, unknown>()
  for (const name of MANAGEMENT_ONLY) {
    const original = (store as any)[name]
    originals.set(name, original)
    ;(store as any)[name] = (...args: unknown[]) => {
      calls.push(name)
      return original.apply(store, args)
    }
  }
  return {
    calls,
    restore: () => {
      for (const [name, fn] of originals) (store as any)[name] = fn
    },
  }
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'PROPFIND', 'PURGE', 'REPORT', 'MKCOL', 'LINK']
// Not 'reply' or 'error-boundary': their 4xx answers are the scenario's own bodies, not potok's errors.
const URL_IDS = ['echo', 'greet', 'mirror', 'fail', 'basic', 'bearer', 'hmac', 'hmac64', 'limited', 'cors', 'cors-any', 'cors-auth', 'idem', 'echo-off', 'nope', 'loop', 'early']
const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=zzz',
  'multipart/form-data; boundary=',
  'text/plain',
  'text/plain; charset=nonsense',
  'text/xml',
  'application/xml',
  'application/octet-stream',
  'image/png',
  'application/vnd.api+json',
  '',
  'garbage',
  '*/*',
  'application/json;;;',
]

const segment = fc.oneof(
  fc.constantFrom('', '.', '..', '%2F', '%2e%2e', '%ZZ', '%', 'v1', 'api', 'scenarios', 'webrequests', 'versions', 'validate', 'openapi.json', '1', '~', '%00', '%E2%9C%93'),
  fc.stringMatching(/^[A-Za-z0-9_.~-]{1,12}$/),
  fc.string({ maxLength: 8 }).map((s) => encodeURIComponent(s)),
)
const tail = fc.array(segment, { maxLength: 4 }).map((parts) => parts.join('/'))
const endpointPath = fc
  .tuple(fc.constantFrom(...URL_IDS), fc.constantFrom('', '/'), fc.constantFrom('', '?async=true', '?async=1', '?a=1&a=2', '?%ZZ=1', '?x'))
  .map(([id, slash, q]) => `/api/webrequest/${id}${slash}${q}`)
const managementPath = fc.oneof(
  tail.map((t) => `/api/v1/${t}`),
  fc.constantFrom(
    '/api/v1',
    '/api/v1/',
    '/api//v1/scenarios',
    '/api/v1//scenarios',
    '/api/v1/scenarios/../webrequests',
    '/api/./v1/scenarios',
    '/api/v1/scenarios/%2e%2e/webrequests',
    '/API/V1/scenarios',
    '/api/v1%2Fscenarios',
    '/api/%76%31/scenarios',
    '/metrics',
    '/api/v1/openapi.json',
    '/api/v1/scenarios/greet/versions/1',
    '/api/v1/scenarios/validate',
    '/api/v1/processes',
    '/api/v1/webrequests/greet',
  ),
)
const anyPath = fc.oneof(
  endpointPath,
  managementPath,
  tail.map((t) => `/${t}`),
  fc.constant('/healthz'),
)

const jsonValue = fc.jsonValue({ maxDepth: 3 })
const body = fc.oneof(
  fc.constant(undefined),
  jsonValue.map((v) => JSON.stringify(v)),
  jsonValue.map((v) => JSON.stringify(v)).chain((text) => fc.nat(Math.max(0, text.length - 1)).map((cut) => text.slice(0, cut))),
  fc.uint8Array({ maxLength: 2048 }),
  fc.constant(new Uint8Array([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28])), // invalid UTF-8
  fc.constant('x'.repeat(LIMIT + 10)),
  fc.constant('--zzz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--zzz--\r\n'),
  fc.constant('--zzz\r\nContent-Disposition: form-data; name="f"; filename="a.bin"\r\n\r\nabc'), // truncated multipart
  fc.string({ maxLength: 200 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 })).map((o) => new URLSearchParams(o).toString()),
)
const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,40}$/)
const headers = fc.record(
  {
    'content-type': fc.constantFrom(...CONTENT_TYPES),
    authorization: fc.oneof(headerValue, fc.constantFrom('Bearer ', 'Basic !!!', 'Basic YW5uOnMzY3JldA==', 'Bearer bearer-from-env', 'Bearer wrong')),
    cookie: headerValue,
    'idempotency-key': headerValue,
    'x-signature': headerValue,
    origin: fc.constantFrom('http://allowed.example', 'http://evil.example', 'null'),
    'access-control-request-method': fc.constantFrom('PUT', 'GET', 'DELETE'),
    'x-random': headerValue,
  },
  { requiredKeys: [] },
)

const request = fc.record({ method: fc.constantFrom(...METHODS), path: anyPath, headers, body })

async function send(req: { method: string; path: string; headers: Record<string, string>; body: unknown }, token: string | null) {
  const init: RequestInit = { method: req.method, headers: { ...req.headers } }
  if (token) (init.headers as Record<string, string>).authorization = `Bearer ${token}`
  else if ((init.headers as Record<string, string>).authorization?.includes(server.token)) delete (init.headers as Record<string, string>).authorization
  if (req.body !== undefined && req.method !== 'GET' && req.method !== 'HEAD') init.body = req.body as BodyInit
  if ((init.headers as Record<string, string>)['content-type'] === '') delete (init.headers as Record<string, string>)['content-type']
  let response: Response
  try {
    response = await server.call(req.path, init)
  } catch (error) {
    // A connection closed on purpose (413 with Connection: close while still uploading) is fine;
    // the server must still answer afterwards (checked below).
    closedEarly++
    return { status: 0, text: '', contentType: null as string | null, error }
  }
  return { status: response.status, text: await response.text(), contentType: response.headers.get('content-type') }
}

/** GET/HEAD outside the API are the console's pages (issue 6), which answer HTML for people. */
function consolePage(req: { method: string; path: string }): boolean {
  const path = new URL(server.url.replace(/\/$/, '') + req.path).pathname
  return (req.method === 'GET' || req.method === 'HEAD') && !/^\/(api|healthz|metrics)(\/|$)/.test(path)
}

function checkAnswer(req: { method: string; path: string }, answer: { status: number; text: string; contentType: string | null }) {
  if (answer.status === 0) return
  expect(answer.status).toBeGreaterThanOrEqual(100)
  expect(answer.status).toBeLessThan(600)
  if (answer.status < 400 || consolePage(req)) return
  expect(answer.contentType, `${req.method} ${req.path} → ${answer.status}`).toContain('application/json')
  if (req.method === 'HEAD') return
  let parsed: unknown
  expect(
    () => {
      parsed = JSON.parse(answer.text)
    },
    `${req.method} ${req.path} → ${answer.status}: ${answer.text.slice(0, 120)}`,
  ).not.toThrow()
  expect(isErrorBody(parsed), `${req.method} ${req.path} → ${answer.status}: ${answer.text.slice(0, 200)}`).toBe(true)
}

async function healthy() {
  const response = await server.call('/healthz')
  expect(response.status).toBe(200)
  await response.text()
}

test('random requests without the admin token: never a crash, standard error bodies, no management route reached', async () => {
  const before = JSON.stringify(await server.store.listScenarios()) + JSON.stringify(await server.store.listWebRequests())
  const spy = spyOnManagement(server.store)
  try {
    await fc.assert(
      fc.asyncProperty(request, async (req) => {
        const answer = await send(req, null)
        checkAnswer(req, answer)
        // What the server sees: the client resolves dot segments ('/api/v1/..' is '/api/').
        const path = new URL(server.url.replace(/\/$/, '') + req.path).pathname
        if (/^\/api\/+v1|^\/metrics/i.test(path)) expect([400, 401, 404, 0], `${req.method} ${req.path} → ${answer.status}`).toContain(answer.status)
        if (path.startsWith('/api/v1/') || path === '/api/v1') expect([400, 401, 0], `${req.method} ${req.path}`).toContain(answer.status)
        if (path === '/metrics') expect(req.method === 'GET' || req.method === 'HEAD' ? [401] : [401, 404], `${req.method} ${req.path}`).toContain(answer.status)
        expect(spy.calls, `${req.method} ${req.path}`).toEqual([])
      }),
      { numRuns: 400 },
    )
  } finally {
    spy.restore()
  }
  await healthy()
  const after = JSON.stringify(await server.store.listScenarios()) + JSON.stringify(await server.store.listWebRequests())
  expect(after).toBe(before)
  await server.processes()
})

test('random requests to the management API with the token: never a crash, no 5xx, standard error bodies', async () => {
  const scenarioish = fc.record(
    {
      id: fc.oneof(fc.constantFrom('prop', 'greet', 'bad id'), fc.string({ maxLength: 10 })),
      nodes: fc.oneof(
        fc.constant([
          { id: 'start', type: 'start' },
          { id: 'end', type: 'end' },
        ]),
        fc.array(fc.record({ id: fc.string({ maxLength: 5 }), type: fc.constantFrom('start', 'end', 'setVariables', 'timer', 'nope'), config: fc.jsonValue({ maxDepth: 2 }) }), { maxLength: 4 }),
      ),
      edges: fc.oneof(fc.constant([{ from: 'start', to: 'end' }]), fc.array(fc.record({ from: fc.string({ maxLength: 5 }), to: fc.string({ maxLength: 5 }) }), { maxLength: 3 })),
    },
    { requiredKeys: [] },
  )
  const webrequestish = fc.record(
    {
      name: fc.string({ maxLength: 10 }),
      urlId: fc.oneof(fc.constantFrom('prop-hook', 'greet'), fc.string({ maxLength: 10 })),
      scenarioId: fc.constantFrom('prop', 'greet', 'missing'),
      enabled: fc.oneof(fc.boolean(), fc.constant('yes')),
      auth: fc.oneof(fc.constant({ type: 'bearer', token: '***' }), fc.constant({ type: 'hmac', header: 'X-S', secret: { env: 'NOPE' } }), jsonValue),
      rateLimit: fc.oneof(fc.constant({ requests: 1, windowMs: 1 }), jsonValue),
    },
    { requiredKeys: [] },
  )
  const managementRequest = fc.record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD'),
    path: fc.oneof(managementPath, fc.constantFrom('/api/v1/scenarios', '/api/v1/scenarios/prop', '/api/v1/webrequests', '/api/v1/webrequests/prop-hook', '/api/v1/scenarios/validate')),
    headers: fc.record({ 'content-type': fc.constantFrom(...CONTENT_TYPES) }, { requiredKeys: [] }),
    body: fc.oneof(
      body,
      scenarioish.map((s) => JSON.stringify(s)),
      webrequestish.map((w) => JSON.stringify(w)),
    ),
  })
  await fc.assert(
    fc.asyncProperty(managementRequest, async (req) => {
      const answer = await send(req, server.token)
      checkAnswer(req, answer)
      expect(answer.status, `${req.method} ${req.path} → ${answer.text.slice(0, 200)}`).toBeLessThan(500)
    }),
    { numRuns: 300 },
  )
  await healthy()
})
