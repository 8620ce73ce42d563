/**
 * The endpoint (docs/server.md) through real HTTP: addresses and methods, the input variables, every body kind,
 * and the answer built from `$status/$headers/$body`.
 */
import { readFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { errorOf, startServer, type TestServer } from './helpers.ts'

let server: TestServer
beforeAll(async () => {
  server = await startServer()
})
afterAll(async () => {
  await server?.close()
})

const echo = async (init: RequestInit & { path?: string } = {}) => {
  const response = await server.call(init.path ?? '/api/webrequest/echo', init)
  expect(response.status).toBe(200)
  return (await response.json()) as Record<string, any>
}

describe('addresses and methods', () => {
  test('every method starts the process; a trailing slash is the same address', async () => {
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      for (const path of ['/api/webrequest/echo', '/api/webrequest/echo/']) {
        const response = await server.call(path, { method })
        expect(response.status, `${method} ${path}`).toBe(200)
        expect((await response.json()).method).toBe(method)
      }
    }
    const head = await server.call('/api/webrequest/echo', { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('x-process-id')).toMatch(/^[0-9a-f-]{36}$/)
    expect(await head.text()).toBe('')
  })

  test('process ids are time-ordered UUIDs (version 7): a later process sorts after an earlier one', async () => {
    const ids: string[] = []
    for (let i = 0; i < 3; i++) {
      const response = await server.call('/api/webrequest/echo', { method: 'POST' })
      ids.push(response.headers.get('x-process-id')!)
      await new Promise((resolve) => setTimeout(resolve, 2))
    }
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect([...ids].sort()).toEqual(ids)
    // The first 48 bits are the time it was made, in ms.
    const made = Number.parseInt(ids[0]!.replace('-', '').slice(0, 12), 16)
    expect(Math.abs(made - Date.now())).toBeLessThan(60_000)
  })

  test('unknown and disabled urlIds answer 404 with the error body and create no process', async () => {
    const before = (await server.processes()).length
    for (const path of ['/api/webrequest/nope', '/api/webrequest/echo-off', '/api/webrequest/echo-off/', '/api/webrequest/%E2%9C%93', '/api/webrequest/a.b']) {
      const response = await server.call(path, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })
      expect(response.status, path).toBe(404)
      expect(response.headers.get('x-process-id')).toBeNull()
      expect((await errorOf(response)).code).toBe('NOT_FOUND')
    }
    expect((await server.processes()).length).toBe(before)
  })

  test('enabling and disabling take effect on the next request', async () => {
    const record = await (await server.api('GET', '/api/v1/webrequests/echo-off')).json()
    expect((await server.api('PUT', '/api/v1/webrequests/echo-off', { ...record, enabled: true })).status).toBe(200)
    expect((await server.call('/api/webrequest/echo-off')).status).toBe(200)
    expect((await server.api('PUT', '/api/v1/webrequests/echo-off', { ...record, enabled: false })).status).toBe(200)
    expect((await server.call('/api/webrequest/echo-off')).status).toBe(404)
  })
})

