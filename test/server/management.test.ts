/**
 * The management API (docs/server.md) through real HTTP: token auth on every route, scenarios (with
 * versions, validation and delete protection), the external requests catalog (unique urlId,
 * masked secrets), /healthz, /metrics and the OpenAPI document.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { buildApp } from '../../server/app.ts'
import { errorOf, startServer, type TestServer } from './helpers.ts'

let server: TestServer
beforeAll(async () => {
  server = await startServer()
})
afterAll(async () => {
  await server?.close()
})

const scenario = (id: string, body = "({ hi: 'there' })") => ({
  id,
  name: `Scenario ${id}`,
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'answer', type: 'setVariables', config: { assignments: [{ name: '$body', value: body }] } },
    { id: 'end', type: 'end' },
  ],
  edges: [
    { from: 'start', to: 'answer' },
    { from: 'answer', to: 'end' },
  ],
})

const ROUTES: Array<[string, string, unknown?]> = [
  ['GET', '/api/v1/scenarios'],
  ['POST', '/api/v1/scenarios', scenario('sneaky')],
  ['POST', '/api/v1/scenarios/validate', scenario('sneaky')],
  ['GET', '/api/v1/scenarios/greet'],
  ['PUT', '/api/v1/scenarios/greet', scenario('greet')],
  ['DELETE', '/api/v1/scenarios/loop'],
  ['GET', '/api/v1/scenarios/greet/versions'],
  ['GET', '/api/v1/scenarios/greet/versions/1'],
  ['GET', '/api/v1/webrequests'],
  ['POST', '/api/v1/webrequests', { name: 'x', urlId: 'sneaky', scenarioId: 'greet' }],
  ['GET', '/api/v1/webrequests/greet'],
  ['PUT', '/api/v1/webrequests/greet', { name: 'x', urlId: 'greet', scenarioId: 'loop' }],
  ['DELETE', '/api/v1/webrequests/greet'],
  ['GET', '/api/v1/openapi.json'],
  ['GET', '/api/v1/connections'],
  ['POST', '/api/v1/connections', { id: 'sneaky', name: 'x', type: 'http', config: { scheme: 'bearer' }, secrets: { token: { env: 'X' } } }],
  ['GET', '/api/v1/connections/sneaky'],
  ['PUT', '/api/v1/connections/sneaky', { name: 'x', type: 'http', config: { scheme: 'bearer' }, secrets: { token: { env: 'X' } } }],
  ['DELETE', '/api/v1/connections/sneaky'],
  ['GET', '/api/v1/processes'],
  ['GET', '/api/v1/no-such-route'],
  ['GET', '/api/v1'],
  ['GET', '/metrics'],
]

describe('auth', () => {
  test('every management route answers 401 with the standard error body without a valid token, and changes nothing', async () => {
    const before = JSON.stringify(await server.store.listScenarios()) + JSON.stringify(await server.store.listWebRequests())
    for (const token of [null, 'wrong-token', `${server.token}x`, server.token.slice(0, -1), '']) {
      for (const [method, path, body] of ROUTES) {
        const response = await server.api(method, path, body, token)
        expect(response.status, `${method} ${path} with ${token}`).toBe(401)
        expect((await errorOf(response)).code).toBe('UNAUTHORIZED')
      }
    }
    for (const authorization of [`Basic ${server.token}`, `Token ${server.token}`, server.token, `Bearer  `]) {
      const response = await server.call('/api/v1/scenarios', { headers: { authorization } })
      expect(response.status, authorization).toBe(401)
    }
    const after = JSON.stringify(await server.store.listScenarios()) + JSON.stringify(await server.store.listWebRequests())
    expect(after).toBe(before)
  })

  test('with the token an unknown route is 404', async () => {
    const response = await server.api('GET', '/api/v1/no-such-route')
    expect(response.status).toBe(404)
    expect((await errorOf(response)).code).toBe('NOT_FOUND')
  })
})

describe('scenarios', () => {
  test('list: the flows/ scenarios, as { items, nextCursor }', async () => {
    const response = await server.api('GET', '/api/v1/scenarios')
    expect(response.status).toBe(200)
    const page = await response.json()
    expect(page.nextCursor).toBeNull()
    expect(page.items.map((r: { id: string }) => r.id)).toEqual(expect.arrayContaining(['greet', 'loop', 'echo']))
    const greet = page.items.find((r: { id: string }) => r.id === 'greet')
    expect(greet).toMatchObject({ id: 'greet', version: 1, scenario: { id: 'greet', version: 1 } })
    expect(greet.scenario.webrequests).toBeUndefined()
  })

  test('create → 201 with the stored record; a taken id → 409; bad JSON → 400', async () => {
    const created = await server.api('POST', '/api/v1/scenarios', scenario('made'))
    expect(created.status).toBe(201)
    expect(created.headers.get('location')).toBe('/api/v1/scenarios/made')
    const record = await created.json()
    expect(record).toMatchObject({ id: 'made', version: 1, scenario: { id: 'made', name: 'Scenario made' } })
    expect(typeof record.createdAt).toBe('string')
    const again = await server.api('POST', '/api/v1/scenarios', scenario('made'))
    expect(again.status).toBe(409)
    expect((await errorOf(again)).code).toBe('CONFLICT')
    const bad = await server.api('POST', '/api/v1/scenarios', '{"id": "x",')
    expect(bad.status).toBe(400)
    expect((await errorOf(bad)).code).toBe('INVALID_JSON')
    const empty = await server.api('POST', '/api/v1/scenarios', '')
    expect(empty.status).toBe(400)
  })

  test('invalid → 422 listing every problem by JSON path', async () => {
    const invalid = {
      id: 'bad id!',
      nodes: [
        { id: 'start', type: 'start' },
        {
          id: 'vars',
          type: 'setVariables',
          config: {
            assignments: [
              { name: 'ok', value: '1 +' },
              { name: 'x', value: '(' },
            ],
          },
        },
        { id: 'what', type: 'noSuchComponent' },
      ],
      edges: [{ from: 'start', to: 'vars' }],
    }
    for (const path of ['/api/v1/scenarios', '/api/v1/scenarios/validate']) {
      const response = await server.api('POST', path, { ...invalid, id: 'fine' })
      expect(response.status).toBe(422)
      const error = await errorOf(response)
      expect(error.code).toBe('VALIDATION_FAILED')
      const paths = error.details!.problems.map((p: { path: string }) => p.path)
      expect(paths).toEqual(expect.arrayContaining(['nodes[1].config.assignments[0].value', 'nodes[1].config.assignments[1].value', 'nodes[2].type']))
    }
    const schema = await errorOf(await server.api('POST', '/api/v1/scenarios/validate', invalid))
    expect(schema.details!.problems.map((p: { path: string }) => p.path)).toContain('id')
    expect((await server.api('GET', '/api/v1/scenarios/fine')).status).toBe(404)
  })

  test('validate a valid scenario → 200, nothing stored', async () => {
    const response = await server.api('POST', '/api/v1/scenarios/validate', scenario('checked'))
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ valid: true, problems: [] })
    expect((await server.api('GET', '/api/v1/scenarios/checked')).status).toBe(404)
  })

  test('get, replace (a new version), versions', async () => {
    await server.api('POST', '/api/v1/scenarios', scenario('versioned'))
    const replaced = await server.api('PUT', '/api/v1/scenarios/versioned', scenario('versioned', '({ v: 2 })'))
    expect(replaced.status).toBe(200)
    expect(await replaced.json()).toMatchObject({ id: 'versioned', version: 2 })
    // the same document again: no new version
    expect(await (await server.api('PUT', '/api/v1/scenarios/versioned', scenario('versioned', '({ v: 2 })'))).json()).toMatchObject({ version: 2 })
    // a record as GET answers it is accepted by PUT too; the id may be left out
    const current = await (await server.api('GET', '/api/v1/scenarios/versioned')).json()
    expect(current.version).toBe(2)
    const { id: _id, ...withoutId } = { ...current.scenario, name: 'Renamed' }
    expect(await (await server.api('PUT', '/api/v1/scenarios/versioned', withoutId)).json()).toMatchObject({ version: 3 })
    expect(await (await server.api('PUT', '/api/v1/scenarios/versioned', { ...current, scenario: { ...current.scenario, name: 'Again' } })).json()).toMatchObject({ version: 4 })
    const versions = await (await server.api('GET', '/api/v1/scenarios/versioned/versions')).json()
    expect(versions.items.map((v: { version: number }) => v.version)).toEqual([1, 2, 3, 4])
    expect(versions.nextCursor).toBeNull()
    expect(await (await server.api('GET', '/api/v1/scenarios/versioned/versions/1')).json()).toMatchObject({ version: 1, scenario: { name: 'Scenario versioned' } })
    expect(await (await server.api('GET', '/api/v1/scenarios/versioned?version=2')).json()).toMatchObject({ version: 2 })
    expect((await server.api('GET', '/api/v1/scenarios/versioned/versions/9')).status).toBe(404)
    expect((await server.api('GET', '/api/v1/scenarios/versioned?version=abc')).status).toBe(400)
    // errors
    expect((await server.api('PUT', '/api/v1/scenarios/nobody', scenario('nobody'))).status).toBe(404)
    const mismatch = await server.api('PUT', '/api/v1/scenarios/versioned', scenario('other'))
    expect(mismatch.status).toBe(422)
    expect((await errorOf(mismatch)).details!.problems[0].path).toBe('id')
    expect((await server.api('GET', '/api/v1/scenarios/nobody')).status).toBe(404)
    expect((await server.api('GET', '/api/v1/scenarios/nobody/versions')).status).toBe(404)
  })

  test('a new version is what the endpoint runs next', async () => {
    await server.api('POST', '/api/v1/scenarios', scenario('live', '({ v: 1 })'))
    await server.api('POST', '/api/v1/webrequests', { name: 'Live', urlId: 'live', scenarioId: 'live' })
    expect(await (await server.call('/api/webrequest/live')).json()).toEqual({ v: 1 })
    await server.api('PUT', '/api/v1/scenarios/live', scenario('live', '({ v: 2 })'))
    const response = await server.call('/api/webrequest/live')
    expect(await response.json()).toEqual({ v: 2 })
    await server.processes()
    const record = await server.store.getProcess(response.headers.get('x-process-id')!)
    expect(record?.scenario).toEqual({ id: 'live', version: 2 })
  })

  test('delete: 409 while an external request points at it, then 204, then 404', async () => {
    await server.api('POST', '/api/v1/scenarios', scenario('doomed'))
    const wr = await (await server.api('POST', '/api/v1/webrequests', { name: 'Doomed', urlId: 'doomed', scenarioId: 'doomed' })).json()
    const refused = await server.api('DELETE', '/api/v1/scenarios/doomed')
    expect(refused.status).toBe(409)
    const error = await errorOf(refused)
    expect(error.code).toBe('CONFLICT')
    expect(error.details!.webrequests).toEqual([{ id: wr.id, urlId: 'doomed' }])
    expect((await server.api('DELETE', `/api/v1/webrequests/${wr.id}`)).status).toBe(204)
    expect((await server.api('DELETE', '/api/v1/scenarios/doomed')).status).toBe(204)
    expect((await server.api('GET', '/api/v1/scenarios/doomed')).status).toBe(404)
    expect((await server.api('DELETE', '/api/v1/scenarios/doomed')).status).toBe(404)
  })

  test('a scenario document may declare its external requests', async () => {
    const created = await server.api('POST', '/api/v1/scenarios', { ...scenario('declared', '({ declared: true })'), webrequests: [{ urlId: 'declared', name: 'Declared' }] })
    expect(created.status).toBe(201)
    expect(await (await server.call('/api/webrequest/declared')).json()).toEqual({ declared: true })
    const bad = await server.api('POST', '/api/v1/scenarios', { ...scenario('declared2'), webrequests: [{ urlId: 'has space', name: 'X' }] })
    expect(bad.status).toBe(422)
    expect((await errorOf(bad)).details!.problems[0].path).toBe('webrequests[0].urlId')
  })
})

describe('external requests catalog', () => {
  const base = { name: 'Secret hook', urlId: 'secret-hook', scenarioId: 'echo', auth: { type: 'bearer', token: 'top-secret-token' } }

  test('create → 201 with secrets shown as "***"; get and list never reveal them', async () => {
    const created = await server.api('POST', '/api/v1/webrequests', base)
    expect(created.status).toBe(201)
    const record = await created.json()
    expect(record).toMatchObject({ name: 'Secret hook', urlId: 'secret-hook', scenarioId: 'echo', enabled: true, auth: { type: 'bearer', token: '***' } })
    expect(record.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(typeof record.createdAt).toBe('string')
    const got = await (await server.api('GET', `/api/v1/webrequests/${record.id}`)).text()
    const listed = await (await server.api('GET', '/api/v1/webrequests')).text()
    for (const text of [got, listed]) {
      expect(text).not.toContain('top-secret-token')
      expect(text).not.toContain('s3cret')
      expect(text).not.toContain('hmac-key')
    }
    // the endpoint uses the real one
    expect((await server.call('/api/webrequest/secret-hook', { headers: { authorization: 'Bearer top-secret-token' } })).status).toBe(200)
    // env references are shown as they are
    const env = JSON.parse(listed).items.find((w: { urlId: string }) => w.urlId === 'bearer')
    expect(env.auth).toEqual({ type: 'bearer', token: { env: 'POTOK_TEST_BEARER' } })
  })

  test('replace with "***" keeps the stored secret; a new secret replaces it', async () => {
    const record = (await (await server.api('GET', '/api/v1/webrequests')).json()).items.find((w: { urlId: string }) => w.urlId === 'secret-hook')
    const kept = await server.api('PUT', `/api/v1/webrequests/${record.id}`, { ...record, description: 'kept' })
    expect(kept.status).toBe(200)
    expect(await kept.json()).toMatchObject({ description: 'kept', auth: { token: '***' }, createdAt: record.createdAt })
    expect((await server.call('/api/webrequest/secret-hook', { headers: { authorization: 'Bearer top-secret-token' } })).status).toBe(200)
    await server.api('PUT', `/api/v1/webrequests/${record.id}`, { ...record, auth: { type: 'bearer', token: 'rotated-token' } })
    expect((await server.call('/api/webrequest/secret-hook', { headers: { authorization: 'Bearer top-secret-token' } })).status).toBe(401)
    expect((await server.call('/api/webrequest/secret-hook', { headers: { authorization: 'Bearer rotated-token' } })).status).toBe(200)
    const noSecret = await server.api('PUT', `/api/v1/webrequests/${record.id}`, { ...record, auth: { type: 'basic', username: 'u', password: '***' } })
    expect(noSecret.status).toBe(422)
  })

  test('urlId is unique (409) and [A-Za-z0-9_-]+ (422); the scenario must exist (422)', async () => {
    const taken = await server.api('POST', '/api/v1/webrequests', { ...base, urlId: 'greet' })
    expect(taken.status).toBe(409)
    expect((await errorOf(taken)).code).toBe('CONFLICT')
    for (const urlId of ['has space', 'slash/y', '', 'точка']) {
      const response = await server.api('POST', '/api/v1/webrequests', { ...base, urlId })
      expect(response.status, urlId).toBe(422)
      expect((await errorOf(response)).details!.problems[0].path).toBe('urlId')
    }
    const noScenario = await server.api('POST', '/api/v1/webrequests', { ...base, urlId: 'orphan', scenarioId: 'missing' })
    expect(noScenario.status).toBe(422)
    expect((await errorOf(noScenario)).details!.problems[0].path).toBe('scenarioId')
    const many = await errorOf(await server.api('POST', '/api/v1/webrequests', { urlId: 'x', onTimeout: 'never', rateLimit: { requests: 0 }, extra: 1 }))
    const paths = many.details!.problems.map((p: { path: string }) => p.path)
    expect(paths).toEqual(expect.arrayContaining(['name', 'scenarioId', 'onTimeout', 'rateLimit.requests', 'rateLimit.windowMs']))
    const record = (await (await server.api('GET', '/api/v1/webrequests')).json()).items.find((w: { urlId: string }) => w.urlId === 'secret-hook')
    expect((await server.api('PUT', `/api/v1/webrequests/${record.id}`, { ...record, urlId: 'greet' })).status).toBe(409)
  })

  test('list by scenario, get, delete', async () => {
    const page = await (await server.api('GET', '/api/v1/webrequests?scenarioId=slow')).json()
    expect(page.items.map((w: { urlId: string }) => w.urlId).sort()).toEqual(['slow', 'slow-async', 'slow-idem', 'slow-ok', 'slow-reset'])
    expect(page.nextCursor).toBeNull()
    const created = await (await server.api('POST', '/api/v1/webrequests', { name: 'Temp', urlId: 'temp', scenarioId: 'greet', id: 'temp-id' })).json()
    expect(created.id).toBe('temp-id')
    expect((await server.api('POST', '/api/v1/webrequests', { name: 'Temp', urlId: 'temp2', scenarioId: 'greet', id: 'temp-id' })).status).toBe(409)
    expect((await server.call('/api/webrequest/temp', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"T","n":0}' })).status).toBe(201)
    expect((await server.api('DELETE', '/api/v1/webrequests/temp-id')).status).toBe(204)
    expect((await server.api('GET', '/api/v1/webrequests/temp-id')).status).toBe(404)
    expect((await server.api('DELETE', '/api/v1/webrequests/temp-id')).status).toBe(404)
    expect((await server.call('/api/webrequest/temp')).status).toBe(404)
  })
})

describe('health, metrics, OpenAPI', () => {
  test('/healthz is public and reports the store', async () => {
    const response = await server.call('/healthz')
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ status: 'ok', store: { kind: 'sqlite', ok: true, read: true, write: true }, async: true })
  })

  test('/healthz answers 503 with the standard error body when the store does not answer', async () => {
    const other = await startServer()
    try {
      await other.store.close()
      const response = await other.call('/healthz')
      expect(response.status).toBe(503)
      const error = await errorOf(response)
      expect(error.code).toBe('STORE_UNAVAILABLE')
      expect(error.details).toMatchObject({ store: 'sqlite', read: false, write: false })
      expect(response.headers.get('retry-after')).toBe('5')
    } finally {
      await other.close().catch(() => {})
    }
  })

  test('/metrics: Prometheus text with the token', async () => {
    await server.call('/api/webrequest/greet', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"M","n":1}' })
    await server.processes()
    const response = await server.api('GET', '/metrics')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('text/plain')
    const text = await response.text()
    expect(text).toMatch(/potok_http_requests_total\{route="webrequest",webrequest="greet",status="201"\} \d+/)
    expect(text).toMatch(/potok_process_duration_seconds_bucket\{le="[^"]+",scenario="greet",status="completed"\} \d+/)
    expect(text).toMatch(/potok_processes_total\{scenario="greet",status="completed"\} \d+/)
    expect(text).toContain('potok_processes_running 0')
    expect(text).toContain('potok_sandbox_seconds_total')
    expect(text).toContain('potok_node_process_cpu_seconds_total')
  })

  test('/metrics is public with METRICS_PUBLIC=true', async () => {
    const open = await startServer({ metricsPublic: true })
    try {
      expect((await open.call('/metrics')).status).toBe(200)
    } finally {
      await open.close()
    }
  })

  test('/api/v1/openapi.json documents every route, with schemas from zod', async () => {
    const response = await server.api('GET', '/api/v1/openapi.json')
    expect(response.status).toBe(200)
    const doc = await response.json()
    expect(doc.openapi).toBe('3.1.0')
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/webrequest/{urlId}',
        '/healthz',
        '/metrics',
        '/api/v1/scenarios',
        '/api/v1/scenarios/validate',
        '/api/v1/scenarios/{id}',
        '/api/v1/scenarios/{id}/versions',
        '/api/v1/webrequests',
        '/api/v1/webrequests/{id}',
      ]),
    )
    // every route the app registers is in the document, with its method
    const routes = (buildApp(server.context) as unknown as { '~routes': Array<{ route: string; method?: string }> })['~routes']
    for (const { route, method } of routes) {
      if (route === '/api/v1' || route.endsWith('/**') || route.endsWith('/')) continue // catch-alls; the trailing-slash twin
      const path = route.replace(/:([A-Za-z]+)/g, '{$1}')
      expect(doc.paths[path], `${method ?? 'ANY'} ${route} is not in the OpenAPI document`).toBeDefined()
      if (method) expect(doc.paths[path][method.toLowerCase()], `${method} ${route} is not in the OpenAPI document`).toBeDefined()
    }
    expect(doc.components.schemas.WebRequestInput.properties.urlId.pattern).toBe('^[A-Za-z0-9_-]{1,128}$')
    expect(doc.components.schemas.Scenario.required).toEqual(expect.arrayContaining(['id', 'nodes', 'edges']))
    expect(doc.components.schemas.Error.properties.error.required).toEqual(expect.arrayContaining(['code', 'message']))
  })
})
