/**
 * `serve()` and `potok serve` (docs/server.md): settings, FLOWS_DIR loading (an invalid file refuses
 * the start listing every problem), the generated admin token, restarts, and graceful
 * shutdown on SIGTERM — synchronous processes finish, asynchronous ones are handed back.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, test, vi } from 'vitest'
import type { PotokError } from '../../runtime/errors.ts'
import { createLogger } from '../../server/log.ts'
import { serve } from '../../server/serve.ts'
import { loadSettings } from '../../server/settings.ts'
import { FIXTURES, sleep } from './helpers.ts'

const dirs: string[] = []
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('settings', () => {
  test('defaults (docs/server.md, Settings) and environment strings', () => {
    expect(loadSettings({})).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      dataDir: './data',
      flowsDir: './flows',
      webrequestTimeoutMs: 60_000,
      asyncTimeoutMs: 86_400_000,
      maxBodyBytes: 10 * 1024 * 1024,
      trustProxy: false,
      metricsPublic: false,
      logLevel: 'info',
      asyncConcurrency: 16,
    })
    expect(loadSettings({}).mongodbUri).toBeUndefined()
    expect(loadSettings({ PORT: '8080', HOST: '0.0.0.0', MAX_BODY_BYTES: '1024', TRUST_PROXY: 'loopback', METRICS_PUBLIC: 'true', PORT_UNUSED: 'x', MONGODB_URI: '' })).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      maxBodyBytes: 1024,
      trustProxy: 'loopback',
      metricsPublic: true,
      mongodbUri: undefined,
    })
  })

  test('invalid values refuse the start, every one named', () => {
    let error: PotokError | undefined
    try {
      loadSettings({ PORT: 'eighty', MAX_BODY_BYTES: '-1', LOG_LEVEL: 'loud', POTOK_ADMIN_TOKEN: 'short', MONGODB_URI: 'postgres://x' })
    } catch (e) {
      error = e as PotokError
    }
    expect(error?.code).toBe('INVALID_SETTINGS')
    const paths = (error!.details!.problems as Array<{ path: string }>).map((p) => p.path)
    expect(paths.sort()).toEqual(['LOG_LEVEL', 'MAX_BODY_BYTES', 'MONGODB_URI', 'PORT', 'POTOK_ADMIN_TOKEN'])
  })
})

describe('FLOWS_DIR', () => {
  test('an invalid file stops the start with every problem of every file listed', async () => {
    const flowsDir = tempDir('potok-flows-bad-')
    writeFileSync(join(flowsDir, 'ok.json'), JSON.stringify(FIXTURES.echo))
    writeFileSync(join(flowsDir, 'broken.json'), '{ "id": "broken", ')
    writeFileSync(
      join(flowsDir, 'invalid.json'),
      JSON.stringify({
        id: 'invalid',
        nodes: [
          { id: 'start', type: 'start' },
          { id: 'x', type: 'setVariables', config: { assignments: [{ name: 'a', value: '1 +' }] } },
        ],
        edges: [{ from: 'start', to: 'x' }],
        webrequests: [{ urlId: 'bad url', name: 'x' }],
      }),
    )
    writeFileSync(join(flowsDir, 'twin.json'), JSON.stringify({ ...(FIXTURES.mirror as object), webrequests: [{ urlId: 'echo', name: 'Duplicate urlId' }] }))
    const settings = loadSettings({}, { port: 0, dataDir: tempDir('potok-data-'), flowsDir, logLevel: 'silent' })
    const start = serve(settings, { handleSignals: false, banner: false, logger: createLogger('silent') })
    await expect(start).rejects.toMatchObject({ code: 'INVALID_FLOWS' })
    const error = await start.catch((e: PotokError) => e)
    const problems = (error as PotokError).details!.problems as Array<{ file: string; path: string; message: string }>
    expect(problems.find((p) => p.file.endsWith('broken.json'))?.message).toMatch(/not valid JSON/)
    expect(problems.filter((p) => p.file.endsWith('invalid.json')).map((p) => p.path)).toEqual(expect.arrayContaining(['nodes[1].config.assignments[0].value', 'webrequests[0].urlId']))
    expect(problems.find((p) => p.file.endsWith('twin.json'))?.message).toMatch(/urlId "echo" is also declared/)
    expect((error as PotokError).message).toContain('broken.json')
  })

  test('on restart a changed scenario becomes a new version and its external requests are upserted', async () => {
    const data = tempDir('potok-data-')
    const flows = tempDir('potok-flows-')
    const mirror = FIXTURES.mirror as { nodes: unknown[]; webrequests: unknown[] }
    writeFileSync(join(flows, 'mirror.json'), JSON.stringify(mirror))
    const settings = loadSettings({}, { port: 0, dataDir: data, flowsDir: flows, logLevel: 'silent', adminToken: 'x'.repeat(16) })
    const options = { handleSignals: false, banner: false, logger: createLogger('silent') }
    let server = await serve(settings, options)
    expect((await server.store.getScenario('mirror'))?.version).toBe(1)
    await server.close()
    server = await serve(settings, options) // unchanged: still version 1
    expect((await server.store.getScenario('mirror'))?.version).toBe(1)
    await server.close()
    writeFileSync(join(flows, 'mirror.json'), JSON.stringify({ ...mirror, name: 'Mirror, renamed', webrequests: [{ urlId: 'mirror', name: 'Renamed', enabled: false }] }))
    server = await serve(settings, options)
    expect((await server.store.getScenario('mirror'))?.version).toBe(2)
    const wr = await server.store.findWebRequestByUrlId('mirror')
    expect(wr).toMatchObject({ id: 'mirror', name: 'Renamed', enabled: false })
    expect((await fetch(`${server.url}api/webrequest/mirror`)).status).toBe(404)
    await server.close()
  })
})

describe('admin token', () => {
  test('generated on first start, stored with mode 0600, printed once; reused afterwards', async () => {
    const dataDir = tempDir('potok-data-')
    const settings = loadSettings({}, { port: 0, dataDir, flowsDir: tempDir('potok-flows-'), logLevel: 'silent' })
    const printed: string[] = []
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      printed.push(String(chunk))
      return true
    })
    let token: string
    try {
      const server = await serve(settings, { handleSignals: false, logger: createLogger('silent') })
      token = server.adminToken.token
      await server.close()
      const again = await serve(settings, { handleSignals: false, logger: createLogger('silent') })
      expect(again.adminToken).toMatchObject({ token, generated: false, source: 'file' })
      await again.close()
    } finally {
      spy.mockRestore()
    }
    const file = join(dataDir, 'admin-token')
    expect(readFileSync(file, 'utf8').trim()).toBe(token)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(token.length).toBeGreaterThanOrEqual(32)
    expect(printed.join('').split(token).length - 1).toBe(1)
    expect(printed.join('')).toMatch(/potok listening on http:\/\/127\.0\.0\.1:\d+\//)
    expect(printed.join('')).toContain(`admin token in ${file}`)
  })
})

describe('graceful shutdown', () => {
  test('close(): new connections refused, running synchronous processes finish, asynchronous ones handed back as queued', async () => {
    const flowsDir = tempDir('potok-flows-')
    writeFileSync(join(flowsDir, 'slow.json'), JSON.stringify(FIXTURES.slow))
    const settings = loadSettings({}, { port: 0, dataDir: tempDir('potok-data-'), flowsDir, logLevel: 'silent', adminToken: 'z'.repeat(16) })
    const server = await serve(settings, { handleSignals: false, banner: false, logger: createLogger('silent') })
    const sync = fetch(`${server.url}api/webrequest/slow-ok`)
    const queued = await fetch(`${server.url}api/webrequest/slow-ok?async=true`)
    const asyncId = queued.headers.get('x-process-id')!
    await sleep(300)
    const store = server.store
    const closing = server.close()
    await sleep(50)
    await expect(fetch(`${server.url}healthz`, { headers: { connection: 'close' } })).rejects.toThrow()
    const answer = await sync
    expect(answer.status).toBe(200)
    expect(await answer.json()).toEqual({ waited: true })
    await closing
    // the store is closed now: read the records through a fresh one
    const { openStore } = await import('../../store/index.ts')
    const reopened = await openStore({ dataDir: settings.dataDir, mongodbUri: '' })
    try {
      expect((await reopened.getProcess(asyncId))?.status).toBe('queued')
      expect((await reopened.listProcesses({ triggerId: 'slow-ok', status: 'completed' })).items).toHaveLength(1)
    } finally {
      await reopened.close()
    }
    expect(store.kind).toBe('sqlite')
  })

  test('SIGTERM to `potok serve`: stops accepting, the running request completes, async work is handed back, exit 0', async () => {
    const dataDir = tempDir('potok-data-')
    const flowsDir = tempDir('potok-flows-')
    writeFileSync(join(flowsDir, 'slow.json'), JSON.stringify(FIXTURES.slow))
    const child = spawn(process.execPath, [fileURLToPath(new URL('../../bin/potok.mjs', import.meta.url)), 'serve'], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, FLOWS_DIR: flowsDir, LOG_LEVEL: 'error', POTOK_ADMIN_TOKEN: 'y'.repeat(20), MONGODB_URI: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const url = await listeningUrl(child)
    const sync = fetch(`${url}api/webrequest/slow-ok`)
    const asyncAnswer = await fetch(`${url}api/webrequest/slow-ok?async=true`)
    expect(asyncAnswer.status).toBe(202)
    const asyncId = asyncAnswer.headers.get('x-process-id')!
    await sleep(300)
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    child.kill('SIGTERM')
    const answer = await sync
    expect(answer.status).toBe(200)
    expect(await answer.json()).toEqual({ waited: true })
    expect(await exited).toBe(0)

    // The async process was handed back (queued, with its snapshot); the next start finishes it.
    const settings = loadSettings({}, { port: 0, dataDir, flowsDir, logLevel: 'silent', adminToken: 'y'.repeat(20) })
    const next = await serve(settings, { handleSignals: false, banner: false, logger: createLogger('silent') })
    try {
      const handedBack = await next.store.getProcess(asyncId)
      expect(['queued', 'running', 'completed']).toContain(handedBack?.status)
      let record = handedBack
      for (let i = 0; i < 100 && record?.status !== 'completed'; i++) {
        await sleep(50)
        record = await next.store.getProcess(asyncId)
      }
      expect(record?.status).toBe('completed')
      expect(record?.output?.$body).toEqual({ waited: true })
      const syncRecords = (await next.store.listProcesses({ triggerId: 'slow-ok' })).items.filter((p) => !p.trigger.async)
      expect(syncRecords).toHaveLength(1)
      expect(syncRecords[0].status).toBe('completed')
    } finally {
      await next.close()
    }
  }, 30_000)
})

function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    const timer = setTimeout(() => reject(new Error(`potok serve did not start: ${out} ${err}`)), 20_000)
    child.stdout!.on('data', (chunk) => {
      out += chunk
      const match = /potok listening on (http:\/\/\S+\/)/.exec(out)
      if (match) {
        clearTimeout(timer)
        resolve(match[1])
      }
    })
    child.stderr!.on('data', (chunk) => {
      err += chunk
    })
    child.on('exit', (code) => reject(new Error(`potok serve exited ${code}: ${out} ${err}`)))
  })
}
