/** Issue 11: hostile and careless input through HTTP — every bad input a clear 4xx, nothing stored that cannot be read back. */
import { mkdtempSync, readdirSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import { connect, type AddressInfo, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { DEFAULT_RUNTIME_LIMITS } from '../../runtime/limits.ts'
import { manualClock } from '../clock.ts'
import { errorOf, startServer, type TestServer } from './helpers.ts'

let server: TestServer
beforeAll(async () => {
  server = await startServer({ maxBodyBytes: 300_000, maxConcurrentProcesses: 1, runtime: { ...DEFAULT_RUNTIME_LIMITS, maxDataBytes: 300_000 } })
})
afterAll(() => server.close())

const post = (path: string, body: BodyInit, type = 'application/json') => server.call(path, { method: 'POST', headers: { 'content-type': type }, body })

/** A raw connection that sent the headers of a POST and `sent` bytes of its body, then stalls. */
function trickle(path: string, declared: number, sent: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1', () => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n${sent}`)
      resolve(socket)
    })
    socket.on('error', reject)
  })
}

describe('bodies', () => {
  test('a JSON body nested deeper than MAX_BODY_DEPTH is a 400, no process; lists still read', async () => {
    const before = (await server.processes()).length
    const deep = `${'{"a":'.repeat(4000)}1${'}'.repeat(4000)}`
    for (const path of ['/api/webrequest/echo', '/api/webrequest/echo?async=true']) {
      const answer = await post(path, deep)
      expect(answer.status).toBe(400)
      expect(answer.headers.get('x-process-id')).toBeNull()
      const error = await errorOf(answer)
      expect(error.code).toBe('BODY_TOO_DEEP')
      expect(error.message).toMatch(/MAX_BODY_DEPTH/)
    }
    expect((await server.processes()).length).toBe(before)
    const list = await server.api('GET', '/api/v1/processes?status=failed')
    expect(list.status).toBe(200)
    // Nesting within the limit is an ordinary body.
    const fine = await post('/api/webrequest/echo', `${'{"a":'.repeat(60)}1${'}'.repeat(60)}`)
    expect(fine.status).toBe(200)
  })

  test('brackets inside strings do not count as nesting', async () => {
    const answer = await post('/api/webrequest/echo', JSON.stringify({ text: '['.repeat(5000), q: '\\"{{{' }))
    expect(answer.status).toBe(200)
  })

  test('the management API refuses a too deep body with the same 400', async () => {
    const deep = '['.repeat(1000) + ']'.repeat(1000)
    const answer = await server.api('POST', '/api/v1/scenarios', deep)
    expect(answer.status).toBe(400)
    expect((await errorOf(answer)).code).toBe('BODY_TOO_DEEP')
  })

  test('input the process could not hold is a 413 before any process exists', async () => {
    const before = (await server.processes()).length
    // 280 KB fits MAX_BODY_BYTES (300 000) but not the process data limit once base64-encoded.
    const form = new FormData()
    form.append('file', new Blob([new Uint8Array(280_000).fill(7)], { type: 'application/octet-stream' }), 'upload.bin')
    for (const path of ['/api/webrequest/echo', '/api/webrequest/echo?async=true']) {
      const answer = await server.call(path, { method: 'POST', body: form })
      expect(answer.status).toBe(413)
      expect(answer.headers.get('x-process-id')).toBeNull()
      const error = await errorOf(answer)
      expect(error.code).toBe('PAYLOAD_TOO_LARGE')
      expect(error.message).toMatch(/MAX_PROCESS_DATA_BYTES/)
    }
    expect((await server.processes()).length).toBe(before)
  })

  test('slow bodies hold no process slot: the slot is taken once the body is read', async () => {
    const slow = await Promise.all([trickle('/api/webrequest/echo', 100, '{"a":'), trickle('/api/webrequest/echo', 100, '{')])
    try {
      await new Promise((resolve) => setTimeout(resolve, 100))
      // MAX_CONCURRENT_PROCESSES is 1 here: a trickling upload must not take it.
      const answer = await post('/api/webrequest/echo', '{"fine":true}')
      expect(answer.status).toBe(200)
    } finally {
      for (const socket of slow) socket.destroy()
    }
  })
})

