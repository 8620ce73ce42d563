/**
 * Protection and CORS through real HTTP: auth (basic, bearer, hmac) → 401 without a
 * process, rate limit → 429 + Retry-After, idempotency → the first answer again with no second
 * process, MAX_CONCURRENT_PROCESSES → 429, and potok-made vs scenario-made CORS.
 */
import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { manualClock } from '../clock.ts'
import { errorOf, startServer, type TestServer } from './helpers.ts'

let server: TestServer
beforeAll(async () => {
  server = await startServer()
})
afterAll(async () => {
  await server?.close()
})

const count = async () => (await server.processes()).length

async function refusedWithoutProcess(response: Promise<Response>, status: number, code: string) {
  const before = await count()
  const answer = await response
  expect(answer.status).toBe(status)
  expect(answer.headers.get('x-process-id')).toBeNull()
  expect((await errorOf(answer)).code).toBe(code)
  expect(await count()).toBe(before)
  return answer
}

describe('auth', () => {
  const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`

  test('basic: the right user and password pass; anything else → 401 with a challenge, no process', async () => {
    const ok = await server.call('/api/webrequest/basic', { headers: { authorization: basic('ann', 's3cret') } })
    expect(ok.status).toBe(200)
    for (const authorization of [undefined, basic('ann', 'wrong'), basic('bob', 's3cret'), basic('ann', ''), 'Basic !!!', `Bearer s3cret`]) {
      const answer = await refusedWithoutProcess(server.call('/api/webrequest/basic', { headers: authorization ? { authorization } : {} }), 401, 'UNAUTHORIZED')
      expect(answer.headers.get('www-authenticate')).toMatch(/^Basic realm="potok"/)
    }
  })

  test('bearer with the token read from the environment ({ env: NAME })', async () => {
    expect((await server.call('/api/webrequest/bearer', { headers: { authorization: 'Bearer bearer-from-env' } })).status).toBe(200)
    await refusedWithoutProcess(server.call('/api/webrequest/bearer', { headers: { authorization: 'Bearer bearer-from-env-not' } }), 401, 'UNAUTHORIZED')
    await refusedWithoutProcess(server.call('/api/webrequest/bearer'), 401, 'UNAUTHORIZED')
  })

  test('hmac: HMAC-SHA256 of the raw body, hex after a prefix or base64', async () => {
    const body = JSON.stringify({ order: 17, note: 'Привет' })
    const hex = createHmac('sha256', 'hmac-key').update(body).digest('hex')
    const b64 = createHmac('sha256', 'hmac-key').update(body).digest('base64')
    const post = (path: string, signature: string | null, payload = body) =>
      server.call(path, { method: 'POST', headers: { 'content-type': 'application/json', ...(signature === null ? {} : { 'x-signature': signature }) }, body: payload })
    const ok = await post('/api/webrequest/hmac', `sha256=${hex}`)
    expect(ok.status).toBe(200)
    expect((await ok.json()).body).toEqual({ order: 17, note: 'Привет' })
    expect((await post('/api/webrequest/hmac', `sha256=${hex.toUpperCase()}`)).status).toBe(200)
    expect((await post('/api/webrequest/hmac64', b64)).status).toBe(200)
    await refusedWithoutProcess(post('/api/webrequest/hmac', hex), 401, 'UNAUTHORIZED') // prefix missing
    await refusedWithoutProcess(post('/api/webrequest/hmac', `sha256=${hex}`, body.replace('17', '18')), 401, 'UNAUTHORIZED')
    await refusedWithoutProcess(post('/api/webrequest/hmac', null), 401, 'UNAUTHORIZED')
    await refusedWithoutProcess(post('/api/webrequest/hmac64', hex), 401, 'UNAUTHORIZED')
    // an empty body is signed too
    const empty = createHmac('sha256', 'hmac-key').update('').digest('hex')
    expect((await server.call('/api/webrequest/hmac', { headers: { 'x-signature': `sha256=${empty}` } })).status).toBe(200)
  })
})

test('rateLimit: over the limit → 429 with Retry-After, no process; the next window lets it through', async () => {
  // The window is read off this clock: its end is a step the test takes, not a minute's wait.
  const time = manualClock()
  try {
    for (let i = 0; i < 3; i++) expect((await server.call('/api/webrequest/limited')).status).toBe(200)
    const answer = await refusedWithoutProcess(server.call('/api/webrequest/limited'), 429, 'RATE_LIMITED')
    expect(Number(answer.headers.get('retry-after'))).toBe(60)
    // other external requests are not limited by it
    expect((await server.call('/api/webrequest/echo')).status).toBe(200)
    await time.advance(59_999)
    await refusedWithoutProcess(server.call('/api/webrequest/limited'), 429, 'RATE_LIMITED')
    await time.advance(1)
    expect((await server.call('/api/webrequest/limited')).status).toBe(200)
  } finally {
    time.restore()
  }
})

describe('idempotency', () => {
  const send = (key: string | null, control: unknown, header = 'Idempotency-Key', urlId = 'idem') =>
    server.call(`/api/webrequest/${urlId}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { [header]: key } : {}) }, body: JSON.stringify(control) })

  test("a repeated key returns the first process's stored answer, with no second process", async () => {
    const first = await send('order-1', { status: 201, headers: { 'X-Mark': 'first' }, body: { n: 1 } })
    expect(first.status).toBe(201)
    const id = first.headers.get('x-process-id')
    expect(await first.json()).toEqual({ n: 1 })
    await server.processes() // the answer is stored after it was sent
    const before = await count()
    const again = await send('order-1', { status: 200, body: { n: 2 } })
    expect(again.status).toBe(201)
    expect(again.headers.get('x-process-id')).toBe(id)
    expect(again.headers.get('x-mark')).toBe('first')
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(await again.json()).toEqual({ n: 1 })
    expect(await count()).toBe(before)
    const other = await send('order-2', { body: { n: 3 } })
    expect(other.headers.get('x-process-id')).not.toBe(id)
    expect(await other.json()).toEqual({ n: 3 })
    const none = await send(null, { body: { n: 4 } })
    expect(await none.json()).toEqual({ n: 4 })
    expect(await count()).toBe(before + 2)
  })

  test('a custom header names the key; keys are per external request', async () => {
    const a = await send('k', { body: 'a' }, 'X-Request-Id', 'idem-header')
    await server.processes()
    const b = await send('k', { body: 'b' }, 'X-Request-Id', 'idem-header')
    expect(await b.text()).toBe(await a.text())
    const c = await send('k', { body: 'c' }, 'Idempotency-Key', 'idem')
    expect(await c.text()).toBe('c')
  })

  test('a repeat while the first is still running → 409, then the first answer', async () => {
    const first = server.call('/api/webrequest/slow-idem', { headers: { 'idempotency-key': 'slow-1' } })
    await new Promise((resolve) => setTimeout(resolve, 300))
    const during = await server.call('/api/webrequest/slow-idem', { headers: { 'idempotency-key': 'slow-1' } })
    expect(during.status).toBe(409)
    expect(during.headers.get('retry-after')).toBeNull()
    const error = await errorOf(during)
    expect(error.code).toBe('IDEMPOTENCY_IN_PROGRESS')
    const firstAnswer = await first
    expect(error.details?.processId).toBe(firstAnswer.headers.get('x-process-id'))
    await server.processes()
    const after = await server.call('/api/webrequest/slow-idem', { headers: { 'idempotency-key': 'slow-1' } })
    expect(after.status).toBe(200)
    expect(after.headers.get('x-process-id')).toBe(firstAnswer.headers.get('x-process-id'))
    expect(await after.json()).toEqual(await firstAnswer.json())
  })

  test('a failed first answer is kept too', async () => {
    const first = await send('bad-1', { status: 'abc' })
    expect(first.status).toBe(500)
    const firstError = await errorOf(first)
    await server.processes()
    const again = await send('bad-1', { status: 200 })
    expect(again.status).toBe(500)
    expect(await errorOf(again)).toEqual(firstError)
  })
})

