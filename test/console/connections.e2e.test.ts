/**
 * The connections page («Доступы») in headless Chromium against a real server: the declared
 * "mail" connection is listed with its environment variable, a new OAuth2 connection is created
 * through the form (problems from the API shown under their fields), its secret is never shown
 * again, "***" keeps it on save, and it is deleted.
 */
import { randomBytes } from 'node:crypto'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, screenshot, startServer, type TestServer } from './harness.ts'

const STEP = 60_000
const SECRET = 'oauth-client-secret-7d1f'

describe('connections page', () => {
  let server: TestServer
  let browser: Browser
  let page: Page
  const pageErrors: string[] = []

  beforeAll(async () => {
    process.env.POTOK_SECRET_KEY = randomBytes(32).toString('base64')
    server = await startServer()
    browser = await launchBrowser()
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' })).newPage()
    page.on('pageerror', (error) => pageErrors.push(error.message))
    await page.goto(`${server.url}signin`)
    await page.getByTestId('token').fill(server.token)
    await page.getByTestId('signin').click()
    await page.waitForURL(/\/webrequests$/)
    await page.getByTestId('lang-en').click()
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await server?.close()
    delete process.env.POTOK_SECRET_KEY
  })

  const api = (method: string, path: string) => fetch(`${server.url}${path.slice(1)}`, { method, headers: { authorization: `Bearer ${server.token}` } })

  it(
    'lists the declared connection without its secret',
    async () => {
      await page.getByRole('link', { name: 'Connections' }).click()
      await page.waitForURL(/\/connections$/)
      const row = page.locator('tr[data-connection="mail"]')
      await row.waitFor()
      await expect.poll(() => row.textContent()).toContain('127.0.0.1:2525')
      expect(await row.textContent()).toContain('$MAIL_PASSWORD')
    },
    STEP,
  )

  it(
    "creates an OAuth2 connection through the form; the API's problems show under their fields",
    async () => {
      await page.getByRole('link', { name: 'New connection' }).click()
      const form = page.getByTestId('connection-form')
      await form.locator('input[name="name"]').fill('CRM')
      await form.locator('input[name="id"]').fill('crm')
      await form.locator('select[name="type"]').selectOption('http')
      await form.locator('select[name="scheme"]').selectOption('oauth2')
      await form.locator('input[name="tokenUrl"]').fill('not a url')
      await page.getByTestId('save').click()
      await expect.poll(() => form.locator('.field.has-problems').count()).toBeGreaterThan(0)
      expect(await form.textContent()).toContain('oauth2 needs a clientId')
      await form.locator('input[name="tokenUrl"]').fill('https://id.example.com/oauth/token')
      await form.locator('input[name="clientId"]').fill('potok')
      await form.locator('input[name="secret"]').fill(SECRET)
      await screenshot(page, 'connection-form')
      await page.getByTestId('save').click()
      await page.waitForURL(/\/connections$/)
      const row = page.locator('tr[data-connection="crm"]')
      await row.waitFor()
      expect(await row.textContent()).toContain('***')
      expect(await page.content()).not.toContain(SECRET)
      await screenshot(page, 'connections')
    },
    STEP,
  )

  it(
    'edits it: the secret shows as *** and is kept on save; then deletes it',
    async () => {
      await page.locator('tr[data-connection="crm"]').getByRole('link', { name: 'Edit' }).click()
      const form = page.getByTestId('connection-form')
      await expect.poll(() => form.locator('input[name="secret"]').inputValue()).toBe('***')
      await form.locator('input[name="scope"]').fill('leads.read')
      await page.getByTestId('save').click()
      await page.waitForURL(/\/connections$/)
      const stored = await (await api('GET', '/api/v1/connections/crm')).json()
      expect(stored).toMatchObject({ config: { scheme: 'oauth2', scope: 'leads.read' }, secrets: { clientSecret: '***' } })

      await page.locator('tr[data-connection="crm"]').getByRole('link', { name: 'Edit' }).click()
      page.once('dialog', (dialog) => dialog.accept())
      await page.getByRole('button', { name: 'Delete' }).click()
      await page.waitForURL(/\/connections$/)
      expect((await api('GET', '/api/v1/connections/crm')).status).toBe(404)
      expect(pageErrors).toEqual([])
    },
    STEP,
  )
})
