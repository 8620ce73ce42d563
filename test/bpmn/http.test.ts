/**
 * The fixtures imported and run end to end through a real server's `/api/webrequest/{urlId}`,
 * and the BPMN routes over HTTP (`registerBpmnRoutes`, on the server's own context).
 */
import { readFileSync } from 'node:fs'
import { H3 } from 'h3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importBpmn } from '../../bpmn/import.ts'
import { registerBpmnRoutes } from '../../server/api/bpmn.ts'
import { errorResponse, toCallerError } from '../../server/errors.ts'
import { errorOf, startServer, type TestServer } from '../server/helpers.ts'
import { fixture, startUpstream } from './helpers.ts'

let server: TestServer
let upstream: Awaited<ReturnType<typeof startUpstream>>

const imported = (name: string, id: string, placeholders = false) => ({ ...importBpmn(fixture(name), { id, placeholders }).scenario, webrequests: [{ urlId: id, name: id }] })

beforeAll(async () => {
  upstream = await startUpstream()
  server = await startServer(
    {},
    {
      'bpmn-tilda': imported('tilda-form', 'bpmn-tilda'),
      'bpmn-loop': imported('loop-throttle', 'bpmn-loop'),
      'bpmn-code': imported('code-lodash-moment', 'bpmn-code'),
      'bpmn-errors': imported('error-boundary', 'bpmn-errors'),
      'bpmn-parallel': imported('parallel-split', 'bpmn-parallel'),
      'bpmn-unsupported': imported('unsupported', 'bpmn-unsupported', true),
    },
  )
})
afterAll(async () => {
  await server?.close()
  await upstream?.close()
})

describe('imported fixtures through /api/webrequest', () => {
  it('the Tilda form handler takes a form post and answers "ok"', async () => {
    const response = await server.call(`/api/webrequest/bpmn-tilda?crm=${encodeURIComponent(`${upstream.url}/leads`)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ Name: 'Анна', Phone: '8 900 000-00-00', Email: 'A@B.RU', formid: 'f1', tranid: 't1' }).toString(),
    })
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('ok')
    expect(response.headers.get('x-lead-id')).toBe('42')
    const sent = upstream.received.filter((r) => r.url === '/leads').at(-1)!
    expect(Object.fromEntries(new URLSearchParams(sent.body))).toMatchObject({ title: 'Заявка: Анна', phone: '89000000000', email: 'a@b.ru' }) // key/value parameters go as a form, as in Bpium
  })

  it('the throttled loop', async () => {
    const response = await server.call(`/api/webrequest/bpmn-loop?api=${encodeURIComponent(upstream.url)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ids: ['p', 'q'] }),
    })
    expect(await response.json()).toEqual({ count: 2, names: ['item-p', 'item-q'] })
  })

  it('code with lodash and moment', async () => {
    const response = await server.call('/api/webrequest/bpmn-code')
    expect(await response.json()).toMatchObject({ customers: ['Анна', 'Борис'], due: '2024-02-02', leap: '2025-02-28' })
  })

  it('the error boundary answers 400 with the code and message', async () => {
    const response = await server.call(`/api/webrequest/bpmn-errors?api=${encodeURIComponent(upstream.url)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ payload: '{"no":"id"}' }),
    })
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({ code: 'CODE_ERROR', message: expect.stringContaining('payload has no id') })
  })

  it('the parallel split', async () => {
    const response = await server.call('/api/webrequest/bpmn-parallel', { method: 'POST' })
    expect(await response.json()).toEqual({ total: 12, names: ['north', 'south'] })
  })

  it('a placeholder fails where the unsupported connector was, and the error boundary answers', async () => {
    const response = await server.call('/api/webrequest/bpmn-unsupported', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'c@d.ru' }) })
    expect(response.status).toBe(503)
    expect(await response.json()).toMatchObject({ mailed: false, to: 'c@d.ru', reason: expect.stringContaining('sendMail') })
  })
})

describe('the BPMN routes over HTTP', () => {
  // Wired here on the server's own context; server/app.ts registers the same function.
  const app = () => {
    const h3 = new H3({ silent: true, onError: (error) => errorResponse(toCallerError(error)) })
    registerBpmnRoutes(h3, server.context)
    return h3
  }
  const call = (path: string, init: RequestInit = {}, token: string | null = server.token) =>
    app().fetch(new Request(`http://potok.test${path}`, { ...init, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers as Record<string, string> | undefined) } }))

  it('POST /api/v1/scenarios/import converts; the scenario can then be stored, exported and imported back', async () => {
    const response = await call('/api/v1/scenarios/import?id=bpmn-roundtrip', { method: 'POST', headers: { 'content-type': 'application/xml' }, body: fixture('loop-throttle') })
    expect(response.status).toBe(200)
    const { scenario, report } = (await response.json()) as any
    expect(report).toMatchObject({ complete: true, valid: true })
    const saved = await server.api('POST', '/api/v1/scenarios', scenario)
    expect(saved.status).toBe(201)

    const exported = await call('/api/v1/scenarios/bpmn-roundtrip/bpmn')
    expect(exported.status).toBe(200)
    expect(exported.headers.get('content-type')).toBe('application/xml; charset=utf-8')
    const back = importBpmn(await exported.text()).scenario
    expect(back).toStrictEqual(scenario)
  })

  it('answers errors for refused documents, unknown scenarios and missing tokens', async () => {
    const evil = await call('/api/v1/scenarios/import', { method: 'POST', body: '<!DOCTYPE d [<!ENTITY a "b">]><d/>' })
    expect(evil.status).toBe(400)
    expect(await evil.json()).toMatchObject({ error: { code: 'INVALID_BPMN' } })
    const missing = await call('/api/v1/scenarios/nope/bpmn')
    expect(missing.status).toBe(404)
    expect(await errorOf(missing)).toMatchObject({ code: 'NOT_FOUND' })
    expect((await call('/api/v1/scenarios/greet/bpmn', {}, null)).status).toBe(401)
  })
})

// Once server/app.ts registers the BPMN routes, the same through the real server.
const wired = readFileSync(new URL('../../server/app.ts', import.meta.url), 'utf8').includes('registerBpmnRoutes')
describe.runIf(wired)('the BPMN routes of the running server', () => {
  it('import, then export a stored flow', async () => {
    const response = await server.api('POST', '/api/v1/scenarios/import?placeholders=true', fixture('unsupported'))
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ report: { complete: false, valid: true } })
    const exported = await server.api('GET', '/api/v1/scenarios/greet/bpmn')
    expect(exported.status).toBe(200)
    expect(importBpmn(await exported.text()).scenario.id).toBe('greet')
  })
})
