/**
 * The console end to end, in headless Chromium against a real potok server: sign in, the
 * external requests catalog, a scenario's graph, a web request creating a process that appears
 * in the live list, the process page with its path and variables, replay; then editing —
 * validation on the nodes, a new scenario, a new external request with the API's errors shown,
 * a failing process with its failed node marked, a new version, the diff, a replay on the
 * current version — BPMN: a file imported through the file input and by dropping it, its
 * report and its graph, saved (and saved again as a new version), downloaded back and imported
 * again, refused files — and the language switch. Screenshots of each page go to test/artifacts/.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { clearScreenshots, launchBrowser, REPO, screenshot, startServer, type TestServer } from './harness.ts'

const FIXTURES = join(REPO, 'test/bpmn/fixtures')

const STEP = 60_000

describe('console in a browser', () => {
  let server: TestServer
  let browser: Browser
  let context: BrowserContext
  let page: Page
  const external: string[] = []
  const pageErrors: string[] = []
  let greetProcess = ''
  let failedProcess = ''

  const origin = () => new URL(server.url).origin
  const call = (urlId: string, body: unknown) => fetch(`${server.url}api/webrequest/${urlId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  /** Replaces the whole text of the CodeMirror editor on the page. */
  const setEditorText = async (text: string) => {
    await page.locator('.cm-content').click()
    await page.keyboard.press('Control+A')
    await page.keyboard.press('Delete')
    await page.keyboard.insertText(text)
  }

  beforeAll(async () => {
    clearScreenshots()
    server = await startServer()
    browser = await launchBrowser()
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'ru-RU' })
    page = await context.newPage()
    page.on('request', (request) => {
      const url = new URL(request.url())
      if (!['data:', 'blob:'].includes(url.protocol) && url.origin !== origin()) external.push(request.url())
    })
    page.on('pageerror', (error) => pageErrors.push(error.message))
  }, 120_000)

  // Without the console at / nothing below can pass: the first test says why, the rest fail fast saying so.
  let served = false
  beforeEach(async (context) => {
    if (context.task.name.startsWith('serves the console')) return
    if (!served) throw new Error('the console is not served at / (see the first test of this file)')
    // A failing step leaves a picture of the page it failed on.
    context.onTestFailed(async () => {
      await screenshot(page, `FAILED-${context.task.name.replace(/\W+/g, '-').slice(0, 40)}`).catch(() => {})
    })
  })

  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it('serves the console at / and keeps API paths out of it', async () => {
    const index = await fetch(server.url)
    expect(index.status, 'GET / must serve the console: is registerConsole(app) wired into server/app.ts?').toBe(200)
    expect(index.headers.get('content-type')).toMatch(/text\/html/)
    served = true
    const deep = await fetch(`${server.url}processes/some-id`)
    expect(deep.status).toBe(200)
    expect(await deep.text()).toContain('<div id="root">')
    const api = await fetch(`${server.url}api/v1/scenarios`)
    expect(api.status).toBe(401)
    const missing = await fetch(`${server.url}api/nothing-here`)
    expect(missing.status).toBe(404)
    expect((await missing.json()).error.code).toBe('NOT_FOUND')
  })

  it(
    'signs in with the admin token',
    async () => {
      await page.goto(server.url)
      await page.waitForURL(/\/signin/)
      await page.getByTestId('token').fill('wrong-token-wrong-token')
      await page.getByTestId('signin').click()
      await expect.poll(() => page.locator('.error-box').textContent()).toContain('не подходит')
      await screenshot(page, 'signin')
      await page.getByTestId('token').fill(server.token)
      await page.getByTestId('signin').click()
      await page.waitForURL(/\/webrequests$/)
    },
    STEP,
  )

  it(
    'lists the external requests with their full URL',
    async () => {
      const row = page.locator('tr[data-urlid="greet"]')
      await row.waitFor()
      await expect.poll(() => row.getByTestId('url').textContent()).toBe(`${origin()}/api/webrequest/greet`)
      expect(await row.getByTestId('enabled').isChecked()).toBe(true)
      await screenshot(page, 'webrequests')
    },
    STEP,
  )

  it(
    'shows a scenario as a graph with its nodes, labels and JSON',
    async () => {
      await page.locator('tr[data-urlid="greet"] a[href="/scenarios/greet"]').click()
      await page.waitForURL(/\/scenarios\/greet$/)
      const graph = page.getByTestId('graph')
      for (const id of ['start', 'vars', 'end']) await graph.locator(`[data-node-id="${id}"]`).waitFor()
      expect(await graph.locator('[data-node-id="start"]').getAttribute('class')).toContain('node-event')
      expect(await graph.locator('[data-node-id="vars"]').getAttribute('class')).toContain('node-activity')
      expect(await graph.locator('[data-node-id="vars"]').textContent()).toContain('Назначение переменных')
      expect(await graph.locator('.react-flow__edge').count()).toBe(2)
      await expect.poll(() => page.locator('.cm-content').textContent()).toContain("greeting: 'Hello, '")
      await page.waitForTimeout(300)
      await screenshot(page, 'scenario-greet')

      // Gateways are diamonds, edges carry their conditions and "default", boundaries sit on their activity.
      await page.goto(`${server.url}scenarios/loop`)
      await graph.locator('[data-node-id="check"]').waitFor()
      expect(await graph.locator('[data-node-id="check"]').getAttribute('class')).toContain('node-gateway')
      await expect.poll(() => graph.locator('.edge-label').allTextContents()).toEqual(expect.arrayContaining(['i < n', 'по умолчанию']))
      await page.waitForTimeout(300)
      await screenshot(page, 'scenario-loop')
      await page.goto(`${server.url}scenarios/error-boundary`)
      await graph.locator('[data-node-id="caught"]').waitFor()
      expect(await graph.locator('[data-node-id="caught"]').getAttribute('class')).toContain('node-boundary')
      const host = await graph.locator('.react-flow__node[data-id="risky"]').boundingBox()
      const boundary = await graph.locator('.react-flow__node[data-id="caught"]').boundingBox()
      expect(boundary!.y + boundary!.height / 2).toBeGreaterThan(host!.y + host!.height - 4)
      expect(boundary!.y + boundary!.height / 2).toBeLessThan(host!.y + host!.height + 4)
      await page.waitForTimeout(300)
      await screenshot(page, 'scenario-error-boundary')
    },
    STEP,
  )

  it(
    'shows a process started by the web request appear in the live list',
    async () => {
      await page.locator('.nav-link[href="/processes"]').click()
      await page.waitForURL(/\/processes$/)
      await page.getByTestId('filters').waitFor()
      const answer = await call('greet', { name: 'Ann', n: 1 })
      expect(answer.status).toBe(201)
      greetProcess = answer.headers.get('x-process-id')!
      expect(greetProcess).toBeTruthy()
      const row = page.locator(`tr[data-process="${greetProcess}"]`)
      await row.waitFor({ timeout: 10_000 })
      expect(await row.locator('[data-status]').getAttribute('data-status')).toBe('completed')
      await screenshot(page, 'processes')
    },
    STEP,
  )

  it(
    'opens the process: the path it took, the steps and the variables after each',
    async () => {
      await page.locator(`tr[data-process="${greetProcess}"] a`).click()
      await page.waitForURL(new RegExp(`/processes/${greetProcess}$`))
      const graph = page.getByTestId('graph')
      await graph.locator('[data-node-id="end"][data-visited="true"]').waitFor()
      expect(await graph.locator('[data-node-id="start"]').getAttribute('data-steps')).toBe('1')
      expect(await graph.locator('[data-node-id="vars"]').getAttribute('data-steps')).toBe('2')
      expect(await graph.locator('[data-node-id="end"]').getAttribute('data-steps')).toBe('3')
      expect(await graph.getByTestId('edge-steps').allTextContents()).toEqual(expect.arrayContaining(['2', '3']))
      expect(await page.getByTestId('step').count()).toBe(3)

      await page.locator('[data-testid="step"][data-node="vars"]').click()
      const vars = page.getByTestId('variables')
      await expect.poll(() => vars.textContent()).toContain('"greeting": "Hello, Ann"')
      expect(await vars.locator('.is-written').count()).toBeGreaterThanOrEqual(3)
      await page.locator('[data-testid="step"][data-node="start"]').click()
      await expect.poll(() => vars.textContent()).not.toContain('Hello, Ann')
      expect(await vars.textContent()).toContain('"name": "Ann"')
      await page.getByTestId('tab-response').click()
      expect(await page.locator('.data-tabs').textContent()).toContain('201')
      await page.locator('[data-testid="step"][data-node="vars"]').click()
      await screenshot(page, 'process-greet')
    },
    STEP,
  )

  it(
    'replays the process and goes to the new one',
    async () => {
      await page.getByTestId('replay-original').click()
      await page.waitForURL((url) => url.pathname.startsWith('/processes/') && !url.pathname.endsWith(greetProcess))
      await page.locator(`a[href="/processes/${greetProcess}"]`).first().waitFor()
      await page.getByTestId('graph').locator('[data-node-id="end"][data-visited="true"]').waitFor({ timeout: 15_000 })
      await expect.poll(() => page.locator('h1 [data-status]').getAttribute('data-status'), { timeout: 15_000 }).toBe('completed')
      await screenshot(page, 'process-replay')
    },
    STEP,
  )

  it(
    'numbers every pass through a loop on its nodes and edges',
    async () => {
      const answer = await fetch(`${server.url}api/webrequest/loop?n=3`)
      expect(answer.status).toBe(200)
      await page.goto(`${server.url}processes/${answer.headers.get('x-process-id')}`)
      const graph = page.getByTestId('graph')
      await graph.locator('[data-node-id="end"][data-visited="true"]').waitFor()
      expect(await graph.locator('[data-node-id="check"]').getAttribute('data-steps')).toBe('3,5,7,9')
      expect(await graph.locator('[data-node-id="step"]').getAttribute('data-steps')).toBe('4,6,8')
      expect(await graph.getByTestId('edge-steps').allTextContents()).toEqual(expect.arrayContaining(['4, 6, 8', '5, 7, 9', '10']))
      await page.waitForTimeout(300)
      await screenshot(page, 'process-loop')
    },
    STEP,
  )

  it(
    'validates a new scenario as it is typed and shows the problems on its nodes',
    async () => {
      await page.goto(`${server.url}scenarios/new`)
      await page.getByTestId('view-json').click()
      await page.locator('.cm-content').waitFor()
      const broken = {
        id: 'e2e-fail',
        name: 'E2E: fails',
        nodes: [
          { id: 'start', type: 'start' },
          { id: 'boom', type: 'setVariables', name: 'Сломано', config: { assignments: [{ name: 'x', value: '1 +' }] } },
          { id: 'end', type: 'end' },
        ],
        edges: [
          { from: 'start', to: 'boom' },
          { from: 'boom', to: 'end' },
        ],
      }
      await setEditorText(JSON.stringify(broken, null, 2))
      const state = page.getByTestId('check-state')
      await expect.poll(() => state.getAttribute('data-state'), { timeout: 10_000 }).toBe('invalid')
      await page.getByTestId('graph').locator('[data-node-id="boom"] [data-testid="problem-badge"]').waitFor()
      expect(await page.getByTestId('problems').textContent()).toContain('nodes[1].config.assignments[0].value')
      await page.locator('.cm-lintRange-error').first().waitFor()
      await page.waitForTimeout(300)
      await screenshot(page, 'editor-problems')

      broken.nodes[1].config!.assignments[0].value = 'missingVariable + 1'
      await setEditorText(JSON.stringify(broken, null, 2))
      await expect.poll(() => state.getAttribute('data-state'), { timeout: 10_000 }).toBe('valid')
      await page.getByTestId('save').click()
      await page.waitForURL(/\/scenarios\/e2e-fail$/)
      await page.getByTestId('graph').locator('[data-node-id="boom"]').waitFor()
    },
    STEP,
  )

  it(
    "creates an external request, showing the API's errors first",
    async () => {
      await page.goto(`${server.url}webrequests/new`)
      const form = page.getByTestId('webrequest-form')
      await form.locator('input[name="name"]').fill('E2E fails')
      await form.locator('input[name="urlId"]').fill('bad urlId!')
      await form.locator('select[name="scenarioId"]').selectOption('e2e-fail')
      await form.getByTestId('save').click()
      await form.locator('.field.has-problems .field-problem').first().waitFor()
      expect(await form.locator('.error-box').textContent()).toContain('urlId')
      await screenshot(page, 'webrequest-form-errors')

      await form.locator('input[name="urlId"]').fill('greet')
      await form.getByTestId('save').click()
      await expect.poll(() => form.locator('.error-box').textContent()).toContain('CONFLICT')

      await form.locator('input[name="urlId"]').fill('e2e-fail')
      await form.getByTestId('save').click()
      await page.waitForURL((url) => /^\/webrequests\/[^/]+$/.test(url.pathname) && !url.pathname.endsWith('/new'))
      await page.locator('.nav-link[href="/webrequests"]').click()
      await page.locator('tr[data-urlid="e2e-fail"]').waitFor()
    },
    STEP,
  )

  it(
    'switches an external request off and on (PUT of the whole record)',
    async () => {
      const toggle = page.locator('tr[data-urlid="e2e-fail"]').getByTestId('enabled')
      await toggle.click()
      await expect.poll(() => toggle.isChecked()).toBe(false)
      expect((await call('e2e-fail', {})).status).toBe(404)
      await toggle.click()
      await expect.poll(() => toggle.isChecked()).toBe(true)
    },
    STEP,
  )

  it(
    'marks the node a process failed at',
    async () => {
      const answer = await call('e2e-fail', {})
      expect(answer.status).toBe(500)
      failedProcess = answer.headers.get('x-process-id')!
      const lastStatus = page.locator('tr[data-urlid="e2e-fail"] [data-status]')
      await expect.poll(() => lastStatus.getAttribute('data-status'), { timeout: 10_000 }).toBe('failed')
      await page.goto(`${server.url}processes/${failedProcess}`)
      const graph = page.getByTestId('graph')
      await graph.locator('[data-node-id="boom"][data-failed="true"]').waitFor()
      expect(await graph.locator('[data-node-id="end"]').getAttribute('data-visited')).toBe('false')
      expect(await page.getByTestId('process-error').textContent()).toContain('boom')
      await screenshot(page, 'process-failed')
    },
    STEP,
  )

  it(
    'saves a new version, diffs it, and replays the failed process on it',
    async () => {
      await page.goto(`${server.url}scenarios/e2e-fail/edit`)
      await page.getByTestId('view-json').click()
      await page.locator('.cm-content').waitFor()
      const fixed = {
        id: 'e2e-fail',
        name: 'E2E: fixed',
        nodes: [
          { id: 'start', type: 'start' },
          {
            id: 'boom',
            type: 'setVariables',
            name: 'Исправлено',
            config: {
              assignments: [
                { name: 'x', value: "typeof missingVariable === 'undefined' ? 0 : 1" },
                { name: '$body', value: '({ x })' },
              ],
            },
          },
          { id: 'end', type: 'end' },
        ],
        edges: [
          { from: 'start', to: 'boom' },
          { from: 'boom', to: 'end' },
        ],
      }
      await setEditorText(JSON.stringify(fixed, null, 2))
      await expect.poll(() => page.getByTestId('check-state').getAttribute('data-state'), { timeout: 10_000 }).toBe('valid')
      await screenshot(page, 'editor-valid')
      await page.getByTestId('save').click()
      // Saving a new version shows its changes first.
      expect(await page.getByTestId('save-diff').locator('.diff-add').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('E2E: fixed')]))
      await page.getByTestId('save-confirm').click()
      await page.waitForURL(/\/scenarios\/e2e-fail$/)
      await page.getByTestId('tab-versions').click()
      const diff = page.getByTestId('diff')
      await expect.poll(() => diff.locator('.diff-add').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('E2E: fixed')]))
      expect(await diff.locator('.diff-del').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('E2E: fails')]))
      await screenshot(page, 'scenario-versions')

      await page.goto(`${server.url}processes/${failedProcess}`)
      await page.getByTestId('replay-current').click()
      await page.waitForURL((url) => url.pathname.startsWith('/processes/') && !url.pathname.endsWith(failedProcess))
      await expect.poll(() => page.locator('h1 [data-status]').getAttribute('data-status'), { timeout: 15_000 }).toBe('completed')
      await page.getByTestId('graph').locator('[data-node-id="end"][data-visited="true"]').waitFor()
      expect(await page.locator('.meta').textContent()).toContain('v2')
    },
    STEP,
  )

  it(
    'resumes an interrupted process, then cancels it',
    async () => {
      const admin = (path: string, body: unknown) =>
        fetch(`${server.url}api/v1/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` }, body: JSON.stringify(body) })
      const created = await admin('scenarios', {
        id: 'e2e-wait',
        nodes: [
          { id: 'start', type: 'start' },
          { id: 'wait', type: 'timer', config: { pause: 'PT30S' } },
          { id: 'end', type: 'end' },
        ],
        edges: [
          { from: 'start', to: 'wait' },
          { from: 'wait', to: 'end' },
        ],
      })
      expect(created.status).toBe(201)
      expect((await admin('webrequests', { name: 'E2E waits', urlId: 'e2e-wait', scenarioId: 'e2e-wait', timeoutMs: 300 })).status).toBe(201)
      const answer = await call('e2e-wait', {})
      expect(answer.status).toBe(504)
      const id = answer.headers.get('x-process-id')!

      await page.goto(`${server.url}processes/${id}`)
      await expect.poll(() => page.locator('h1 [data-status]').getAttribute('data-status')).toBe('interrupted')
      expect(await page.getByTestId('cancel').isDisabled()).toBe(true)
      await page.getByTestId('resume').click()
      await expect.poll(() => page.locator('h1 [data-status]').getAttribute('data-status'), { timeout: 10_000 }).toMatch(/queued|running/)
      await page.getByTestId('graph').locator('[data-node-id="wait"]').waitFor()
      // The edges stay drawn through the resume (they once vanished until a reload).
      await expect.poll(() => page.getByTestId('graph').locator('.react-flow__edge').count()).toBe(2)
      await page.waitForTimeout(2500) // one poll of the process later
      expect(await page.getByTestId('graph').locator('.react-flow__edge').count()).toBe(2)
      await screenshot(page, 'process-resumed')
      // Cancelling asks first: refusing leaves the process running.
      let asked = ''
      page.once('dialog', (dialog) => {
        asked = dialog.message()
        void dialog.dismiss()
      })
      await page.getByTestId('cancel').click()
      await expect.poll(() => asked).toContain(id.slice(-8))
      expect(await page.locator('h1 [data-status]').getAttribute('data-status')).toMatch(/queued|running/)
      page.once('dialog', (dialog) => void dialog.accept())
      await page.getByTestId('cancel').click()
      await expect.poll(() => page.locator('h1 [data-status]').getAttribute('data-status'), { timeout: 10_000 }).toBe('cancelled')
      // An ended process has nothing running or pulsing, whatever steps it left open.
      await page.waitForTimeout(300)
      expect(await page.locator('.node.is-running, .step-running').count()).toBe(0)
      expect(await page.getByTestId('graph').locator('.react-flow__edge').count()).toBe(2)
      await screenshot(page, 'process-cancelled')

      // The list shows the HTTP status, the error code and the failing node, and finds a process by id.
      await page.goto(`${server.url}processes`)
      const row = page.locator(`tr[data-process="${failedProcess}"]`)
      await expect.poll(() => row.getByTestId('http-status').textContent()).toBe('500')
      expect(await row.getByTestId('failed-node').textContent()).toBe('boom')
      expect(await row.getByTestId('error-code').textContent()).toMatch(/^[A-Z_]+$/)
      await page.getByTestId('find-process').fill(id.slice(-8))
      await page.getByTestId('find-process').press('Enter')
      await page.waitForURL(new RegExp(`/processes/${id}$`))
    },
    STEP,
  )

  /** The admin API, as a script would call it. */
  const adminApi = (method: string, path: string, body?: string, contentType = 'application/json') =>
    fetch(`${server.url}api/v1/${path}`, { method, headers: { authorization: `Bearer ${server.token}`, ...(body === undefined ? {} : { 'content-type': contentType }) }, body })
  /** Node ids of the canvas, in document order. */
  const _canvasNodes = () =>
    page
      .getByTestId('graph')
      .locator('[data-node-id]')
      .evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-node-id')))
  /** Centre of a node on the canvas. */
  const centreOf = async (id: string) => {
    const box = (await page.getByTestId('graph').locator(`.react-flow__node[data-id="${id}"]`).boundingBox())!
    return { x: box.x + box.width / 2, y: box.y + box.height / 2 }
  }

  it(
    'resumes a failed process on the current version, where the failing node was fixed',
    async () => {
      const admin = (method: string, path: string, body: unknown) =>
        fetch(`${server.url}api/v1/${path}`, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` }, body: JSON.stringify(body) })
      const version = (value: string) => ({
        id: 'e2e-fix',
        nodes: [
          { id: 'start', type: 'start' },
          { id: 'calc', type: 'setVariables', config: { assignments: [{ name: '$body', value }] } },
          { id: 'end', type: 'end' },
        ],
        edges: [
          { from: 'start', to: 'calc' },
          { from: 'calc', to: 'end' },
        ],
      })
      expect((await admin('POST', 'scenarios', version('price * 2'))).status).toBe(201)
      expect((await admin('POST', 'webrequests', { name: 'E2E fix', urlId: 'e2e-fix', scenarioId: 'e2e-fix' })).status).toBe(201)
      const answer = await call('e2e-fix', {})
      expect(answer.status).toBe(500)
      const id = answer.headers.get('x-process-id')!
      expect((await admin('PUT', 'scenarios/e2e-fix', version('21 * 2'))).status).toBe(200)

      await page.goto(`${server.url}processes/${id}`)
      await expect.poll(() => page.locator('h1 [data-status]').getAttribute('data-status')).toBe('failed')
      await page.getByTestId('resume-current').click()
      await expect.poll(() => page.locator('h1 [data-status]').getAttribute('data-status'), { timeout: 15_000 }).toBe('completed')
      const record = await (await fetch(`${server.url}api/v1/processes/${id}`, { headers: { authorization: `Bearer ${server.token}` } })).json()
      expect(record).toMatchObject({ scenario: { version: 2 }, output: { $body: 42 } })
      await screenshot(page, 'process-resumed-on-current')
    },
    STEP,
  )

  it(
    'imports a .bpmn file: its report, its graph as the file draws it, an id from the file name; saves it',
    async () => {
      await page.goto(`${server.url}scenarios`)
      await page.getByTestId('scenarios').waitFor()
      expect(await page.getByTestId('import-choose').textContent()).toBe('Импорт .bpmn')
      await screenshot(page, 'scenarios')
      await page.getByTestId('import-file').setInputFiles(join(FIXTURES, 'tilda-form.bpmn'))
      await page.waitForURL(/\/scenarios\/import$/)
      expect(await page.getByTestId('import-filename').textContent()).toContain('tilda-form.bpmn')

      const report = page.getByTestId('import-report')
      await report.waitFor()
      expect(await report.getAttribute('data-complete')).toBe('true')
      expect(await report.getAttribute('data-valid')).toBe('true')
      expect(await page.getByTestId('chip-complete').textContent()).toBe('Все элементы перенесены')
      expect(await page.getByTestId('import-warnings').textContent()).toContain('ServiceTask_0lead01')
      expect(await page.getByTestId('import-ignored').textContent()).toContain('TextAnnotation_0note')

      // Bpium calls the process Process_1: the id comes from the file name.
      expect(await page.getByTestId('import-id').inputValue()).toBe('tilda-form')
      const graph = page.getByTestId('graph')
      for (const id of ['StartEvent_0tilda1', 'ServiceTask_0lead01', 'ServiceTask_0crm001', 'ServiceTask_0answer', 'EndEvent_0tilda9']) await graph.locator(`[data-node-id="${id}"]`).waitFor()
      expect(await graph.getAttribute('data-layout')).toBe('positions')
      // Drawn in the file's row, left to right, none on top of another.
      const xs = await Promise.all(['StartEvent_0tilda1', 'ServiceTask_0lead01', 'ServiceTask_0crm001', 'ServiceTask_0answer', 'EndEvent_0tilda9'].map(centreOf))
      for (let i = 1; i < xs.length; i++) {
        expect(xs[i].x).toBeGreaterThan(xs[i - 1].x + 60)
        expect(Math.abs(xs[i].y - xs[0].y)).toBeLessThan(2)
      }
      expect(await graph.locator('.react-flow__edge').count()).toBe(4)

      // An id that is not a potok id cannot be saved.
      await page.getByTestId('import-id').fill('not an id!')
      expect(await page.getByTestId('import-save').isDisabled()).toBe(true)
      await page.getByTestId('import-id').fill('tilda-form')
      await page.getByTestId('import-name').fill('Заявки с Тильды')
      await page.waitForTimeout(300)
      await screenshot(page, 'import-tilda')

      await page.getByTestId('import-save').click()
      await page.waitForURL(/\/scenarios\/tilda-form$/)
      expect(await page.locator('h1').textContent()).toContain('Заявки с Тильды')
      await page.getByTestId('graph').locator('[data-node-id="ServiceTask_0crm001"]').waitFor()
      expect(await page.getByTestId('graph').getAttribute('data-layout')).toBe('positions')
      await page.waitForTimeout(300)
      await screenshot(page, 'scenario-imported')
      const stored = await (await adminApi('GET', 'scenarios/tilda-form')).json()
      expect(stored.version).toBe(1)
      expect(stored.scenario.nodes.find((n: { id: string }) => n.id === 'ServiceTask_0crm001').position).toEqual({ x: 392.5, y: 243 })
    },
    STEP,
  )

  it(
    'downloads the scenario as .bpmn; the file imports again, and saves as a new version',
    async () => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-bpmn').click()])
      expect(download.suggestedFilename()).toBe('tilda-form.bpmn')
      const file = await download.path()
      const xml = readFileSync(file, 'utf8')
      expect(xml).toContain('<bpmn:definitions')
      expect(xml).toContain('<bpmn:process id="tilda-form"')
      const answer = await adminApi('POST', 'scenarios/import', xml, 'application/xml')
      expect(answer.status).toBe(200)
      const again = await answer.json()
      const stored = await (await adminApi('GET', 'scenarios/tilda-form')).json()
      expect(again.report).toMatchObject({ complete: true, valid: true, unsupported: [] })
      expect(again.scenario.nodes).toEqual(stored.scenario.nodes)
      expect(again.scenario.edges).toEqual(stored.scenario.edges)

      // Through the console: the id is the process id now, which is taken — a new version then.
      await page.goto(`${server.url}scenarios/import`)
      await page.getByTestId('drop-zone').waitFor()
      await page.getByTestId('import-file').setInputFiles({ name: 'tilda-form.bpmn', mimeType: 'application/xml', buffer: readFileSync(file) })
      await page.getByTestId('import-report').waitFor()
      expect(await page.getByTestId('import-id').inputValue()).toBe('tilda-form')
      expect(await page.getByTestId('import-name').inputValue()).toBe('Заявки с Тильды')
      // (The store keeps no new version of an unchanged scenario: the exact round trip would stay v1.)
      await page.getByTestId('import-name').fill('Заявки с Тильды, из .bpmn')
      await page.getByTestId('import-save').click()
      const conflict = page.getByTestId('import-conflict')
      await expect.poll(() => conflict.textContent()).toContain('«tilda-form» уже есть (v1)')
      await screenshot(page, 'import-conflict')
      await page.getByTestId('import-save-version').click()
      await page.waitForURL(/\/scenarios\/tilda-form$/)
      await expect.poll(async () => (await (await adminApi('GET', 'scenarios/tilda-form')).json()).version).toBe(2)
      await expect.poll(() => page.locator('.page-head .muted').first().textContent()).toContain('v2')
      expect(await page.locator('h1').textContent()).toContain('Заявки с Тильды, из .bpmn')
    },
    STEP,
  )

  it(
    'reports unsupported elements of a dropped file, shows the save refused, and saves with placeholders',
    async () => {
      await page.goto(`${server.url}scenarios`)
      await page.getByTestId('scenarios').waitFor()
      const text = readFileSync(join(FIXTURES, 'unsupported.bpmn'), 'utf8')
      const dataTransfer = await page.evaluateHandle((xml) => {
        const transfer = new DataTransfer()
        transfer.items.add(new File([xml], 'unsupported.bpmn', { type: 'application/xml' }))
        return transfer
      }, text)
      await page.dispatchEvent('main', 'dragenter', { dataTransfer })
      await page.getByTestId('drop-overlay').waitFor()
      await screenshot(page, 'scenarios-drop')
      await page.dispatchEvent('main', 'dragover', { dataTransfer })
      await page.dispatchEvent('main', 'drop', { dataTransfer })
      await page.waitForURL(/\/scenarios\/import$/)

      const report = page.getByTestId('import-report')
      await report.waitFor()
      expect(await report.getAttribute('data-complete')).toBe('false')
      // «Создать запись» (bpiumAdd) is a data action potok maps: two elements are left.
      expect(await page.getByTestId('chip-complete').textContent()).toBe('Не перенесено: 2')
      const rows = page.getByTestId('import-unsupported').locator('tr[data-element]')
      expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-element')))).toEqual(['ServiceTask_5mail00', 'ServiceTask_5future'])
      const mail = await rows.first().textContent()
      expect(mail).toContain('Отправка почты')
      expect(mail).toContain('sendMail')
      expect(await page.getByTestId('problems').textContent()).toContain('bpium:sendMail')
      // The unsupported node is drawn with its problem, where the file put it.
      const graph = page.getByTestId('graph')
      await graph.locator('[data-node-id="ServiceTask_5mail00"] [data-testid="problem-badge"]').waitFor()
      await graph.locator('[data-node-id="BoundaryEvent_5mail0"]').waitFor()
      // The mail action's SMTP password never reaches the page.
      expect(await page.content()).not.toContain('FAKE-SMTP-SECRET')
      expect(await page.getByTestId('import-id').inputValue()).toBe('unsupported')
      await page.getByTestId('import-id').fill('e2e-unsupported')
      await page.waitForTimeout(300)
      await screenshot(page, 'import-unsupported')

      // The server refuses the invalid scenario: 422, every problem listed.
      await page.getByTestId('import-save').click()
      const refused = page.locator('.error-box')
      await expect.poll(() => refused.textContent()).toContain('nodes[2].type')
      expect(await refused.textContent()).toContain('Не сохранено')

      // With placeholders the rest can run, and it saves.
      await page.getByTestId('import-placeholders').check()
      await expect.poll(() => report.getAttribute('data-valid')).toBe('true')
      await expect.poll(() => rows.first().textContent()).toContain('заглушка')
      expect(await page.getByTestId('import-id').inputValue()).toBe('e2e-unsupported')
      expect(await page.locator('.error-box').count()).toBe(0)
      await page.getByTestId('import-save').click()
      await page.waitForURL(/\/scenarios\/e2e-unsupported$/)
      await page.getByTestId('graph').locator('[data-node-id="ServiceTask_5mail00"]').waitFor()
    },
    STEP,
  )

  it(
    'opens an imported scenario in the editor to fix it before creating it',
    async () => {
      await page.goto(`${server.url}scenarios/import`)
      await page.getByTestId('import-file').setInputFiles(join(FIXTURES, 'unsupported.bpmn'))
      await page.getByTestId('import-report').waitFor()
      await page.getByTestId('import-id').fill('e2e-from-import')
      await page.getByTestId('import-edit').click()
      await page.waitForURL(/\/scenarios\/new\?draft=1$/)
      await page.getByTestId('view-json').click()
      await expect.poll(() => page.locator('.cm-content').textContent()).toContain('"id": "e2e-from-import"')
      await expect.poll(() => page.getByTestId('check-state').getAttribute('data-state'), { timeout: 10_000 }).toBe('invalid')
      await page.getByTestId('graph').locator('[data-node-id="ServiceTask_5future"] [data-testid="problem-badge"]').waitFor()
    },
    STEP,
  )

  it(
    'draws imported diagrams where the file puts them: a loop with a timer, boundary events on their edge',
    async () => {
      await page.goto(`${server.url}scenarios/import`)
      await page.getByTestId('import-file').setInputFiles(join(FIXTURES, 'loop-throttle.bpmn'))
      const graph = page.getByTestId('graph')
      await graph.locator('[data-node-id="IntermediateCatchEvent_1wait"]').waitFor()
      expect(await graph.getAttribute('data-layout')).toBe('positions')
      const gateway = await centreOf('ExclusiveGateway_1more')
      const wait = await centreOf('IntermediateCatchEvent_1wait')
      const answer = await centreOf('ServiceTask_1answer')
      expect(Math.abs(wait.x - gateway.x)).toBeLessThan(2)
      expect(wait.y).toBeGreaterThan(gateway.y + 40)
      expect(answer.y).toBeLessThan(gateway.y - 40)
      await expect.poll(() => graph.locator('.edge-label').count()).toBe(2)
      await page.waitForTimeout(300)
      await screenshot(page, 'import-loop')

      await page.getByTestId('import-file').setInputFiles(join(FIXTURES, 'error-boundary.bpmn'))
      await graph.locator('[data-node-id="BoundaryEvent_3down0"]').waitFor()
      const host = (await graph.locator('.react-flow__node[data-id="ServiceTask_3fetch0"]').boundingBox())!
      const onTop = await centreOf('BoundaryEvent_3down0')
      const below = await centreOf('BoundaryEvent_3late0')
      expect(Math.abs(onTop.y - host.y)).toBeLessThan(3)
      expect(Math.abs(below.y - (host.y + host.height))).toBeLessThan(3)
      await page.waitForTimeout(300)
      await screenshot(page, 'import-error-boundary')
    },
    STEP,
  )

  it(
    'says why a file is refused: not BPMN (400 INVALID_BPMN), too large (413)',
    async () => {
      await page.goto(`${server.url}scenarios/import`)
      await page.getByTestId('import-file').setInputFiles({ name: 'notes.bpmn', mimeType: 'application/xml', buffer: Buffer.from('<notes><note>not a diagram</note></notes>') })
      const error = page.getByTestId('import-error')
      await expect.poll(() => error.getAttribute('data-code')).toBe('INVALID_BPMN')
      expect(await error.getAttribute('data-status')).toBe('400')
      expect(await error.textContent()).toContain('Файл не импортирован')
      await screenshot(page, 'import-invalid')

      await page.getByTestId('import-file').setInputFiles({ name: 'huge.bpmn', mimeType: 'application/xml', buffer: Buffer.alloc(11 * 1024 * 1024, 0x20) })
      await expect.poll(() => error.getAttribute('data-status')).toBe('413')
      expect(await error.textContent()).toContain('11 MB')
      expect(await error.textContent()).toContain('10 MB')
    },
    STEP,
  )

  it(
    'switches the labels to English and keeps the choice',
    async () => {
      await page.goto(`${server.url}processes/${failedProcess}`)
      await page.getByTestId('graph').locator('[data-node-id="boom"]').waitFor()
      await page.getByTestId('lang-en').click()
      await expect.poll(() => page.locator('.nav').textContent()).toContain('External requests')
      await page.reload()
      await expect.poll(() => page.locator('.nav').textContent()).toContain('Processes')
      await page.getByTestId('graph').locator('[data-node-id="boom"]').waitFor()
      await page.waitForTimeout(300)
      await screenshot(page, 'process-english')
      await page.goto(`${server.url}scenarios/tilda-form`)
      await expect.poll(() => page.getByTestId('download-bpmn').textContent()).toBe('Download .bpmn')
      await page.goto(`${server.url}scenarios/import`)
      await expect.poll(() => page.getByTestId('drop-zone').textContent()).toContain('Drop a .bpmn file here')
      await page.getByTestId('lang-ru').click()
      await expect.poll(() => page.locator('.nav').textContent()).toContain('Процессы')
    },
    STEP,
  )

  it(
    'goes back to sign-in when the token is gone or refused',
    async () => {
      await page.evaluate(() => sessionStorage.setItem('potok.token', 'revoked-token-revoked-token'))
      await page.goto(`${server.url}processes`)
      await page.waitForURL(/\/signin\?next=%2Fprocesses/)
      await page.getByTestId('token').fill(server.token)
      await page.getByTestId('signin').click()
      await page.waitForURL(/\/processes$/)
      await page.getByRole('button', { name: 'Выйти' }).click()
      await page.waitForURL(/\/signin/)
      expect(await page.evaluate(() => sessionStorage.getItem('potok.token'))).toBeNull()
    },
    STEP,
  )

  it('fetched nothing from the internet and threw no page errors', () => {
    expect(external).toEqual([])
    expect(pageErrors).toEqual([])
  })
})
