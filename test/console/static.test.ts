/**
 * `server/console.ts` through an h3 app: assets with their cache headers, the SPA fallback to
 * index.html for the app's own paths, SPEC §6 404s for API paths and missing files, no way out
 * of the assets directory, and a clear page when the console was never built.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { H3 } from 'h3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registerConsole } from '../../server/console.ts'
import { errorResponse, toCallerError } from '../../server/errors.ts'

function appFor(dir: string): H3 {
  const app = new H3({ onError: (error) => errorResponse(toCallerError(error)), silent: true })
  app.get('/api/v1/things', () => ({ items: [] }))
  registerConsole(app, { dir })
  return app
}

describe('console assets', () => {
  let dir: string
  let app: H3
  const get = (path: string, init?: RequestInit) => app.fetch(new Request(`http://potok.test${path}`, init))

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'potok-console-static-'))
    mkdirSync(join(dir, 'assets'))
    writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root"></div>')
    writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log(1)')
    writeFileSync(join(dir, '..', 'potok-console-secret.txt'), 'secret')
    app = appFor(dir)
  })
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true })
    rmSync(join(dir, '..', 'potok-console-secret.txt'), { force: true })
  })

  it('serves index.html at / without caching, with a strict content policy', async () => {
    const response = await get('/')
    expect(response.status).toBe(200)
    expect(await response.text()).toContain('id="root"')
    expect(response.headers.get('cache-control')).toBe('no-cache')
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'")
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
  })

  it('serves hashed assets with a year of caching, and 304 on a matching etag', async () => {
    const response = await get('/assets/index-abc.js')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/javascript/)
    expect(response.headers.get('cache-control')).toContain('immutable')
    expect(await response.text()).toBe('console.log(1)')
    const again = await get('/assets/index-abc.js', { headers: { 'if-none-match': response.headers.get('etag')! } })
    expect(again.status).toBe(304)
  })

  it('answers index.html for the app\'s own paths, so they can be reloaded', async () => {
    for (const path of ['/processes', '/processes/7f1c', '/scenarios/greet/edit']) {
      const response = await get(path)
      expect(response.status, path).toBe(200)
      expect(response.headers.get('content-type')).toMatch(/text\/html/)
    }
    const head = await get('/webrequests', { method: 'HEAD' })
    expect(head.status).toBe(200)
  })

  it('leaves API paths and missing files to SPEC §6\'s 404', async () => {
    expect((await get('/api/v1/things')).status).toBe(200)
    for (const path of ['/api/nothing', '/api/v1/nothing', '/API/V1/scenarios', '/Api/webrequest/x', '/HEALTHZ', '/healthz', '/metrics', '/assets/missing.js', '/favicon.ico']) {
      const response = await get(path)
      expect(response.status, path).toBe(404)
      expect((await response.json()).error.code).toBe('NOT_FOUND')
    }
  })

  it('never serves a file outside its directory', async () => {
    for (const path of ['/../potok-console-secret.txt', '/%2e%2e/potok-console-secret.txt', '/assets/..%2f..%2fpotok-console-secret.txt', '/%2e%2e%2fpotok-console-secret.txt']) {
      const response = await get(path)
      expect(await response.text(), path).not.toBe('secret')
    }
  })

  it('explains itself when the console was never built', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'potok-console-empty-'))
    try {
      const response = await appFor(empty).fetch(new Request('http://potok.test/'))
      expect(response.status).toBe(503)
      expect(await response.text()).toContain('npm run build')
    } finally {
      rmSync(empty, { recursive: true, force: true })
    }
  })
})