describe('input variables', () => {
  test('event, script, user, url, method, headers, cookies and query', async () => {
    const vars = await new Promise<Record<string, any>>((resolve, reject) => {
      // node:http, to send repeated headers and a raw query string exactly
      const req = httpRequest(
        `${server.url}api/webrequest/echo?sort=id&tag=a&tag=b&empty=&x=%D0%AF`,
        { method: 'PATCH', headers: { 'X-Custom': ['one', 'two'], Cookie: 'sid=abc; theme=dark%20blue', 'X-Upper-Case': 'Yes' } },
        (res) => {
          let text = ''
          res.on('data', (c) => {
            text += c
          })
          res.on('end', () => resolve(JSON.parse(text)))
        },
      )
      req.on('error', reject)
      req.end()
    })
    expect(vars.event).toEqual({ id: 'echo', type: '$webRequest', async: false })
    expect(vars.script).toEqual({ id: 'echo' })
    expect(vars.user).toEqual({ id: null })
    expect(vars.url).toBe(`${server.url}api/webrequest/echo?sort=id&tag=a&tag=b&empty=&x=%D0%AF`)
    expect(vars.method).toBe('PATCH')
    expect(vars.headers['x-custom']).toBe('one, two')
    expect(vars.headers['x-upper-case']).toBe('Yes')
    expect(Object.keys(vars.headers).every((k) => k === k.toLowerCase())).toBe(true)
    expect(vars.cookies).toEqual({ sid: 'abc', theme: 'dark blue' })
    expect(vars.query).toEqual({ sort: 'id', tag: ['a', 'b'], empty: '', x: 'Я' })
    expect(vars.body).toEqual({})
  })

  test('user.id is "admin" with the admin bearer token, else null', async () => {
    expect((await echo({ headers: { authorization: `Bearer ${server.token}` } })).user).toEqual({ id: 'admin' })
    expect((await echo({ headers: { authorization: 'Bearer not-the-token' } })).user).toEqual({ id: null })
  })

  test('JSON body → the parsed value (also +json types and a BOM)', async () => {
    const body = { name: 'Ада', list: [1, 2, { deep: true }], n: null }
    expect((await echo({ method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) })).body).toEqual(body)
    expect((await echo({ method: 'POST', headers: { 'content-type': 'application/vnd.api+json' }, body: '\uFEFF[1,"two"]' })).body).toEqual([1, 'two'])
    expect((await echo({ method: 'POST', headers: { 'content-type': 'application/json' }, body: '42' })).body).toBe(42)
  })

  test('urlencoded body → object, repeated keys as arrays', async () => {
    const vars = await echo({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1&b=x+y&b=z&c=%D0%AF&__proto__=p' })
    expect(vars.body).toEqual({ a: '1', b: ['x y', 'z'], c: 'Я', ['__proto__']: 'p' })
  })

  test('multipart body → fields, and files as { filename, contentType, size, data } in base64', async () => {
    const form = new FormData()
    form.append('title', 'Отчёт')
    form.append('tag', 'a')
    form.append('tag', 'b')
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 3, 255, 254])
    form.append('file', new Blob([png], { type: 'image/png' }), 'pixel.png')
    const big = Buffer.alloc(300_001, 7)
    form.append('big', new Blob([big], { type: 'application/octet-stream' }), 'big.bin')
    const vars = await echo({ method: 'POST', body: form })
    expect(vars.body.title).toBe('Отчёт')
    expect(vars.body.tag).toEqual(['a', 'b'])
    expect(vars.body.file).toEqual({ filename: 'pixel.png', contentType: 'image/png', size: png.length, data: png.toString('base64') })
    expect(vars.body.big.size).toBe(big.length)
    expect(Buffer.from(vars.body.big.data, 'base64').equals(big)).toBe(true)
  })

  test('text/* and XML → string; other types and none → binary value', async () => {
    expect((await echo({ method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'привет' })).body).toBe('привет')
    expect((await echo({ method: 'POST', headers: { 'content-type': 'text/plain; charset=windows-1251' }, body: Buffer.from([0xcf, 0xf0, 0xe8]) })).body).toBe('При')
    expect((await echo({ method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<a>1</a>' })).body).toBe('<a>1</a>')
    expect((await echo({ method: 'POST', headers: { 'content-type': 'application/soap+xml' }, body: '<s/>' })).body).toBe('<s/>')
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252])
    expect((await echo({ method: 'POST', headers: { 'content-type': 'application/pdf' }, body: bytes })).body).toEqual({ $binary: bytes.toString('base64'), contentType: 'application/pdf' })
  })

  test('no body → {}', async () => {
    expect((await echo({ method: 'POST' })).body).toEqual({})
    expect((await echo({ method: 'PUT', headers: { 'content-type': 'application/json' }, body: '' })).body).toEqual({})
  })

  test('bad JSON → 400, no process', async () => {
    const before = (await server.processes()).length
    const response = await server.call('/api/webrequest/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a": ' })
    expect(response.status).toBe(400)
    expect((await errorOf(response)).code).toBe('INVALID_JSON')
    expect((await server.processes()).length).toBe(before)
  })

  test('a body over MAX_BODY_BYTES → 413, no process (declared length and chunked)', async () => {
    const small = await startServer({ maxBodyBytes: 1024 })
    try {
      const declared = await small.call('/api/webrequest/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ s: 'x'.repeat(2000) }) })
      expect(declared.status).toBe(413)
      expect((await errorOf(declared)).code).toBe('PAYLOAD_TOO_LARGE')
      const stream = new ReadableStream({
        start(controller) {
          for (let i = 0; i < 4; i++) controller.enqueue(new TextEncoder().encode('y'.repeat(400)))
          controller.close()
        },
      })
      const chunked = await small.call('/api/webrequest/echo', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: stream, duplex: 'half' } as RequestInit)
      expect(chunked.status).toBe(413)
      expect((await errorOf(chunked)).code).toBe('PAYLOAD_TOO_LARGE')
      const form = new FormData()
      form.append('file', new Blob([Buffer.alloc(5000)]), 'f.bin')
      expect((await small.call('/api/webrequest/echo', { method: 'POST', body: form })).status).toBe(413)
      expect(await small.processes()).toHaveLength(0)
      // exactly at the limit is fine
      expect((await small.call('/api/webrequest/echo', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'z'.repeat(1024) })).status).toBe(200)
    } finally {
      await small.close()
    }
  })
})

