/**
 * The visual editor in headless Chromium against a real potok server (docs/console.md): the greet
 * scenario built from an empty canvas with the palette and the settings forms only — no JSON
 * typed — validated live, test-run from the editor, saved, attached to a new external request,
 * called over HTTP and its process opened; the same in Russian. Then the editing tools (undo,
 * redo, copy/paste, delete, find, minimap, auto-layout loading ELK only then), gateway edges and
 * boundary events, the unsaved-changes guard and the local draft, the diff on save, and the
 * process view of ended processes. Screenshots go to test/artifacts/editor-NN-*.png.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { components } from '../../components/index.ts'
import { ARTIFACTS, launchBrowser, REPO, startServer, type TestServer } from './harness.ts'

const STEP = 90_000
const GREET = JSON.parse(readFileSync(join(REPO, 'flows/greet.json'), 'utf8')) as {
  nodes: Array<{ id: string; type: string; name: string; config?: { assignments: Array<{ name: string; value: string }> } }>
  edges: Array<{ from: string; to: string }>
}
type Lang = 'en' | 'ru'
const display = (type: string, lang: Lang) => components.get(type)!.displayName[lang]

const LABELS = {
  en: {
    canvas: 'Canvas',
    save: 'Save',
    testRun: 'Test run',
    nodeId: 'Node id',
    nodeName: 'Node name',
    scenarioId: 'Scenario id',
    scenarioName: 'Scenario name',
    body: 'Body',
    attach: 'Attach to an external request',
    undo: 'Undo',
    redo: 'Redo',
    find: 'Find a node',
    autoLayout: 'Auto-layout',
  },
  ru: {
    canvas: 'Холст',
    save: 'Сохранить',
    testRun: 'Тестовый запуск',
    nodeId: 'Идентификатор узла',
    nodeName: 'Название узла',
    scenarioId: 'Идентификатор сценария',
    scenarioName: 'Название сценария',
    body: 'Тело',
    attach: 'Привязать к внешнему запросу',
    undo: 'Отменить',
    redo: 'Повторить',
    find: 'Найти узел',
    autoLayout: 'Авторасстановка',
  },
}

let shot = 0
async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true })
  await page.waitForTimeout(250)
  await page.screenshot({ path: join(ARTIFACTS, `editor-${String(++shot).padStart(2, '0')}-${name}.png`), fullPage: true })
}

describe('the visual editor in a browser', () => {
  let server: TestServer
  let browser: Browser
  let context: BrowserContext
  let page: Page
  const requested: string[] = []
  const pageErrors: string[] = []

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true })
    for (const file of readdirSync(ARTIFACTS)) if (/^editor-.*\.png$/.test(file)) rmSync(join(ARTIFACTS, file))
    server = await startServer()
    browser = await launchBrowser()
    context = await browser.newContext({ viewport: { width: 1500, height: 950 } })
    page = await context.newPage()
    page.on('request', (request) => requested.push(new URL(request.url()).pathname))
    page.on('pageerror', (error) => pageErrors.push(error.message))
    await page.goto(server.url)
    await page.getByTestId('token').fill(server.token)
    await page.getByTestId('signin').click()
    await page.waitForURL(/\/webrequests$/)
  }, 180_000)

  beforeEach((context) => {
    // A failing step leaves a picture of the page it failed on.
    context.onTestFailed(async () => {
      await screenshot(page, `FAILED-${context.task.name.replace(/\W+/g, '-').slice(0, 40)}`).catch(() => {})
    })
  })

  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  const canvas = (lang: Lang) => page.getByRole('region', { name: LABELS[lang].canvas, exact: true })
  const paletteItem = (type: string, lang: Lang) => page.getByTestId('palette').getByRole('button', { name: display(type, lang), exact: true })
  const node = (lang: Lang, name: string) => canvas(lang).getByRole('group', { name, exact: true })

  /**
   * Waits for the canvas's viewport to stop moving: a node inserted from the keyboard brings
   * everything into view with a short animation, and a drop during it lands where the viewport
   * was a moment before (on a fast machine, on top of another node).
   */
  async function viewportSettled(): Promise<void> {
    const transform = () =>
      page
        .locator('.react-flow__viewport')
        .first()
        .evaluate((el) => (el as HTMLElement).style.transform)
    let last = await transform()
    for (let i = 0; i < 50; i++) {
      await page.waitForTimeout(100)
      const now = await transform()
      if (now === last) return
      last = now
    }
  }

  /** Connects two nodes by dragging from the source's right handle to the target's left one. */
  async function connect(from: string, to: string): Promise<void> {
    const source = page.locator(`.react-flow__node[data-id="${from}"] .react-flow__handle.source`)
    const target = page.locator(`.react-flow__node[data-id="${to}"] .react-flow__handle.target`)
    const a = (await source.boundingBox())!
    const b = (await target.boundingBox())!
    await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2)
    await page.mouse.down()
    await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 })
    await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 })
    await page.mouse.up()
  }

  /** Types into a labelled CodeMirror expression field. */
  async function typeExpression(field: Locator, text: string): Promise<void> {
    await field.click()
    await page.keyboard.press('Control+A')
    await page.keyboard.insertText(text)
    await page.keyboard.press('Escape') // closes the completion list
  }

  async function buildGreet(lang: Lang, id: string): Promise<void> {
    const L = LABELS[lang]
    await page.evaluate((l) => localStorage.setItem('potok.lang', l), lang)
    await page.goto(`${server.url}scenarios/new`)
    await canvas(lang).waitFor()
    await screenshot(page, `${lang}-empty-canvas`)

    // Start: dragged from the palette onto the canvas.
    await paletteItem('start', lang).dragTo(canvas(lang), { targetPosition: { x: 160, y: 220 } })
    await node(lang, 'start').waitFor()
    // Set variables: with the start node selected, pressed from the keyboard — added after it and connected.
    await node(lang, 'start').click()
    await paletteItem('setVariables', lang).focus()
    await page.keyboard.press('Enter')
    await node(lang, 'setVariables').waitFor()
    await viewportSettled()
    // End: dragged, then connected by dragging between handles.
    await paletteItem('end', lang).dragTo(canvas(lang), { targetPosition: { x: 760, y: 220 } })
    await node(lang, 'end').waitFor()
    await connect('setVariables', 'end')
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(2)

    // Each node's id and name, and the assignments, in the generated forms.
    const [start, vars, end] = GREET.nodes
    const rename = async (current: string, wanted: { id: string; name: string }) => {
      await node(lang, current).click()
      const inspector = page.getByTestId('inspector')
      await inspector.getByLabel(L.nodeId, { exact: true }).fill(wanted.id)
      await inspector.getByLabel(L.nodeId, { exact: true }).press('Enter')
      await node(lang, wanted.id).click()
      await inspector.getByLabel(L.nodeName, { exact: true }).fill(wanted.name)
      await node(lang, wanted.name).waitFor()
    }
    await rename('start', start)
    await rename('end', end)
    await rename('setVariables', vars)
    const inspector = page.getByTestId('inspector')
    const assignments = vars.config!.assignments
    for (let i = 0; i < assignments.length; i++) {
      await inspector.getByRole('button', { name: /assignments$/ }).click()
      await inspector.getByLabel(`name ${i + 1}`, { exact: true }).fill(assignments[i].name)
      await typeExpression(inspector.getByLabel(`value ${i + 1}`, { exact: true }), assignments[i].value)
    }
    // Completion offers the variables known at this node (the request's body among them).
    await inspector.getByLabel('value 3', { exact: true }).click()
    await page.keyboard.press('End')
    await page.keyboard.press('Control+Space')
    await page.locator('.cm-tooltip-autocomplete').getByText('body', { exact: true }).first().waitFor()
    await page.keyboard.press('Escape')
    await screenshot(page, `${lang}-settings-form`)

    // The scenario's own id and name (nothing selected).
    await canvas(lang)
      .locator('.react-flow__pane')
      .click({ position: { x: 40, y: 40 } })
    await page.getByLabel(L.scenarioId, { exact: true }).fill(id)
    await page.getByLabel(L.scenarioName, { exact: true }).fill(`Greeting (${lang})`)
    await expect.poll(() => page.getByTestId('check-state').getAttribute('data-state'), { timeout: 10_000 }).toBe('valid')

    // Test run from the editor, before saving.
    await page.getByLabel(L.body, { exact: true }).fill('{"name":"Ada","n":1}')
    await page.getByRole('button', { name: L.testRun, exact: true }).click()
    const result = page.getByTestId('test-result')
    await expect.poll(() => result.getAttribute('data-status'), { timeout: 10_000 }).toBe('completed')
    expect(await page.getByTestId('test-status').textContent()).toBe('201')
    expect(await result.getByTestId('step').count()).toBe(3)
    expect(await result.getByTestId('variables').textContent()).toContain('Hello, Ada')
    await screenshot(page, `${lang}-test-run`)

    await page.getByRole('button', { name: L.save, exact: true }).click()
    await page.waitForURL(new RegExp(`/scenarios/${id}$`))
  }

  async function attachAndCall(lang: Lang, id: string): Promise<void> {
    const L = LABELS[lang]
    // The saved scenario is what greet.json says (positions aside).
    const saved = await (await fetch(`${server.url}api/v1/scenarios/${id}`, { headers: { authorization: `Bearer ${server.token}` } })).json()
    expect(saved.scenario.nodes.map(({ position: _p, ...n }: Record<string, unknown>) => n)).toEqual(GREET.nodes)
    expect(saved.scenario.edges).toEqual(GREET.edges)
    expect(saved.scenario.nodes.every((n: { position?: unknown }) => n.position)).toBe(true)
    await screenshot(page, `${lang}-saved-scenario`)

    await page.goto(`${server.url}scenarios/${id}/edit`)
    await page.getByRole('link', { name: L.attach }).click()
    await page.waitForURL(new RegExp(`/webrequests/new\\?scenarioId=${id}$`))
    const form = page.getByTestId('webrequest-form')
    await expect.poll(() => form.locator('select[name="scenarioId"]').inputValue()).toBe(id)
    await form.locator('input[name="name"]').fill(`Greeting ${lang}`)
    await form.locator('input[name="urlId"]').fill(id)
    await screenshot(page, `${lang}-attach`)
    await form.getByTestId('save').click()
    await page.waitForURL((url) => /^\/webrequests\/[^/]+$/.test(url.pathname) && !url.pathname.endsWith('/new'))

    const answer = await fetch(`${server.url}api/webrequest/${id}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"Ada","n":1}' })
    expect(answer.status).toBe(201)
    expect(answer.headers.get('x-flow')).toBe('yes')
    expect(await answer.json()).toEqual({ greeting: 'Hello, Ada', next: 2 })
    const processId = answer.headers.get('x-process-id')!

    // The editor now shows a ready curl line for the attached external request.
    await page.goto(`${server.url}scenarios/${id}/edit`)
    await expect.poll(() => page.getByTestId('curl').textContent()).toContain(`/api/webrequest/${id}`)

    await page.goto(`${server.url}processes/${processId}`)
    const graph = page.getByTestId('graph')
    await graph.locator('[data-node-id="end"][data-visited="true"]').waitFor()
    expect(await page.getByTestId('step').count()).toBe(3)
    await screenshot(page, `${lang}-process`)
  }

  it(
    'builds greet from an empty canvas with the palette and forms, test-runs, saves, attaches and calls it (English)',
    async () => {
      await buildGreet('en', 'greet-en')
      await attachAndCall('en', 'greet-en')
    },
    STEP * 2,
  )

  it(
    'does the same in Russian',
    async () => {
      await buildGreet('ru', 'greet-ru')
      await attachAndCall('ru', 'greet-ru')
    },
    STEP * 2,
  )

  it(
    'undoes, redoes, copies, pastes, deletes, finds; keeps a draft and guards unsaved work; shows the diff on save',
    async () => {
      const L = LABELS.en
      await page.evaluate(() => localStorage.setItem('potok.lang', 'en'))
      requested.length = 0
      await page.goto(`${server.url}scenarios/greet-en/edit`)
      await node('en', 'Конец процесса').waitFor()
      await expect.poll(() => page.locator('.react-flow__minimap').count()).toBe(1)
      expect(await page.getByTestId('check-state').getAttribute('data-state')).not.toBe('invalid')

      // Find a node by (part of) its name.
      await page.getByLabel(L.find, { exact: true }).fill('Конец')
      await page.getByLabel(L.find, { exact: true }).press('Enter')
      await expect.poll(() => page.getByTestId('inspector').getAttribute('data-node')).toBe('end')

      // Delete it (with its edge), undo, redo, undo.
      await node('en', 'Конец процесса').click()
      await page.keyboard.press('Delete')
      await expect.poll(() => page.locator('.react-flow__node').count()).toBe(2)
      expect(await page.locator('.react-flow__edge').count()).toBe(1)
      await page.getByRole('button', { name: L.undo, exact: true }).click()
      await expect.poll(() => page.locator('.react-flow__node').count()).toBe(3)
      expect(await page.locator('.react-flow__edge').count()).toBe(2)
      await page.getByRole('button', { name: L.redo, exact: true }).click()
      await expect.poll(() => page.locator('.react-flow__node').count()).toBe(2)
      await page.locator('.react-flow__pane').click({ position: { x: 30, y: 30 } })
      await page.keyboard.press('Control+z')
      await expect.poll(() => page.locator('.react-flow__node').count()).toBe(3)

      // Copy and paste a node: a new id, the same settings.
      await page.locator('.react-flow__node[data-id="vars"]').click()
      await page.keyboard.press('Control+c')
      await page.keyboard.press('Control+v')
      await page.locator('.react-flow__node[data-id="vars2"]').waitFor()
      await expect.poll(() => page.getByTestId('inspector').getAttribute('data-node')).toBe('vars2')
      expect(await page.getByTestId('inspector').getByLabel('name 3', { exact: true }).inputValue()).toBe('$body')
      expect(await page.getByTestId('unsaved').count()).toBe(1)

      // ELK is loaded only for an auto-layout.
      expect(requested.filter((path) => path.includes('/assets/elk')).length).toBe(0)
      await page.getByRole('button', { name: L.autoLayout, exact: true }).click()
      await expect.poll(() => requested.filter((path) => path.includes('/assets/elk')).length).toBe(1)
      await screenshot(page, 'en-edited')

      // Leaving with unsaved changes asks; staying keeps them.
      let asked = ''
      page.once('dialog', (dialog) => {
        asked = dialog.message()
        void dialog.dismiss()
      })
      await page.locator('.nav-link[href="/processes"]').click()
      await expect.poll(() => asked).toContain('unsaved')
      expect(new URL(page.url()).pathname).toBe('/scenarios/greet-en/edit')

      // A reload keeps the work as a draft, restored on request.
      page.once('dialog', (dialog) => void dialog.accept())
      await page.reload()
      await page.getByTestId('draft-banner').waitFor()
      await screenshot(page, 'en-draft')
      await page.getByTestId('draft-restore').click()
      await page.locator('.react-flow__node[data-id="vars2"]').waitFor()
      // The pasted copy is connected to nothing, so the scenario is not valid: take it out again.
      await page.locator('.react-flow__node[data-id="vars2"]').click()
      await page.keyboard.press('Delete')
      await expect.poll(() => page.locator('.react-flow__node').count()).toBe(3)
      await page.locator('.react-flow__node[data-id="end"]').click()
      await page.getByTestId('inspector').getByLabel(L.nodeName, { exact: true }).fill('Готово')

      // Saving a new version shows what changed since the version it started from.
      await expect.poll(() => page.getByTestId('check-state').getAttribute('data-state'), { timeout: 10_000 }).toBe('valid')
      await page.getByRole('button', { name: L.save, exact: true }).click()
      const diff = page.getByTestId('save-diff')
      await expect.poll(() => diff.locator('.diff-add').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('"Готово"')]))
      expect(await diff.locator('.diff-del').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('"Конец процесса"')]))
      await screenshot(page, 'en-save-diff')
      await page.getByTestId('save-confirm').click()
      await page.waitForURL(/\/scenarios\/greet-en$/)
      const saved = await (await fetch(`${server.url}api/v1/scenarios/greet-en`, { headers: { authorization: `Bearer ${server.token}` } })).json()
      expect(saved.version).toBe(2)
      expect(saved.scenario.nodes.find((n: { id: string }) => n.id === 'end').name).toBe('Готово')
      expect(await page.evaluate(() => localStorage.getItem('potok.draft.greet-en'))).toBeNull()
    },
    STEP * 2,
  )

  it(
    'gives gateway edges a condition or default in place, attaches boundary events, validates fields live, JSON in sync',
    async () => {
      const L = LABELS.en
      await page.evaluate(() => localStorage.setItem('potok.lang', 'en'))
      await page.goto(`${server.url}scenarios/new`)
      await canvas('en').waitFor()
      await page.getByLabel(L.scenarioId, { exact: true }).fill('gateway-and-boundary')
      // start → gateway → end, and a second end from the gateway: all from the keyboard.
      for (const type of ['start', 'exclusiveGateway', 'end']) {
        await paletteItem(type, 'en').focus()
        await page.keyboard.press('Enter')
        await page.locator(`.react-flow__node[data-id="${type}"]`).waitFor()
      }
      await page.locator('.react-flow__node[data-id="exclusiveGateway"]').click()
      await paletteItem('end', 'en').press('Enter')
      await page.locator('.react-flow__node[data-id="end2"]').waitFor()
      await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(3)

      // The gateway's edges: a condition on one, default on the other, shown on the canvas.
      const inspector = page.getByTestId('inspector')
      // Both edges leave the gateway along the same line: pick each near its own end. The point is
      // taken from the edge's box at each try: on a loaded machine the layout may still be moving
      // the edge when the first click lands.
      const pick = async (edge: string, where: (box: { width: number; height: number }) => { x: number; y: number }, selected: string) => {
        await expect
          .poll(
            async () => {
              const element = page.getByTestId(edge)
              await element.click({ force: true, position: where((await element.boundingBox())!) })
              return inspector.getAttribute('data-edge')
            },
            { timeout: 10_000 },
          )
          .toBe(selected)
      }
      await pick('rf__edge-e1', (box) => ({ x: box.width - 12, y: box.height / 2 }), '1')
      await typeExpression(inspector.getByLabel('Condition', { exact: true }), 'body.n > 1')
      await expect.poll(() => page.locator('.react-flow__edge-text').allTextContents()).toContain('body.n > 1')
      await pick('rf__edge-e2', (box) => ({ x: box.width - 12, y: box.height - 2 }), '2')
      await inspector.getByLabel('Default edge', { exact: true }).check()
      await expect.poll(() => page.locator('.react-flow__edge-text').allTextContents()).toContain('default')

      // A web request with an error boundary dropped onto it.
      await paletteItem('webRequest', 'en').dragTo(canvas('en'), { targetPosition: { x: 300, y: 420 } })
      const activity = page.locator('.react-flow__node[data-id="webRequest"]')
      await activity.waitFor()
      const box = (await activity.boundingBox())!
      const area = (await canvas('en').boundingBox())!
      await paletteItem('errorBoundary', 'en').dragTo(canvas('en'), { targetPosition: { x: box.x - area.x + box.width / 2, y: box.y - area.y + box.height / 2 } })
      await expect.poll(() => inspector.getAttribute('data-node')).toBe('errorBoundary')
      expect(await inspector.getByLabel('Attached to', { exact: true }).inputValue()).toBe('webRequest')

      // Live validation: the web request's empty url is shown on its field and on its node.
      await activity.click()
      const url = inspector.locator('[data-field="url"]')
      await expect.poll(() => url.getByTestId('field-problem').textContent(), { timeout: 10_000 }).toContain('empty')
      expect(await url.getByLabel('url', { exact: true }).getAttribute('aria-invalid')).toBe('true')
      await activity.locator('[data-testid="problem-badge"]').waitFor()
      await screenshot(page, 'en-gateway-boundary')

      // The JSON view says the same.
      await page.getByTestId('view-json').click()
      // CodeMirror draws only the lines in view: read its whole document.
      const json = await page
        .locator('.editor-side .cm-content')
        .evaluate((element) => (element as unknown as { cmTile: { root: { view: { state: { doc: { toString(): string } } } } } }).cmTile.root.view.state.doc.toString())
      expect(json).toContain('"condition": "body.n > 1"')
      expect(json).toContain('"default": true')
      expect(json).toContain('"attachedTo": "webRequest"')
      await screenshot(page, 'en-json-view')
      page.once('dialog', (dialog) => void dialog.accept())
      await page.locator('.nav-link[href="/processes"]').click()
      await page.waitForURL(/\/processes$/)
    },
    STEP * 2,
  )

  it('threw no page errors', () => {
    expect(pageErrors).toEqual([])
  })
})
