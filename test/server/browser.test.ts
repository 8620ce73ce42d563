/**
 * CORS from a real browser: a page served on one origin (http://localhost:<port>) calls a PUT
 * endpoint on potok at another (http://127.0.0.1:<port>). The JSON PUT needs a preflight; it
 * succeeds only because potok answers the preflight itself (the external request's `cors`),
 * and fails against an external request without it. Headless Chromium from Debian's packages,
 * driven by playwright-core.
 */
import { existsSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { startServer, type TestServer } from './helpers.ts'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const available = existsSync(CHROMIUM)
if (!available) console.log(`browser CORS test skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`)

let potok: TestServer
let page: Server
let pageOrigin: string
let browser: Browser

beforeAll(async () => {
  if (!available) return
  potok = await startServer()
  page = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    res.end('<!doctype html><title>caller</title><p>cross-origin caller</p>')
  })
  await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve))
  pageOrigin = `http://localhost:${(page.address() as AddressInfo).port}`
  const created = await potok.api('POST', '/api/v1/webrequests', {
    name: 'Browser PUT',
    urlId: 'browser-put',
    scenarioId: 'echo',
    cors: { origins: [pageOrigin], methods: ['PUT'], headers: ['Content-Type', 'X-Client'], maxAge: 0 },
  })
  expect(created.status).toBe(201)
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] })
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await new Promise((resolve) => page?.close(resolve))
  await potok?.close()
})

test.skipIf(!available)("a cross-origin PUT with JSON succeeds thanks to potok's preflight answer", async () => {
  const tab = await browser.newPage()
  await tab.goto(`${pageOrigin}/`)
  const before = (await potok.processes()).length
  const target = potok.url.replace(/\/$/, '')
  const call = (urlId: string) =>
    tab.evaluate(
      async ({ url }) => {
        try {
          const response = await fetch(url, { method: 'PUT', headers: { 'Content-Type': 'application/json', 'X-Client': 'page' }, body: JSON.stringify({ from: 'browser', n: 7 }) })
          return { ok: true, status: response.status, processId: response.headers.get('X-Process-Id'), body: await response.json() }
        } catch (error) {
          return { ok: false, error: String(error) }
        }
      },
      { url: `${target}/api/webrequest/${urlId}` },
    )

  const result = await call('browser-put')
  expect(result.ok, JSON.stringify(result)).toBe(true)
  expect(result.status).toBe(200)
  expect(result.processId).toMatch(/^[0-9a-f-]{36}$/) // readable: potok exposes X-Process-Id
  expect(result.body.method).toBe('PUT')
  expect(result.body.body).toEqual({ from: 'browser', n: 7 })
  expect(result.body.headers.origin).toBe(pageOrigin)
  expect(result.body.headers['x-client']).toBe('page')

  // The same call to an external request without `cors` runs the scenario for the preflight
  // (an ordinary OPTIONS request), which sets no CORS headers: the browser refuses.
  const refused = await call('echo')
  expect(refused.ok).toBe(false)
  expect(refused.error).toMatch(/Failed to fetch/)

  // One process for the PUT, one for echo's OPTIONS; none for potok's own preflight answer.
  const added = (await potok.processes()).slice(0, (await potok.processes()).length - before)
  expect(added.map((p) => p.input.method).sort()).toEqual(['OPTIONS', 'PUT'])
  await tab.close()
})