/** Sends `raw` on a fresh connection and resolves to everything the server wrote before closing it. */
function exchange(port: number, raw: string, keepSending?: (socket: Socket) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(raw)
      keepSending?.(socket)
    })
    socket.on('data', (chunk) => chunks.push(chunk))
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')))
    socket.on('error', (error) => (chunks.length ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(error)))
    setTimeout(() => socket.destroy(), 10_000).unref()
  })
}

/** The status and error body of a raw HTTP answer. */
async function rawAnswer(text: string): Promise<{ status: number; error: Awaited<ReturnType<typeof errorOf>> }> {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1])
  const body = text.slice(text.indexOf('\r\n\r\n') + 4)
  return { status, error: await errorOf(new Response(body, { status })) }
}

describe('the HTTP server', () => {
  let timed: TestServer
  beforeAll(async () => {
    timed = await startServer({ httpHeadersTimeoutMs: 300, httpRequestTimeoutMs: 600 })
  })
  afterAll(() => timed?.close())

  test('a request that is not HTTP gets 400 with the standard error body', async () => {
    const { status, error } = await rawAnswer(await exchange(timed.port, 'NOT HTTP AT ALL\r\n\r\n'))
    expect(status).toBe(400)
    expect(error.code).toBe('BAD_REQUEST')
  })

  test('headers over the limit get 431 with the standard error body', async () => {
    const { status, error } = await rawAnswer(await exchange(timed.port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`))
    expect(status).toBe(431)
    expect(error.code).toBe('HEADERS_TOO_LARGE')
  })

  test('headers that never finish get 408 after HTTP_HEADERS_TIMEOUT_MS', async () => {
    const { status, error } = await rawAnswer(await exchange(timed.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n'))
    expect(status).toBe(408)
    expect(error.code).toBe('REQUEST_TIMEOUT')
  })

  test('a body that never finishes is cut after HTTP_REQUEST_TIMEOUT_MS, and no process is stored', async () => {
    const before = (await timed.processes()).length
    let drip: ReturnType<typeof setInterval> | undefined
    const text = await exchange(timed.port, 'POST /api/webrequest/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"a":', (socket) => {
      drip = setInterval(() => socket.writable && socket.write(' '), 100)
    })
    clearInterval(drip)
    const { status, error } = await rawAnswer(text)
    expect(status).toBe(408)
    expect(error.code).toBe('REQUEST_TIMEOUT')
    expect((await timed.processes()).length).toBe(before)
  })

  test('shutdown does not wait for a stalled upload', async () => {
    const server = await startServer()
    const stalled = await new Promise<Socket>((resolve) => {
      const socket = connect(server.port, '127.0.0.1', () => {
        socket.write('POST /api/webrequest/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{')
        resolve(socket)
      })
      socket.on('error', () => {})
    })
    const closed = new Promise((resolve) => stalled.on('close', resolve))
    const started = Date.now()
    await server.close()
    await closed
    // HTTP_REQUEST_TIMEOUT_MS is 60 s here: the shutdown's own 2 s drain ends it, not the timeout.
    expect(Date.now() - started).toBeLessThan(15_000)
  }, 30_000)
})

describe('secrets', () => {
  let plain: TestServer
  beforeAll(async () => {
    plain = await startServer({ redactHeaders: ['authorization', 'cookie', 'x-api-key', 'x-custom-secret'] })
  })
  afterAll(() => plain?.close())

  const credentials = { authorization: 'Bearer caller-token-123456', cookie: 'session=abcdef123456; theme=dark', 'x-api-key': 'key-987654321', 'x-custom-secret': 'custom-555666777' }
  const SECRETS = ['caller-token-123456', 'abcdef123456', 'key-987654321', 'custom-555666777']

  async function storedText(id: string): Promise<string> {
    for (let i = 0; i < 400; i++) {
      const record = await (await plain.api('GET', `/api/v1/processes/${id}`)).json()
      if (record.status === 'completed') return JSON.stringify(record) + JSON.stringify(await (await plain.api('GET', '/api/v1/processes')).json())
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    throw new Error(`process ${id} did not complete`)
  }

  test('the scenario gets the credentials; the stored process has *** in their place', async () => {
    for (const path of ['/api/webrequest/echo', '/api/webrequest/echo?async=true']) {
      const answer = await plain.call(path, { method: 'POST', headers: { ...credentials, 'content-type': 'application/json' }, body: '{"a":1}' })
      const id = answer.headers.get('x-process-id')!
      if (answer.status === 200) {
        const seen = await answer.json()
        expect(seen.headers.authorization).toBe(credentials.authorization)
        expect(seen.cookies.session).toBe('abcdef123456')
      }
      const text = await storedText(id)
      for (const secret of SECRETS) expect(text, `${path}: ${secret}`).not.toContain(secret)
      expect(text).toContain('"authorization":"***"')
      const record = await (await plain.api('GET', `/api/v1/processes/${id}`)).json()
      expect(record.input.body).toEqual({ a: 1 })
      expect(record.input.headers['content-type']).toBe('application/json')
    }
  })

  test('basic credentials are not stored, in any form', async () => {
    const basic = Buffer.from('ann:s3cret').toString('base64')
    const answer = await plain.call('/api/webrequest/basic', { method: 'POST', headers: { authorization: `Basic ${basic}` } })
    expect(answer.status).toBe(200)
    const text = await storedText(answer.headers.get('x-process-id')!)
    expect(text).not.toContain(basic)
    expect(text).not.toContain('ann:s3cret')
  })

  test('an answer kept for idempotent repeats does not keep the credentials it copied', async () => {
    const send = () =>
      plain.call('/api/webrequest/idem', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'secret-copy', cookie: 'session=abcdef123456' },
        body: JSON.stringify({ body: { copy: 'abcdef123456' } }),
      })
    expect(await (await send()).json()).toEqual({ copy: 'abcdef123456' })
    const again = await send()
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(await again.json()).toEqual({ copy: '***' })
  })

  test('the admin token never reaches the scenario nor the record', async () => {
    const answer = await plain.call('/api/webrequest/echo', { headers: { authorization: `Bearer ${plain.token}` } })
    expect(answer.status).toBe(200)
    const seen = await answer.json()
    expect(seen.user).toEqual({ id: 'admin' })
    expect(seen.headers.authorization).toBeUndefined()
    expect(JSON.stringify(seen)).not.toContain(plain.token)
    const text = await storedText(answer.headers.get('x-process-id')!)
    expect(text).not.toContain(plain.token)
  })
})

test('the data directory is created 0700 and the database files 0600', async () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'potok-modes-')), 'data')
  const local = await startServer({ dataDir })
  try {
    await local.call('/api/webrequest/echo', { method: 'POST', body: '{}' })
    await local.processes()
    expect(statSync(dataDir).mode & 0o777).toBe(0o700)
    const files = readdirSync(dataDir).filter((name) => name.startsWith('potok.sqlite'))
    expect(files).toContain('potok.sqlite')
    for (const name of files) expect(statSync(join(dataDir, name)).mode & 0o777, name).toBe(0o600)
  } finally {
    await local.close()
  }
})

describe('validation', () => {
  test('a bad scenario id and an unknown key do not hide the other problems', async () => {
    const answer = await server.api('POST', '/api/v1/scenarios/validate', {
      id: 'bad id!',
      surprise: true,
      nodes: [
        { id: 'start', type: 'start' },
        { id: 'a', type: 'setVariables', config: { assignments: [{ name: 'x', value: '1 +' }] } },
        { id: 'lost', type: 'setVariables', config: { assignments: [{ name: 'y', value: '2' }] } },
        { id: 'end', type: 'end' },
      ],
      edges: [
        { from: 'start', to: 'a' },
        { from: 'a', to: 'end' },
        { from: 'a', to: 'nowhere' },
      ],
    })
    const text = JSON.stringify(await answer.json())
    for (const expected of ['(root)', 'surprise', 'id', 'nodes[1].config.assignments[0].value', 'edges[2].to', 'lost']) {
      expect(text, expected).toContain(expected)
    }
    expect(text).toMatch(/expression does not parse/)
    expect(text).toMatch(/nowhere/)
  })

  test.each(['__proto__', 'constructor', 'toString'])('node id %s is refused as reserved', async (reserved) => {
    const answer = await server.api('POST', '/api/v1/scenarios/validate', {
      id: 'reserved',
      nodes: [
        { id: 'start', type: 'start' },
        { id: reserved, type: 'timer', config: { pause: 'PT0.1S' } },
        { id: 'end', type: 'end' },
      ],
      edges: [
        { from: 'start', to: reserved },
        { from: reserved, to: 'end' },
      ],
    })
    const text = JSON.stringify(await answer.json())
    expect(text).toMatch(/nodes\[1\]\.id/)
    expect(text).toMatch(/reserved/)
  })

  test('a variable named __proto__ is an ordinary variable', async () => {
    await server.api('POST', '/api/v1/scenarios', {
      id: 'proto-var',
      nodes: [
        { id: 'start', type: 'start' },
        {
          id: 'a',
          type: 'setVariables',
          config: {
            assignments: [
              { name: '__proto__', value: '({ polluted: true })' },
              { name: 'box.__proto__', value: '1' },
              { name: '$body', value: '({ box })' },
            ],
          },
        },
        { id: 'end', type: 'end' },
      ],
      edges: [
        { from: 'start', to: 'a' },
        { from: 'a', to: 'end' },
      ],
    })
    await server.api('POST', '/api/v1/webrequests', { name: 'proto', urlId: 'proto-var', scenarioId: 'proto-var' })
    const answer = await server.call('/api/webrequest/proto-var')
    expect(answer.status).toBe(200)
    const record = await (await server.api('GET', `/api/v1/processes/${answer.headers.get('x-process-id')}`)).json()
    expect(Object.keys(record.output)).toContain('__proto__')
    expect(JSON.stringify(record.output.box)).toBe('{"__proto__":1}')
  })

  test('CORS origins "*" with credentials is refused', async () => {
    for (const origins of ['*', ['http://a.example', '*']]) {
      const answer = await server.api('POST', '/api/v1/webrequests', { name: 'open', urlId: `open-${typeof origins}`, scenarioId: 'echo', cors: { origins, credentials: true } })
      expect(answer.status).toBe(422)
      expect(JSON.stringify(await answer.json())).toMatch(/cors\.credentials/)
    }
  })
})

describe('abuse limits', () => {
  let guarded: TestServer
  beforeAll(async () => {
    guarded = await startServer({ authFailureLimit: 3, authFailureWindowMs: 60_000 })
  })
  afterAll(() => guarded?.close())

  test('wrong credentials: after AUTH_FAILURE_LIMIT failures the client gets 429 with Retry-After, even with the right token', async () => {
    // The window is read off this clock: its end is a step the test takes, not a minute's wait.
    const time = manualClock()
    try {
      for (let i = 0; i < 3; i++) {
        const wrong = await guarded.call('/api/webrequest/bearer', { headers: { authorization: `Bearer guess-${i}` } })
        expect(wrong.status).toBe(401)
      }
      const blocked = await guarded.call('/api/webrequest/bearer', { headers: { authorization: 'Bearer bearer-from-env' } })
      expect(blocked.status).toBe(429)
      expect(Number(blocked.headers.get('retry-after'))).toBe(60)
      expect((await errorOf(blocked)).code).toBe('TOO_MANY_AUTH_FAILURES')
      // The management API shares the count (the same client): blocked too.
      const api = await guarded.api('GET', '/api/v1/scenarios')
      expect(api.status).toBe(429)
      // Once the window ends the right token works again.
      await time.advance(60_000)
      expect((await guarded.call('/api/webrequest/bearer', { headers: { authorization: 'Bearer bearer-from-env' } })).status).toBe(200)
    } finally {
      time.restore()
    }
  })

  test('the management API counts wrong tokens; requests without any are not counted', async () => {
    const other = await startServer({ authFailureLimit: 2, authFailureWindowMs: 60_000 })
    try {
      for (let i = 0; i < 5; i++) expect((await other.api('GET', '/api/v1/scenarios', undefined, null)).status).toBe(401)
      expect((await other.api('GET', '/api/v1/scenarios')).status).toBe(200)
      for (let i = 0; i < 2; i++) expect((await other.api('GET', '/api/v1/scenarios', undefined, `wrong-token-${i}`)).status).toBe(401)
      const blocked = await other.api('GET', '/api/v1/scenarios')
      expect(blocked.status).toBe(429)
      expect(blocked.headers.get('retry-after')).toBeTruthy()
    } finally {
      await other.close()
    }
  })

  test('idempotency keys are scoped by the caller: another caller never gets the first answer', async () => {
    const send = (authorization: string, secret: string) =>
      server.call('/api/webrequest/idem', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'shared-key-1', authorization },
        body: JSON.stringify({ body: { secret } }),
      })
    const first = await send('Bearer alice-token', 'alice-data')
    expect(await first.json()).toEqual({ secret: 'alice-data' })
    const again = await send('Bearer alice-token', 'ignored')
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    const mallory = await send('Bearer mallory-token', 'mallory-data')
    expect(mallory.headers.get('idempotent-replayed')).toBeNull()
    expect(await mallory.json()).toEqual({ secret: 'mallory-data' })
    expect(mallory.headers.get('x-process-id')).not.toBe(first.headers.get('x-process-id'))
  })
})

describe('stopped processes', () => {
  async function record(id: string) {
    return (await server.api('GET', `/api/v1/processes/${id}`)).json()
  }

  test('a cancelled process has a duration and its running step is closed', async () => {
    const answer = await server.call('/api/webrequest/slow-ok?async=true')
    const id = answer.headers.get('x-process-id')!
    for (let i = 0; i < 100 && (await record(id)).steps?.find((s: { nodeId: string }) => s.nodeId === 'wait') === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect((await server.api('POST', `/api/v1/processes/${id}/cancel`)).status).toBe(200)
    let stored = await record(id)
    for (let i = 0; i < 50 && stored.steps.some((s: { status: string }) => s.status === 'running'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20))
      stored = await record(id)
    }
    expect(stored.status).toBe('cancelled')
    expect(typeof stored.durationMs).toBe('number')
    const wait = stored.steps.find((s: { nodeId: string }) => s.nodeId === 'wait')
    expect(wait).toMatchObject({ status: 'cancelled', error: { code: 'CANCELLED' } })
    expect(typeof wait.finishedAt).toBe('string')
    expect(typeof wait.durationMs).toBe('number')
  })

  test('an interrupted process (timeout) closes its running step', async () => {
    const answer = await server.call('/api/webrequest/slow')
    expect(answer.status).toBe(504)
    await server.context.writes.flush()
    const stored = await record(answer.headers.get('x-process-id')!)
    expect(stored.status).toBe('interrupted')
    const wait = stored.steps.find((s: { nodeId: string }) => s.nodeId === 'wait')
    expect(wait).toMatchObject({ status: 'interrupted', error: { code: 'TIMEOUT' } })
    expect(typeof wait.finishedAt).toBe('string')
  })
})

test('process lists carry no snapshots and leave large values out', async () => {
  const big = { blob: 'x'.repeat(100_000) }
  const answer = await post('/api/webrequest/echo', JSON.stringify(big))
  expect(answer.status).toBe(200)
  const id = answer.headers.get('x-process-id')!
  await server.context.writes.flush()
  const text = await (await server.api('GET', '/api/v1/processes?limit=5')).text()
  expect(text.length).toBeLessThan(100_000)
  const item = JSON.parse(text).items.find((p: { id: string }) => p.id === id)
  expect(item.snapshot).toBeUndefined()
  expect(item.omitted).toEqual(expect.arrayContaining(['input', 'output', 'response']))
  expect(item.status).toBe('completed')
  const whole = await (await server.api('GET', `/api/v1/processes/${id}`)).json()
  expect(whole.input.body).toEqual(big)
  expect(whole.omitted).toBeUndefined()
})

describe('amplification', () => {
  test('outbound requests per process are bounded (MAX_OUTBOUND_REQUESTS), with a clear error', async () => {
    let hits = 0
    const upstream = createServer((_req, res) => {
      hits++
      res.end('ok')
    })
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
    const target = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/`
    const local = await startServer(
      { runtime: { ...DEFAULT_RUNTIME_LIMITS, maxOutboundRequests: 5 } },
      {
        fanout: {
          id: 'fanout',
          nodes: [
            { id: 'start', type: 'start' },
            { id: 'init', type: 'setVariables', config: { assignments: [{ name: 'i', value: '0' }] } },
            { id: 'check', type: 'exclusiveGateway' },
            { id: 'call', type: 'webRequest', config: { url: `'${target}'` } },
            { id: 'step', type: 'setVariables', config: { assignments: [{ name: 'i', value: 'i + 1' }] } },
            { id: 'end', type: 'end' },
          ],
          edges: [
            { from: 'start', to: 'init' },
            { from: 'init', to: 'check' },
            { from: 'check', to: 'call', condition: 'i < 50' },
            { from: 'check', to: 'end', default: true },
            { from: 'call', to: 'step' },
            { from: 'step', to: 'check' },
          ],
          webrequests: [{ urlId: 'fanout', name: 'Fan-out' }],
        },
      },
    )
    try {
      const answer = await local.call('/api/webrequest/fanout')
      expect(answer.status).toBe(500)
      const error = await errorOf(answer)
      expect(error.code).toBe('OUTBOUND_LIMIT')
      expect(error.message).toMatch(/MAX_OUTBOUND_REQUESTS/)
      expect(hits).toBe(5)
    } finally {
      await local.close()
      upstream.close()
    }
  })

  test('a self-starting scenario stops at MAX_DESCENDANTS processes, async children included', async () => {
    const local = await startServer(
      { runtime: { ...DEFAULT_RUNTIME_LIMITS, maxDescendants: 4, maxSubprocessDepth: 100 } },
      {
        again: {
          id: 'again',
          nodes: [
            { id: 'start', type: 'start' },
            { id: 'spawn', type: 'subProcess', config: { scenario: "'again'", mode: 'async' } },
            { id: 'end', type: 'end' },
          ],
          edges: [
            { from: 'start', to: 'spawn' },
            { from: 'spawn', to: 'end' },
          ],
          webrequests: [{ urlId: 'again', name: 'Starts itself' }],
        },
      },
    )
    try {
      const answer = await local.call('/api/webrequest/again')
      expect(answer.status).toBe(200)
      let all: Awaited<ReturnType<typeof local.processes>> = []
      for (let i = 0; i < 400; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50))
        all = (await local.processes()).filter((p) => p.scenario.id === 'again')
        if (all.some((p) => p.error?.code === 'DESCENDANT_LIMIT') && all.every((p) => p.status !== 'queued' && p.status !== 'running')) break
      }
      // The root and its 4 descendants; the last one's attempt to start a fifth fails clearly.
      expect(all).toHaveLength(5)
      const stopped = all.find((p) => p.error?.code === 'DESCENDANT_LIMIT')
      expect(stopped?.error?.message).toMatch(/MAX_DESCENDANTS/)
    } finally {
      await local.close()
    }
  })
})