test('MAX_CONCURRENT_PROCESSES: one more → 429 with Retry-After, no process', async () => {
  const busy = await startServer({ maxConcurrentProcesses: 2 })
  try {
    const slow = [busy.call('/api/webrequest/slow-ok'), busy.call('/api/webrequest/slow-ok')]
    await expect.poll(() => busy.context.gate.running).toBe(2)
    const refused = await busy.call('/api/webrequest/echo')
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('1')
    expect((await errorOf(refused)).code).toBe('TOO_MANY_PROCESSES')
    expect((await Promise.all(slow)).map((r) => r.status)).toEqual([200, 200])
    expect((await busy.call('/api/webrequest/echo')).status).toBe(200)
    expect(await busy.processes()).toHaveLength(3)
  } finally {
    await busy.close()
  }
})

describe('CORS', () => {
  const preflight = (urlId: string, origin: string, method = 'PUT', headers = 'content-type') =>
    server.call(`/api/webrequest/${urlId}`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers } })

  test('with a cors setting potok answers preflights itself: no process, no auth', async () => {
    const before = await count()
    const ok = await preflight('cors', 'http://allowed.example')
    expect(ok.status).toBe(204)
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://allowed.example')
    expect(ok.headers.get('access-control-allow-methods')).toBe('PUT')
    expect(ok.headers.get('access-control-allow-headers')).toBe('content-type')
    expect(ok.headers.get('access-control-max-age')).toBe('600')
    const denied = await preflight('cors', 'http://evil.example')
    expect(denied.status).toBe(204)
    expect(denied.headers.get('access-control-allow-origin')).toBeNull()
    const any = await preflight('cors-any', 'http://anywhere.example', 'DELETE', 'x-token')
    expect(any.headers.get('access-control-allow-origin')).toBe('*')
    expect(any.headers.get('access-control-allow-methods')).toBe('PUT, POST')
    expect(any.headers.get('access-control-allow-headers')).toBe('Content-Type, X-Token')
    const withAuth = await preflight('cors-auth', 'http://allowed.example', 'POST')
    expect(withAuth.status).toBe(204)
    expect(withAuth.headers.get('access-control-allow-credentials')).toBe('true')
    expect(await count()).toBe(before)
  })

  test('… and adds the CORS headers to every answer, errors included', async () => {
    const ok = await server.call('/api/webrequest/cors', { method: 'PUT', headers: { origin: 'http://allowed.example' } })
    expect(ok.status).toBe(200)
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://allowed.example')
    expect(ok.headers.get('access-control-expose-headers')).toContain('X-Process-Id')
    expect(ok.headers.get('vary')).toContain('Origin')
    const bad = await server.call('/api/webrequest/cors', { method: 'POST', headers: { origin: 'http://allowed.example', 'content-type': 'application/json' }, body: '{' })
    expect(bad.status).toBe(400)
    expect(bad.headers.get('access-control-allow-origin')).toBe('http://allowed.example')
    const unauthorized = await server.call('/api/webrequest/cors-auth', { headers: { origin: 'http://allowed.example' } })
    expect(unauthorized.status).toBe(401)
    expect(unauthorized.headers.get('access-control-allow-origin')).toBe('http://allowed.example')
    expect(unauthorized.headers.get('access-control-allow-credentials')).toBe('true')
    const other = await server.call('/api/webrequest/cors', { headers: { origin: 'http://evil.example' } })
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
  })

  test('without it, OPTIONS is an ordinary request: the scenario runs and its $headers answer', async () => {
    const before = await count()
    const answer = await preflight('preflight', 'http://anywhere.example')
    expect(answer.status).toBe(204)
    expect(answer.headers.get('access-control-allow-origin')).toBe('*')
    expect(answer.headers.get('access-control-allow-methods')).toBe('PUT, POST')
    expect(answer.headers.get('x-process-id')).toMatch(/^[0-9a-f-]{36}$/)
    expect(await count()).toBe(before + 1)
    const put = await server.call('/api/webrequest/preflight', { method: 'PUT', headers: { origin: 'http://anywhere.example' } })
    expect(put.headers.get('access-control-allow-origin')).toBe('*')
    expect(await put.json()).toEqual({ ran: 'PUT' })
  })
})
