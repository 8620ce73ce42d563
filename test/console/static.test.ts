/**
 * `server/console.ts` through an h3 app: assets with their cache headers, the SPA fallback to
 * index.html for the app's own paths, standard 404 error bodies for API paths and missing files, no way out
 * of the assets directory, and a clear page when the console was never built.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliCompressSync, brotliDecompressSync, gunzipSync } from 'node:zlib'
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

  it("answers index.html for the app's own paths, so they can be reloaded", async () => {
    for (const path of ['/processes', '/processes/7f1c', '/scenarios/greet/edit']) {
      const response = await get(path)
      expect(response.status, path).toBe(200)
      expect(response.headers.get('content-type')).toMatch(/text\/html/)
    }
    const head = await get('/webrequests', { method: 'HEAD' })
    expect(head.status).toBe(200)
  })

  it('leaves API paths and missing files to the standard 404 error body', async () => {
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

describe('compressed console assets', () => {
  let dir: string
  let app: H3
  const big = `export const words = ${JSON.stringify(Array.from({ length: 4000 }, (_, i) => `word${i % 97}`))}\n`
  const get = (path: string, encoding?: string) => app.fetch(new Request(`http://potok.test${path}`, encoding ? { headers: { 'accept-encoding': encoding } } : {}))

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'potok-console-encoding-'))
    mkdirSync(join(dir, 'assets'))
    writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root"></div>')
    writeFileSync(join(dir, 'assets', 'big-abc.js'), big)
    writeFileSync(join(dir, 'assets', 'pre-abc.js'), big)
    // A copy precompressed by the build is served as it is.
    writeFileSync(join(dir, 'assets', 'pre-abc.js.br'), brotliCompressSync(Buffer.from('export const pre = 1\n')))
    app = appFor(dir)
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('answers brotli or gzip as the browser accepts, identity otherwise, always with Vary', async () => {
    const br = await get('/assets/big-abc.js', 'gzip, deflate, br')
    expect(br.headers.get('content-encoding')).toBe('br')
    expect(br.headers.get('vary')).toMatch(/accept-encoding/i)
    expect(br.headers.get('content-type')).toMatch(/javascript/)
    const brBytes = Buffer.from(await br.arrayBuffer())
    expect(Number(br.headers.get('content-length'))).toBe(brBytes.length)
    expect(brBytes.length).toBeLessThan(big.length / 5)
    expect(brotliDecompressSync(brBytes).toString()).toBe(big)

    const gz = await get('/assets/big-abc.js', 'gzip')
    expect(gz.headers.get('content-encoding')).toBe('gzip')
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString()).toBe(big)

    const plain = await get('/assets/big-abc.js')
    expect(plain.headers.get('content-encoding')).toBeNull()
    expect(plain.headers.get('vary')).toMatch(/accept-encoding/i)
    expect(await plain.text()).toBe(big)
    const refused = await get('/assets/big-abc.js', 'br;q=0, gzip;q=0')
    expect(refused.headers.get('content-encoding')).toBeNull()
  })

  it('gives each encoding its own etag, so a cache never mixes them', async () => {
    const br = await get('/assets/big-abc.js', 'br')
    const plain = await get('/assets/big-abc.js')
    expect(br.headers.get('etag')).not.toBe(plain.headers.get('etag'))
  })

  it('prefers the copy the build compressed', async () => {
    const response = await get('/assets/pre-abc.js', 'br')
    expect(response.headers.get('content-encoding')).toBe('br')
    expect(brotliDecompressSync(Buffer.from(await response.arrayBuffer())).toString()).toBe('export const pre = 1\n')
  })
})