test.each([0, 1])('data nested deeper than MAX_STORED_DEPTH is stored as a note, so every record reads back (WORKERS=%i)', async (workers) => {
  const local = await startServer(
    { workers },
    {
      deep: {
        id: 'deep',
        nodes: [
          { id: 'start', type: 'start' },
          { id: 'build', type: 'code', config: { code: 'let v = 1; for (let i = 0; i < 3000; i++) v = { a: v }; return v', saveTo: 'deep' } },
          { id: 'answer', type: 'setVariables', config: { assignments: [{ name: '$body', value: '({ built: typeof deep })' }] } },
          { id: 'end', type: 'end' },
        ],
        edges: [
          { from: 'start', to: 'build' },
          { from: 'build', to: 'answer' },
          { from: 'answer', to: 'end' },
        ],
        webrequests: [{ urlId: 'deep', name: 'Deep data' }],
      },
    },
  )
  try {
    const answer = await local.call('/api/webrequest/deep')
    const id = answer.headers.get('x-process-id')!
    await local.context.writes.flush()
    const stored = await local.api('GET', `/api/v1/processes/${id}`)
    expect(stored.status).toBe(200)
    expect(JSON.stringify(await stored.json())).toContain('not stored]')
    expect((await local.api('GET', '/api/v1/processes')).status).toBe(200)
  } finally {
    await local.close()
  }
})