describe('the answer', () => {
  const replyWith = (control: Record<string, unknown>, method = 'POST') =>
    server.call('/api/webrequest/reply', { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(control) })

  test('$status, $headers and an object $body → JSON', async () => {
    const response = await replyWith({ status: 201, headers: { 'X-One': '1', 'Set-Cookie': ['a=1', 'b=2'] }, body: { ok: true } })
    expect(response.status).toBe(201)
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(response.headers.get('x-one')).toBe('1')
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2'])
    expect(response.headers.get('x-process-id')).toMatch(/^[0-9a-f-]{36}$/)
    expect(await response.json()).toEqual({ ok: true })
  })

  test('defaults: no $status → 200; arrays, numbers, booleans → JSON; string → text; null → empty', async () => {
    for (const [body, text, type] of [
      [[1, 2], '[1,2]', 'application/json; charset=utf-8'],
      [7, '7', 'application/json; charset=utf-8'],
      [false, 'false', 'application/json; charset=utf-8'],
      ['hello', 'hello', 'text/plain; charset=utf-8'],
      [null, '', null],
    ] as const) {
      const response = await replyWith({ body })
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe(type)
      expect(await response.text()).toBe(text)
    }
    const own = await replyWith({ headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: '<b>hi</b>' })
    expect(own.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(await own.text()).toBe('<b>hi</b>')
  })

  test('framing headers from $headers are ignored', async () => {
    const response = await replyWith({ headers: { 'Content-Length': '999', 'Transfer-Encoding': 'gzip', Connection: 'close', 'X-Kept': 'yes' }, body: 'abc' })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-length')).toBe('3')
    expect(response.headers.get('x-kept')).toBe('yes')
    expect(await response.text()).toBe('abc')
  })

  test('a binary value is sent as bytes: an image posted in comes back byte-identical', async () => {
    const image = readFileSync(new URL('./fixtures/pixel.png', import.meta.url))
    const response = await server.call('/api/webrequest/mirror', { method: 'POST', headers: { 'content-type': 'image/png' }, body: image })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('image/png')
    expect(Buffer.from(await response.arrayBuffer()).equals(image)).toBe(true)
    const raw = await server.call('/api/webrequest/mirror', { method: 'POST', body: Buffer.from([1, 2, 3]) })
    expect(raw.headers.get('content-type')).toBe('application/octet-stream')
    expect([...new Uint8Array(await raw.arrayBuffer())]).toEqual([1, 2, 3])
  })

  test('HEAD gets the headers and no body', async () => {
    const response = await server.call('/api/webrequest/echo', { method: 'HEAD' })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(await response.text()).toBe('')
  })

  test('wrong-typed output variables → 500 naming the variable; the process is recorded failed', async () => {
    for (const [control, variable] of [
      [{ status: 'abc' }, '$status'],
      [{ status: 99 }, '$status'],
      [{ status: 600 }, '$status'],
      [{ status: 101 }, '$status'],
      [{ headers: 'x' }, '$headers'],
      [{ headers: { 'X-Obj': { a: 1 } } }, '$headers.X-Obj'],
      [{ headers: { 'Bad Name': 'x' } }, '$headers'],
      [{ headers: { 'X-Inject': 'a\r\nSet-Cookie: evil=1' } }, '$headers.X-Inject'],
    ] as const) {
      const response = await replyWith(control as Record<string, unknown>)
      expect(response.status, JSON.stringify(control)).toBe(500)
      const processId = response.headers.get('x-process-id')!
      const error = await errorOf(response)
      expect(error.code).toBe('INVALID_OUTPUT')
      expect(error.message).toContain(variable)
      expect(error.processId).toBe(processId)
      const [record] = (await server.processes()).filter((p) => p.id === processId)
      expect(record.status).toBe('failed')
      expect(record.error?.code).toBe('INVALID_OUTPUT')
    }
  })

  test('a process that fails → 500 with processId, recorded failed; never 200', async () => {
    const response = await server.call('/api/webrequest/fail', { method: 'POST' })
    expect(response.status).toBe(500)
    const error = await errorOf(response)
    expect(error.code).toBe('UNDEFINED_VARIABLE')
    expect(error.processId).toBe(response.headers.get('x-process-id'))
    expect(error.details?.nodeId).toBe('boom')
    const record = (await server.processes()).find((p) => p.id === error.processId)!
    expect(record.status).toBe('failed')
    expect(record.response?.status).toBe(500)
  })

  test('every process is recorded: input, output, response, steps, snapshot, scenario version', async () => {
    const response = await server.call('/api/webrequest/greet', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Ada', n: 41 }) })
    expect(response.status).toBe(201)
    expect(response.headers.get('x-flow')).toBe('yes')
    expect(await response.json()).toEqual({ greeting: 'Hello, Ada', next: 42 })
    const id = response.headers.get('x-process-id')!
    await server.processes()
    const record = (await server.store.getProcess(id, { steps: true }))!
    expect(record.status).toBe('completed')
    expect(record.scenario).toEqual({ id: 'greet', version: 1 })
    expect(record.trigger).toEqual({ type: '$webRequest', id: 'greet', async: false })
    expect(record.input.body).toEqual({ name: 'Ada', n: 41 })
    expect(record.output?.$body).toEqual({ greeting: 'Hello, Ada', next: 42 })
    expect(record.response).toMatchObject({ status: 201, body: { greeting: 'Hello, Ada', next: 42 } })
    expect(record.response?.headers['x-process-id']).toBe(id)
    expect(record.steps?.map((s) => s.nodeId)).toEqual(['start', 'vars', 'end'])
    expect(record.snapshot).toBeTruthy()
    expect(record.durationMs).toBeGreaterThanOrEqual(0)
  })
})
