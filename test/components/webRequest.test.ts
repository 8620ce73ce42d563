import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { startProcess } from '../../runtime/process.ts'
import { setRuntimeLimits } from '../../runtime/limits.ts'
import { validateScenario } from '../../runtime/scenario.ts'
import type { ScenarioNode } from '../../runtime/types.ts'
import { refusedAddress, type RefusedAddress } from '../refused.ts'
import { chain, eventually, loadFlow, withErrorBoundary, withTimeoutBoundary } from './helpers.ts'

/** What the test server saw: every request, and the ones whose client went away before the answer. */
const seen: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: Buffer }> = []
const aborted: string[] = []
let server: Server
let base: string

const routes: Record<string, (req: IncomingMessage, res: ServerResponse, body: Buffer) => void> = {
  '/json': (req, res) => json(res, 200, { hello: 'world', query: Object.fromEntries(new URL(req.url!, base).searchParams) }),
  '/echo': (req, res, body) => json(res, 200, { method: req.method, type: req.headers['content-type'] ?? null, body: body.toString('utf8') }),
  '/bytes': (_req, res) => {
    res.writeHead(200, { 'content-type': 'image/png' })
    res.end(Buffer.from(Array.from({ length: 256 }, (_, i) => i)))
  },
  '/mirror': (req, res, body) => {
    res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/octet-stream' })
    res.end(body)
  },
  '/text': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' })
    res.end('привет')
  },
  '/cookies': (_req, res) => {
    res.setHeader('X-Custom', 'yes')
    res.setHeader('Set-Cookie', ['sid=abc123; Path=/; HttpOnly; Max-Age=3600; SameSite=Lax', 'theme="dark"; Domain=example.com; Secure; Expires=Wed, 21 Oct 2037 07:28:00 GMT'])
    res.end('ok')
  },
  '/slow': (req, res) => {
    res.on('close', () => {
      if (!res.writableEnded) aborted.push(req.url!)
    })
  },
  '/redirect': (_req, res) => {
    res.writeHead(302, { location: '/json?via=redirect' })
    res.end()
  },
  '/elsewhere': (req, res) => {
    res.writeHead(302, { location: `http://localhost:${req.socket.localPort}/auth` })
    res.end()
  },
  '/loop': (_req, res) => {
    res.writeHead(302, { location: '/loop' })
    res.end()
  },
  '/missing': (_req, res) => json(res, 404, { error: 'no such thing' }),
  '/big': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' })
    for (let i = 0; i < 64; i++) res.write('x'.repeat(1024))
    res.end()
  },
  '/big-declared': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(64 * 1024) })
    res.end('x'.repeat(64 * 1024))
  },
  '/auth': (req, res) => json(res, 200, { authorization: req.headers.authorization ?? null }),
  '/secret-denied': (_req, res) => json(res, 401, { error: 'bad token' }),
}

function json(res: ServerResponse, status: number, value: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(value))
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body })
      const route = routes[new URL(req.url!, 'http://x').pathname]
      if (route) route(req, res, body)
      else json(res, 404, { error: 'no route' })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))
afterEach(() => setRuntimeLimits({}, true))

const request = (config: Record<string, unknown>, id = 'call'): ScenarioNode => ({ id, type: 'webRequest', config })
const run = (config: Record<string, unknown>, input = {}) => startProcess(chain([request(config)]), { base, ...input })
const last = () => seen[seen.length - 1]

/** Where connections are refused (see test/refused.ts). */
let nowhere: RefusedAddress
beforeAll(async () => {
  nowhere = await refusedAddress()
})
afterAll(() => nowhere.close())

