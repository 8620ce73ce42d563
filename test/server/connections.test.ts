/**
 * `/api/v1/connections` against a real server (docs/connections.md): secrets are sealed at rest, never
 * answered, kept by "***"; FLOWS_DIR/connections declarations load on start; a store holding
 * sealed secrets refuses to start without POTOK_SECRET_KEY, in one clear line.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createLogger } from '../../server/log.ts'
import { serve } from '../../server/serve.ts'
import { loadSettings } from '../../server/settings.ts'
import { errorOf, startServer, type TestServer } from './helpers.ts'

const KEY = randomBytes(32).toString('base64')
const PASSWORD = 'pa55-word-that-must-not-leak'
let server: TestServer

beforeAll(async () => {
  process.env.POTOK_SECRET_KEY = KEY
  process.env.POTOK_TEST_API_TOKEN = 'token-from-env'
  server = await startServer()
})
afterAll(async () => {
  await server?.close()
  delete process.env.POTOK_SECRET_KEY
})

const smtp = { id: 'robot', name: 'Mail robot', type: 'smtp', config: { host: 'smtp.example.com', port: 465, secure: true, user: 'robot@example.com' }, secrets: { password: PASSWORD } }

describe('/api/v1/connections', () => {
  test('create, get, list, replace with "***", delete; the secret is sealed in the store and never answered', async () => {
    const created = await server.api('POST', '/api/v1/connections', smtp)
    expect(created.status).toBe(201)
    expect(created.headers.get('location')).toBe('/api/v1/connections/robot')
    const body = await created.json()
    expect(body).toMatchObject({ id: 'robot', type: 'smtp', config: { host: 'smtp.example.com', port: 465, secure: true }, secrets: { password: '***' } })
    expect(JSON.stringify(body)).not.toContain(PASSWORD)

    const stored = await server.store.getConnection('robot')
    expect(JSON.stringify(stored)).not.toContain(PASSWORD)
    expect(stored!.secrets.password).toEqual({ sealed: expect.stringMatching(/^v1\./) })

    expect(await (await server.api('GET', '/api/v1/connections/robot')).json()).toEqual(body)
    const listed = await (await server.api('GET', '/api/v1/connections')).json()
    expect(listed.nextCursor).toBeNull()
    expect(listed.items.map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining(['mail', 'robot'])) // mail: declared in flows/connections
    expect(JSON.stringify(listed)).not.toContain(PASSWORD)

    // "***" keeps the stored secret; the components get it in clear
    const kept = await server.api('PUT', '/api/v1/connections/robot', { ...smtp, name: 'Renamed', secrets: { password: '***' } })
    expect(kept.status).toBe(200)
    expect((await kept.json()).name).toBe('Renamed')
    const resolved = await server.context.services!.getConnection!('robot')
    expect(resolved).toEqual({ id: 'robot', type: 'smtp', config: smtp.config, secrets: { password: PASSWORD } })

    const changed = await server.api('PUT', '/api/v1/connections/robot', { ...smtp, secrets: { password: 'another' } })
    expect(changed.status).toBe(200)
    expect((await server.context.services!.getConnection!('robot')).secrets.password).toBe('another')

    expect((await server.api('DELETE', '/api/v1/connections/robot')).status).toBe(204)
    const gone = await server.api('GET', '/api/v1/connections/robot')
    expect(gone.status).toBe(404)
    expect((await errorOf(gone)).code).toBe('NOT_FOUND')
    await expect(server.context.services!.getConnection!('robot')).rejects.toMatchObject({ code: 'CONNECTION_NOT_FOUND' })
  })

  test('bad documents are 422 with every problem by path; a taken id 409; unknown ids 404', async () => {
    const bad = await server.api('POST', '/api/v1/connections', { id: 'x', name: '', type: 'http', config: { scheme: 'oauth2', tokenUrl: 'ftp://nope' }, secrets: { token: 't' } })
    expect(bad.status).toBe(422)
    const problems = (await errorOf(bad)).details!.problems.map((p: { path: string }) => p.path)
    expect(problems).toEqual(expect.arrayContaining(['name', 'config.tokenUrl']))
    const incomplete = await server.api('POST', '/api/v1/connections', {
      id: 'x',
      name: 'x',
      type: 'http',
      config: { scheme: 'oauth2', tokenUrl: 'https://id.example/token' },
      secrets: { token: 't' },
    })
    expect((await errorOf(incomplete)).details!.problems.map((p: { path: string }) => p.path)).toEqual(expect.arrayContaining(['config.clientId', 'secrets.clientSecret', 'secrets.token']))
    expect((await server.api('POST', '/api/v1/connections', { ...smtp, type: 'ftp' })).status).toBe(422)
    expect((await server.api('POST', '/api/v1/connections', { ...smtp, id: 'dup' })).status).toBe(201)
    const taken = await server.api('POST', '/api/v1/connections', { ...smtp, id: 'dup' })
    expect(taken.status).toBe(409)
    expect((await errorOf(taken)).code).toBe('CONFLICT')
    expect((await server.api('PUT', '/api/v1/connections/nope', smtp)).status).toBe(404)
    expect((await server.api('DELETE', '/api/v1/connections/nope')).status).toBe(404)
    const masked = await server.api('POST', '/api/v1/connections', { ...smtp, id: 'masked', secrets: { password: '***' } })
    expect(masked.status).toBe(422)
  })

  test('an { env } secret is stored as the reference and read when a component asks', async () => {
    const created = await server.api('POST', '/api/v1/connections', { id: 'api', name: 'API', type: 'http', config: { scheme: 'bearer' }, secrets: { token: { env: 'POTOK_TEST_API_TOKEN' } } })
    expect(await created.json()).toMatchObject({ secrets: { token: { env: 'POTOK_TEST_API_TOKEN' } } })
    expect((await server.context.services!.getConnection!('api')).secrets.token).toBe('token-from-env')
    await server.api('PUT', '/api/v1/connections/api', { id: 'api', name: 'API', type: 'http', config: { scheme: 'bearer' }, secrets: { token: { env: 'POTOK_TEST_UNSET_VARIABLE' } } })
    await expect(server.context.services!.getConnection!('api')).rejects.toMatchObject({ code: 'CONNECTION_SECRET_MISSING', message: expect.stringContaining('POTOK_TEST_UNSET_VARIABLE') })
  })
})

describe('start', () => {
  test('FLOWS_DIR/connections declarations load; sealed secrets without POTOK_SECRET_KEY stop the start in one line', async () => {
    const flowsDir = mkdtempSync(join(tmpdir(), 'potok-conn-flows-'))
    const dataDir = mkdtempSync(join(tmpdir(), 'potok-conn-data-'))
    const dir = join(flowsDir, 'connections')
    mkdirSync(dir, { recursive: true })
    writeFileSync(
      join(dir, 'declared.json'),
      JSON.stringify([
        { id: 'declared-mail', name: 'Declared', type: 'smtp', config: { host: '127.0.0.1', port: 2525 }, secrets: { password: 'inline-secret' } },
        { id: 'declared-api', name: 'Declared API', type: 'http', config: { scheme: 'bearer' }, secrets: { token: { env: 'POTOK_TEST_API_TOKEN' } } },
      ]),
    )
    const settings = loadSettings({}, { port: 0, host: '127.0.0.1', dataDir, flowsDir, mongodbUri: undefined, adminToken: 'x'.repeat(32), logLevel: 'silent' })
    const options = { handleSignals: false, banner: false, logger: createLogger('silent') } as const

    let before: unknown[] = []
    const again = await serve(settings, options)
    try {
      expect((await again.context.services!.getConnection!('declared-mail')).secrets.password).toBe('inline-secret')
      const sealed = (await again.store.getConnection('declared-mail'))!.secrets.password
      expect(JSON.stringify(sealed)).not.toContain('inline-secret')
      before = await again.store.listConnections()
    } finally {
      await again.close()
    }
    // A restart with the same declarations writes nothing (it must start on a full disk too).
    expect(before).toHaveLength(2)
    const restarted = await serve(settings, options)
    try {
      expect(await restarted.store.listConnections()).toEqual(before)
    } finally {
      await restarted.close()
    }

    delete process.env.POTOK_SECRET_KEY
    writeFileSync(
      join(dir, 'declared.json'),
      JSON.stringify({ id: 'declared-api', name: 'Declared API', type: 'http', config: { scheme: 'bearer' }, secrets: { token: { env: 'POTOK_TEST_API_TOKEN' } } }),
    )
    const refused = await serve(settings, options).then(
      () => null,
      (error: Error & { code?: string }) => error,
    )
    expect(refused?.code).toBe('SECRET_KEY_MISSING')
    expect(refused?.message).toMatch(/^POTOK_SECRET_KEY is not set, but connection\(s\) .*"declared-mail".* keep encrypted secrets/)
    expect(refused?.message).not.toContain('\n')

    writeFileSync(join(dir, 'inline.json'), JSON.stringify({ id: 'inline', name: 'Inline', type: 'smtp', config: { host: 'x', port: 25 }, secrets: { password: 'in-file' } }))
    const inline = await serve(settings, options).then(
      () => null,
      (error: Error & { code?: string }) => error,
    )
    expect(inline?.code).toBe('INVALID_FLOWS')
    expect(inline?.message).toMatch(/inline\.json: connection "inline": secrets\.password: storing a secret needs POTOK_SECRET_KEY/)
    expect(inline?.message).not.toContain('in-file')
    rmSync(join(dir, 'inline.json'))

    process.env.POTOK_SECRET_KEY = randomBytes(32).toString('hex')
    const wrongKey = await serve(settings, options).then(
      () => null,
      (error: Error & { code?: string }) => error,
    )
    expect(wrongKey?.code).toBe('SECRET_UNREADABLE')
    process.env.POTOK_SECRET_KEY = 'short'
    await expect(serve(settings, options)).rejects.toMatchObject({ code: 'INVALID_SETTINGS', message: expect.stringContaining('openssl rand -base64 32') })
    process.env.POTOK_SECRET_KEY = KEY
    rmSync(flowsDir, { recursive: true, force: true })
    rmSync(dataDir, { recursive: true, force: true })
  })
})
