/**
 * What the console's browser tests need: the console built from its sources, a real potok server
 * (`serve()` on a random port, SQLite in a temporary DATA_DIR, FLOWS_DIR = the repository's
 * `flows/`), and Debian's Chromium driven by playwright-core — never a downloaded browser.
 *
 * CONSOLE_E2E_URL and CONSOLE_E2E_TOKEN run the same tests against a server already running.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'

export const REPO = fileURLToPath(new URL('../../', import.meta.url))
export const ARTIFACTS = join(REPO, 'test/artifacts')
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const ADMIN_TOKEN = 'console-e2e-admin-token-0123456789'

export interface TestServer {
  url: string
  token: string
  close(): Promise<void>
}

export async function startServer(): Promise<TestServer> {
  if (process.env.CONSOLE_E2E_URL) {
    return { url: process.env.CONSOLE_E2E_URL.replace(/\/?$/, '/'), token: process.env.CONSOLE_E2E_TOKEN ?? '', close: async () => {} }
  }
  const { serve } = await import('../../server/serve.ts')
  const { loadSettings } = await import('../../server/settings.ts')
  const { createLogger } = await import('../../server/log.ts')
  const dataDir = mkdtempSync(join(tmpdir(), 'potok-console-e2e-'))
  const settings = loadSettings({}, { port: 0, host: '127.0.0.1', dataDir, flowsDir: join(REPO, 'flows'), adminToken: ADMIN_TOKEN, logLevel: 'warn' })
  const server = await serve(settings, { handleSignals: false, banner: false, logger: createLogger('silent') })
  return {
    url: server.url,
    token: ADMIN_TOKEN,
    close: async () => {
      await server.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install Debian's package (apt-get install -y chromium)`)
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] })
}

let shot = 0

/** Removes the screenshots of an earlier run. */
export function clearScreenshots(): void {
  mkdirSync(ARTIFACTS, { recursive: true })
  for (const file of readdirSync(ARTIFACTS)) if (/^console-.*\.png$/.test(file)) rmSync(join(ARTIFACTS, file))
}
/** Saves a full-page screenshot as test/artifacts/console-NN-name.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true })
  const file = join(ARTIFACTS, `console-${String(++shot).padStart(2, '0')}-${name}.png`)
  // A full-page shot of a scrolled page draws the sticky top bar mid-page.
  await page.evaluate(() => window.scrollTo(0, 0))
  await page.screenshot({ path: file, fullPage: true })
  return file
}