describe('webRequest', () => {
  test('GET JSON with query and headers: status, lower-case headers and parsed body', async () => {
    const result = await run({
      url: "base + '/json?fixed=1'",
      query: [
        { name: 'q', value: "'a b'" },
        { name: 'tag', value: "['x', 'y']" },
        { name: 'skip', value: 'null' },
      ],
      headers: [{ name: 'X-Trace', value: "'t-1'" }],
      statusTo: 'res.status',
      headersTo: 'res.headers',
      bodyTo: 'res.body',
    })
    expect(result.status).toBe('completed')
    expect(result.output.res).toMatchObject({ status: 200, headers: { 'content-type': 'application/json' }, body: { hello: 'world', query: { fixed: '1', q: 'a b', tag: 'y' } } })
    expect(last().url).toBe('/json?fixed=1&q=a+b&tag=x&tag=y')
    expect(last().headers['x-trace']).toBe('t-1')
  })

  test.each([
    ['json value', { format: 'json', value: '({ a: 1, list: [true] })' }, 'application/json; charset=utf-8', '{"a":1,"list":[true]}'],
    [
      'json fields',
      {
        format: 'json',
        fields: [
          { name: 'n', value: '2' },
          { name: 's', value: "'x'" },
        ],
      },
      'application/json; charset=utf-8',
      '{"n":2,"s":"x"}',
    ],
    [
      'form fields',
      {
        format: 'form',
        fields: [
          { name: 'name', value: "'Ann Lee'" },
          { name: 'tags', value: "['a', 'b']" },
        ],
      },
      'application/x-www-form-urlencoded',
      'name=Ann+Lee&tags=a&tags=b',
    ],
    ['form object', { format: 'form', value: "({ q: 'ü&=' })" }, 'application/x-www-form-urlencoded', 'q=%C3%BC%26%3D'],
    ['text', { format: 'text', value: "'plain ' + 1" }, 'text/plain; charset=utf-8', 'plain 1'],
    ['xml', { format: 'xml', value: "'<a>1</a>'" }, 'application/xml; charset=utf-8', '<a>1</a>'],
  ])('POST a %s body', async (_name, body, type, sent) => {
    const result = await run({ method: 'POST', url: "base + '/echo'", body, bodyTo: 'echo' })
    expect(result.status).toBe('completed')
    expect(result.output.echo).toEqual({ method: 'POST', type, body: sent })
  })

  test('a Content-Type header given by the designer wins over the body format', async () => {
    const result = await run({ method: 'PUT', url: "base + '/echo'", headers: [{ name: 'content-type', value: "'application/vnd.api+json'" }], body: { format: 'json', value: '[1]' }, bodyTo: 'echo' })
    expect(result.output.echo).toEqual({ method: 'PUT', type: 'application/vnd.api+json', body: '[1]' })
  })

  test('binary round trip: bytes in as a binary value, sent back as bytes', async () => {
    const scenario = chain([
      request({ url: "base + '/bytes'", bodyTo: 'image' }, 'download'),
      request({ method: 'POST', url: "base + '/mirror'", body: { format: 'binary', value: 'image' }, responseFormat: 'binary', bodyTo: 'back' }, 'upload'),
    ])
    const result = await startProcess(scenario, { base })
    expect(result.status).toBe('completed')
    const image = result.output.image as { $binary: string; contentType: string }
    expect(image.contentType).toBe('image/png')
    expect([...Buffer.from(image.$binary, 'base64')]).toEqual(Array.from({ length: 256 }, (_, i) => i))
    expect(last().headers['content-type']).toBe('image/png')
    expect(result.output.back).toEqual(image)
  })

  test('responseFormat: auto decodes text by charset, text and json force a reading', async () => {
    const text = await run({ url: "base + '/text'", bodyTo: 'b' })
    expect(text.output.b).toBe('привет')
    const forced = await run({ url: "base + '/json'", responseFormat: 'text', bodyTo: 'b' })
    expect(JSON.parse(forced.output.b as string)).toMatchObject({ hello: 'world' })
    const notJson = await run({ url: "base + '/text'", responseFormat: 'json', bodyTo: 'b' })
    expect(notJson.error?.code).toBe('HTTP_INVALID_JSON')
  })

  test('headers: lower-case keys, set-cookie parsed into a list', async () => {
    const result = await run({ url: "base + '/cookies'", headersTo: 'h' })
    const headers = result.output.h as Record<string, unknown>
    expect(headers['x-custom']).toBe('yes')
    expect(Object.keys(headers).every((k) => k === k.toLowerCase())).toBe(true)
    expect(headers['set-cookie']).toEqual([
      { name: 'sid', value: 'abc123', path: '/', httpOnly: true, maxAge: 3600, sameSite: 'Lax' },
      { name: 'theme', value: 'dark', domain: 'example.com', secure: true, expires: 'Wed, 21 Oct 2037 07:28:00 GMT' },
    ])
    // Bpium's collection: headers.cookies.<name>.value
    expect(headers.cookies).toEqual({
      sid: { name: 'sid', value: 'abc123', path: '/', httpOnly: true, maxAge: 3600, sameSite: 'Lax' },
      theme: { name: 'theme', value: 'dark', domain: 'example.com', secure: true, expires: 'Wed, 21 Oct 2037 07:28:00 GMT' },
    })
    const bpiumStyle = await startProcess(
      chain([
        request({ url: "base + '/cookies'", headersTo: 'h' }),
        { id: 'read', type: 'setVariables', config: { assignments: [{ name: 'sid', value: "h.cookies.sid.value + '/' + h['cookies']['theme'].value" }] } },
      ]),
      { base },
    )
    expect(bpiumStyle.output.sid).toBe('abc123/dark')
  })

  test('key/value fields without a format go as a form, as Bpium sends them; format json keeps JSON', async () => {
    const fields = [
      { name: 'name', value: "'Анна'" },
      { name: 'tags', value: "['a', 'b']" },
    ]
    const form = await run({ method: 'POST', url: "base + '/echo'", body: { fields }, bodyTo: 'b' })
    expect(form.output.b).toMatchObject({ type: 'application/x-www-form-urlencoded', body: 'name=%D0%90%D0%BD%D0%BD%D0%B0&tags=a&tags=b' })
    const json = await run({ method: 'POST', url: "base + '/echo'", body: { format: 'json', fields }, bodyTo: 'b' })
    expect(json.output.b).toMatchObject({ type: 'application/json; charset=utf-8', body: '{"name":"Анна","tags":["a","b"]}' })
    expect(validateScenario(chain([request({ method: 'POST', url: "'http://x'", body: { value: 'x' } })])).ok).toBe(false) // a value needs its format
  })

  test('auth: basic and bearer set Authorization', async () => {
    const basic = await run({ url: "base + '/auth'", auth: { type: 'basic', login: "'ann'", password: "'p:w'" }, bodyTo: 'b' })
    expect(basic.output.b).toEqual({ authorization: `Basic ${Buffer.from('ann:p:w').toString('base64')}` })
    const bearer = await run({ url: "base + '/auth'", auth: { type: 'bearer', token: 'token' }, bodyTo: 'b' }, { token: 'tok-1' })
    expect(bearer.output.b).toEqual({ authorization: 'Bearer tok-1' })
  })

  test('a slow endpoint hits the timeout: HTTP_TIMEOUT, and the server sees the request aborted', async () => {
    const started = Date.now()
    const result = await run({ url: "base + '/slow?t=1'", timeoutMs: 200 })
    expect(result.status).toBe('failed')
    expect(result.error).toMatchObject({ code: 'HTTP_TIMEOUT', nodeId: 'call' })
    expect(result.error!.message).toMatch(/within 200 ms/)
    expect(Date.now() - started).toBeLessThan(2000)
    await eventually(() => aborted.includes('/slow?t=1'))
  })

  test('connection refused: HTTP_NETWORK naming the cause', async () => {
    const result = await run({ url: `'http://${nowhere.host}:${nowhere.port}/x?key=hidden'` })
    expect(result.error).toMatchObject({ code: 'HTTP_NETWORK' })
    expect(result.error!.message).toMatch(/ECONNREFUSED/)
    expect(result.error!.message).not.toMatch(/hidden/)
  })

  test('redirects are followed; an endless redirect loop is a network error', async () => {
    const result = await run({ url: "base + '/redirect'", statusTo: 's', bodyTo: 'b' })
    expect(result.output.s).toBe(200)
    expect(result.output.b).toMatchObject({ hello: 'world', query: { via: 'redirect' } })
    const loop = await run({ url: "base + '/loop'" })
    expect(loop.error?.code).toBe('HTTP_NETWORK')
    expect(loop.error?.message).toMatch(/redirect/i)
  })

  test('a redirect to another origin does not carry the Authorization header along', async () => {
    const result = await run({ url: "base + '/elsewhere'", auth: { type: 'bearer', token: "'tok'" }, bodyTo: 'b' })
    expect(result.output.b).toEqual({ authorization: null })
  })

  describe('WEBREQUEST_DENY_PRIVATE', () => {
    test('loopback, private, link-local and mapped addresses are refused before anything is sent', async () => {
      setRuntimeLimits({ webRequestDenyPrivate: true })
      const before = seen.length
      const local = await run({ url: "base + '/json'" })
      expect(local.error?.code).toBe('HTTP_FORBIDDEN_DESTINATION')
      expect(local.error?.message).toMatch(/127\.0\.0\.1/)
      for (const url of [
        'http://localhost:1/',
        'http://10.1.2.3/',
        'http://169.254.169.254/latest/meta-data',
        'http://[::1]/',
        'http://[::ffff:127.0.0.1]/',
        'http://0.0.0.0/',
        'http://192.168.1.1/',
      ]) {
        const result = await run({ url: `'${url}'`, timeoutMs: 2000 })
        expect(result.error?.code, url).toBe('HTTP_FORBIDDEN_DESTINATION')
      }
      expect(seen.length).toBe(before)
    })

    test('NAT64, IPv4-compatible and 6to4 forms of a private address are refused too', async () => {
      setRuntimeLimits({ webRequestDenyPrivate: true })
      for (const url of [
        'http://[64:ff9b::7f00:1]/',
        'http://[64:ff9b::10.0.0.1]/',
        'http://[::127.0.0.1]/',
        'http://[::a9fe:a9fe]/',
        'http://[2002:c0a8:101::1]/',
        'http://[64:ff9b:1::1]/',
        'http://[::ffff:7f00:1]/',
      ]) {
        const result = await run({ url: `'${url}'`, timeoutMs: 2000 })
        expect(result.error?.code, url).toBe('HTTP_FORBIDDEN_DESTINATION')
      }
    })

    test('an allowed host is reached; every redirect hop is checked, credentials stay on their origin', async () => {
      setRuntimeLimits({ webRequestDenyPrivate: true, webRequestAllowHosts: ['127.0.0.1'] })
      const redirected = await run({ url: "base + '/redirect'", statusTo: 's', bodyTo: 'b' })
      expect(redirected.output.s).toBe(200)
      expect(redirected.output.b).toMatchObject({ query: { via: 'redirect' } })
      // /elsewhere redirects to localhost, which is not allowed.
      const elsewhere = await run({ url: "base + '/elsewhere'" })
      expect(elsewhere.error?.code).toBe('HTTP_FORBIDDEN_DESTINATION')
      setRuntimeLimits({ webRequestAllowHosts: ['127.0.0.1', 'localhost'] })
      const auth = await run({ url: "base + '/elsewhere'", auth: { type: 'bearer', token: "'tok'" }, bodyTo: 'b' })
      expect(auth.output.b).toEqual({ authorization: null })
      const loop = await run({ url: "base + '/loop'" })
      expect(loop.error?.code).toBe('HTTP_NETWORK')
      expect(loop.error?.message).toMatch(/redirect/i)
    })
  })

  test('a non-2xx status is an answer, unless failOnStatus', async () => {
    const plain = await run({ url: "base + '/missing'", statusTo: 's', bodyTo: 'b' })
    expect(plain.status).toBe('completed')
    expect(plain.output).toMatchObject({ s: 404, b: { error: 'no such thing' } })
    const strict = await run({ url: "base + '/missing'", failOnStatus: true, statusTo: 's' })
    expect(strict.status).toBe('failed')
    expect(strict.error).toMatchObject({ code: 'HTTP_STATUS', details: { status: 404 } })
    expect(strict.error!.message).toMatch(/404 Not Found: \{"error":"no such thing"\}/)
    expect(strict.output.s).toBeUndefined()
  })

  test('the response size limit holds while streaming and for a declared length', async () => {
    setRuntimeLimits({ webRequestMaxResponseBytes: 10000 })
    for (const path of ['/big', '/big-declared']) {
      const result = await run({ url: `base + '${path}'`, bodyTo: 'b' })
      expect(result.error?.code).toBe('HTTP_TOO_LARGE')
      expect(result.error?.message).toMatch(/more than 10000 bytes/)
    }
    setRuntimeLimits({}, true)
    const fine = await run({ url: "base + '/big'", bodyTo: 'b' })
    expect((fine.output.b as string).length).toBe(64 * 1024)
  })

  test('a process timeout aborts the request in flight', async () => {
    const started = Date.now()
    const result = await startProcess(chain([request({ url: "base + '/slow?t=process'" })]), { base }, { timeoutMs: 200 })
    expect(result.status).toBe('interrupted')
    expect(result.error?.code).toBe('TIMEOUT')
    expect(Date.now() - started).toBeLessThan(2000)
    await eventually(() => aborted.includes('/slow?t=process'))
  })

  test('a timeout boundary leaves the node and aborts the request', async () => {
    const result = await startProcess(withTimeoutBoundary(request({ url: "base + '/slow?t=boundary'" }), 'PT0.2S'), { base })
    expect(result.status).toBe('completed')
    expect(result.output.timedOut).toBe(true)
    await eventually(() => aborted.includes('/slow?t=boundary'))
  })

  test('an error boundary catches an HTTP error and writes its code', async () => {
    const result = await startProcess(withErrorBoundary(request({ url: `'http://${nowhere.host}:${nowhere.port}/'` })), {})
    expect(result.status).toBe('completed')
    expect(result.output.err).toMatchObject({ code: 'HTTP_NETWORK', message: expect.stringMatching(/ECONNREFUSED/) })
  })

  test('secrets never appear in errors', async () => {
    const refused = await run({ url: `'http://${nowhere.host}:${nowhere.port}/'`, auth: { type: 'bearer', token: "'SECRET-TOKEN'" }, headers: [{ name: 'X-Api-Key', value: "'SECRET-KEY'" }] })
    const denied = await run({ url: "base + '/secret-denied'", failOnStatus: true, auth: { type: 'basic', login: "'ann'", password: "'SECRET-PASS'" } })
    const badHeader = await run({ url: "base + '/json'", headers: [{ name: 'X-Api-Key', value: "'SECRET\\nVALUE'" }] })
    const withCredentials = await run({ url: "'http://ann:SECRET-PASS@127.0.0.1/'" })
    expect(badHeader.error).toMatchObject({ code: 'HTTP_INVALID_REQUEST', message: expect.stringMatching(/X-Api-Key/) })
    expect(withCredentials.error).toMatchObject({ code: 'HTTP_INVALID_URL', message: expect.stringMatching(/use auth/) })
    for (const result of [refused, denied, badHeader, withCredentials]) {
      expect(result.status).toBe('failed')
      expect(JSON.stringify(result.error)).not.toMatch(/SECRET/)
    }
  })

  test('waitForResponse false returns at once; a failing request crashes nothing', async () => {
    const started = Date.now()
    const result = await run({ url: "base + '/slow?t=forget'", waitForResponse: false, timeoutMs: 300, statusTo: 's' })
    expect(result.status).toBe('completed')
    expect(result.output.s).toBeUndefined()
    expect(Date.now() - started).toBeLessThan(250)
    await eventually(() => seen.some((r) => r.url === '/slow?t=forget'))
    const refused = await run({ url: `'http://${nowhere.host}:${nowhere.port}/'`, waitForResponse: false })
    expect(refused.status).toBe('completed')
    await eventually(() => aborted.includes('/slow?t=forget'))
  })

  test('validation: GET with a body, bad header names, unknown formats', () => {
    const problems = (config: Record<string, unknown>) => {
      const result = validateScenario(chain([request(config)]))
      return result.ok ? [] : result.problems.map((p) => p.path)
    }
    expect(problems({ url: "'http://x'", body: { format: 'json', value: '1' } })).toContain('nodes[1].config.body')
    expect(problems({ url: "'http://x'", headers: [{ name: 'bad header', value: '1' }] })).toContain('nodes[1].config.headers[0].name')
    expect(problems({ url: "'http://x'", responseFormat: 'yaml' })).toContain('nodes[1].config.responseFormat')
    expect(problems({ url: "'http://x' +" })).toContain('nodes[1].config.url')
    expect(problems({ method: 'POST', url: "'http://x'", body: { format: 'text', fields: [{ name: 'a', value: '1' }] } })).toContain('nodes[1].config.body.fields')
  })

  test('flows/web-request.json posts to greet and answers 502 when the call fails', async () => {
    const greet = createServer((req, res) => {
      let text = ''
      req.on('data', (c) => {
        text += c
      })
      req.on('end', () => json(res, 201, { greeting: `Hello, ${JSON.parse(text).name}`, caller: req.headers['x-caller'], url: req.url }))
    })
    await new Promise<void>((resolve) => greet.listen(0, '127.0.0.1', resolve))
    const greetUrl = `http://127.0.0.1:${(greet.address() as AddressInfo).port}/api/webrequest/greet`
    try {
      const ok = await startProcess(loadFlow('web-request'), { body: { name: 'Ada' }, greetUrl })
      expect(ok.output.$body).toEqual({ upstreamStatus: 201, upstreamType: 'application/json', reply: { greeting: 'Hello, Ada', caller: 'potok', url: '/api/webrequest/greet?from=web-request' } })
    } finally {
      await new Promise((resolve) => greet.close(resolve))
    }
    const failed = await startProcess(loadFlow('web-request'), { body: {}, greetUrl })
    expect(failed.status).toBe('completed')
    expect(failed.output.$status).toBe(502)
    expect(failed.output.$body).toMatchObject({ error: 'HTTP_NETWORK' })
  })
})
