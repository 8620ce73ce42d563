/**
 * Catalogs and records in the console, in headless Chromium against a real potok server (with
 * flows/catalogs/leads.json): the catalogs list, the records table and its filters, a new record
 * through the form by field type, a change that starts the catalog's `after update` event — the
 * process listed on the record and linking back to it — and binding a scenario to an event.
 */
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, screenshot, startServer, type TestServer } from './harness.ts'

const STEP = 60_000

describe('catalogs and records in the console', () => {
  let server: TestServer
  let browser: Browser
  let page: Page
  const pageErrors: string[] = []
  let recordId = ''

  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path.slice(1)}`, {
      method,
      headers: { authorization: `Bearer ${server.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return response.status === 204 ? null : (response.json() as Promise<any>)
  }

  beforeAll(async () => {
    server = await startServer()
    browser = await launchBrowser()
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'ru-RU' })
    page = await context.newPage()
    page.on('pageerror', (error) => pageErrors.push(error.message))
    await page.goto(server.url)
    await page.waitForURL(/\/signin/)
    await page.getByTestId('token').fill(server.token)
    await page.getByTestId('signin').click()
    await page.waitForURL(/\/webrequests$/)
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await server?.close()
    expect(pageErrors).toEqual([])
  })

  it(
    "lists catalogs and a catalog's records, filtered by field",
    async () => {
      await page.locator('a.nav-link[href="/catalogs"]').click()
      await page.waitForURL(/\/catalogs$/)
      await page.locator('tr[data-catalog="48"] a').click()
      await page.waitForURL(/\/catalogs\/48$/)
      await page.locator('tr[data-record="1"]').waitFor()
      expect(await page.locator('tr[data-record="1"]').textContent()).toContain('Анна (пример)')
      expect(await page.locator('tr[data-record="1"]').textContent()).toContain('Новая')
      await page.locator('select[name="filter-5"]').selectOption('3')
      await expect.poll(() => page.locator('tr[data-record="1"]').count()).toBe(0)
      await page.locator('select[name="filter-5"]').selectOption('1')
      await page.locator('tr[data-record="1"]').waitFor()
      await page.locator('input[name="filter-8-at"]').fill('2000')
      await expect.poll(() => page.locator('tr[data-record="1"]').count()).toBe(0)
      await page.locator('input[name="filter-8-at"]').fill('')
      await page.locator('tr[data-record="1"]').waitFor()
      await screenshot(page, 'catalog-records')
    },
    STEP,
  )

  it(
    'creates a record through the form, each field by its type',
    async () => {
      await page.locator('a[href="/catalogs/48/records/new"]').click()
      await page.waitForURL(/\/records\/new$/)
      await page.locator('input[name="field-2"]').fill('Вера')
      await page.locator('input[name="field-3"]').fill('+7 900 000-00-01')
      await page.locator('select[name="field-5"]').selectOption('2')
      await page.locator('input[name="field-8"]').fill('300')
      await page.getByTestId('save').click()
      await page.waitForURL(/\/catalogs\/48\/records\/\d+$/)
      recordId = page.url().split('/').pop()!
      const record = await api('GET', `/api/v1/catalogs/48/records/${recordId}`)
      expect(record.values).toMatchObject({ 2: 'Вера', 3: [{ contact: '+7 900 000-00-01', comment: '' }], 5: ['2'], 8: 300 })
    },
    STEP,
  )

  it(
    'a change starts the after-update event; its process links back to the record',
    async () => {
      await page.locator('select[name="field-5"]').selectOption('3')
      await page.getByTestId('save').click()
      await page.getByTestId('saved').waitFor()
      const link = page.getByTestId('record-processes').locator('a', { hasText: 'lead-closed' }).first()
      await link.waitFor({ timeout: 15_000 })
      await expect.poll(async () => (await api('GET', `/api/v1/catalogs/48/records/${recordId}`)).values['7'], { timeout: 10_000 }).toBeTruthy()
      await screenshot(page, 'record')
      await link.click()
      await page.waitForURL(/\/processes\//)
      const back = page.locator(`a[href="/catalogs/48/records/${recordId}"]`)
      await back.waitFor()
      expect(await back.textContent()).toContain('after.update')
      await back.click()
      await page.waitForURL(new RegExp(`/catalogs/48/records/${recordId}$`))
    },
    STEP,
  )

  it(
    'binds a scenario to a data-change event and unbinds it',
    async () => {
      await page.goto(`${server.url}catalogs/48`)
      const bindings = page.getByTestId('event-bindings')
      await bindings.waitFor()
      await bindings.locator('select[name="event-phase"]').selectOption('before')
      await bindings.locator('select[name="event-on"]').selectOption('delete')
      await bindings.locator('select[name="event-scenario"]').selectOption('greet')
      await page.getByTestId('add-binding').click()
      await expect.poll(async () => (await api('GET', '/api/v1/catalogs/48')).events).toContainEqual({ on: 'delete', phase: 'before', scenarioId: 'greet' })
      await screenshot(page, 'catalog-events')
      await bindings.locator('li', { hasText: 'before delete' }).getByRole('button').click()
      await expect.poll(async () => (await api('GET', '/api/v1/catalogs/48')).events).toEqual([{ on: 'update', phase: 'after', scenarioId: 'lead-closed' }])
    },
    STEP,
  )
})
