/**
 * The visual editor of one scenario: palette | canvas | settings (or the JSON view), a toolbar
 * (undo, redo, auto-layout, find a node, test run, save), the problems the server's validation
 * finds (on the nodes, on the fields, listed), and the test run panel. One document is the
 * truth; the canvas, the forms and the JSON all edit it through `history`, so undo covers all
 * of them. Unsaved work is kept as a local draft and guarded on every way out of the page.
 */
import { ReactFlowProvider, useReactFlow } from '@xyflow/react'
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { api, ApiError } from '../api.ts'
import { placeProblems } from '../graph/problems.ts'
import { shapeOf } from '../graph/model.ts'
import { componentName, useI18n } from '../i18n.ts'
import { ProblemList } from '../pages/ScenarioPage.tsx'
import { navigate, setNavigationGuard } from '../router.ts'
import type { Problem, ScenarioRecord } from '../types.ts'
import { CodeEditor } from '../ui/CodeEditor.tsx'
import { ErrorBox, Link } from '../ui/bits.tsx'
import { formatTime } from '../ui/format.ts'
import { autoLayout, layeredPositions } from './autoLayout.ts'
import type { ComponentInfo } from './components.ts'
import { addNode, centreOf, connect, freeId, normalize, positionFor, pretty, removeElements, type EditorDocument, type Point } from './document.ts'
import { dropDraft, loadDraft, saveDraft } from './drafts.ts'
import { EditorCanvas, type Selection } from './EditorCanvas.tsx'
import { useHistory } from './history.ts'
import { Inspector } from './Inspector.tsx'
import { Palette } from './Palette.tsx'
import { SaveDialog } from './SaveDialog.tsx'
import { emptyValue } from './SchemaForm.tsx'
import { TestRunPanel } from './TestRunPanel.tsx'

type Check = 'checking' | 'syntax' | 'valid' | 'invalid'

export interface ScenarioEditorProps {
  /** The saved scenario's id (none for a new one). */
  id?: string
  initial: EditorDocument
  /** What "unsaved" is measured against: the saved version, or the starting document. */
  saved: EditorDocument
  baseVersion?: number
  components: ComponentInfo[]
}

export function ScenarioEditor(props: ScenarioEditorProps) {
  return (
    <ReactFlowProvider>
      <Editor {...props} />
    </ReactFlowProvider>
  )
}

const END_TYPES = new Set(['end', 'errorEnd'])

function Editor({ id, initial, saved, baseVersion, components }: ScenarioEditorProps) {
  const { t, lang } = useI18n()
  const flow = useReactFlow()
  const history = useHistory<EditorDocument>(initial)
  const doc = history.value
  const [chosen, setSelection] = useState<Selection>({ nodes: [], edges: [] })
  // What is selected and still exists (an undo may take a selected node away).
  const selection = useMemo(() => {
    const ids = new Set(doc.nodes.map((n) => n.id))
    return { nodes: chosen.nodes.filter((id) => ids.has(id)), edges: chosen.edges.filter((i) => i < doc.edges.length) }
  }, [chosen, doc])
  const [side, setSide] = useState<'form' | 'json'>('form')
  const [problems, setProblems] = useState<Problem[]>([])
  const [check, setCheck] = useState<Check>('checking')
  const [saving, setSaving] = useState(false)
  const [saveError, setSaveError] = useState<ApiError | null>(null)
  const [confirming, setConfirming] = useState(false)
  const [runSignal, setRunSignal] = useState(0)
  const [layoutError, setLayoutError] = useState<unknown>(null)
  const savedText = useMemo(() => pretty(saved), [saved])
  const dirty = pretty(doc) !== savedText
  const leaving = useRef(false)

  // What the server's validation says, 400 ms after the last change.
  useEffect(() => {
    setCheck('checking')
    let live = true
    const timer = setTimeout(async () => {
      let found: Problem[] = []
      try {
        await api.post('/api/v1/scenarios/validate', doc)
      } catch (e) {
        if (!(e instanceof ApiError)) return
        found = e.problems.length ? e.problems : [{ path: '(root)', message: e.message }]
      }
      if (!live) return
      setProblems(found)
      setCheck(found.length ? 'invalid' : 'valid')
    }, 400)
    return () => {
      live = false
      clearTimeout(timer)
    }
  }, [doc])
  const placed = useMemo(() => placeProblems(doc, problems), [doc, problems])

  // Unsaved changes: a local draft as they happen, and a question before leaving.
  useEffect(() => {
    if (!dirty) return dropDraft(id)
    const save = () => saveDraft(id, { doc, baseVersion, savedAt: new Date().toISOString() })
    const timer = setTimeout(save, 300)
    // A reload or a closed tab within those 300 ms keeps the latest change too.
    window.addEventListener('pagehide', save)
    return () => {
      clearTimeout(timer)
      window.removeEventListener('pagehide', save)
    }
  }, [doc, dirty, id, baseVersion])
  useEffect(() => {
    if (!dirty) return
    const warn = (event: BeforeUnloadEvent) => event.preventDefault()
    window.addEventListener('beforeunload', warn)
    const removeGuard = setNavigationGuard(() => leaving.current || window.confirm(t('editor.leaveConfirm')))
    return () => {
      window.removeEventListener('beforeunload', warn)
      removeGuard()
    }
  }, [dirty, t])

  const change = useCallback((next: EditorDocument, group?: string) => history.set(next, group), [history])

  /** Adds a component: where it was dropped, or after the selected node (connected to it). */
  const insert = useCallback(
    (type: string, at?: Point, host?: string) => {
      const component = components.find((c) => c.type === type)
      if (!component) return
      const nodeId = freeId(doc, type)
      const selected = selection.nodes.length === 1 ? doc.nodes.find((n) => n.id === selection.nodes[0]) : undefined
      const config = emptyValue(component.configSchema) as Record<string, unknown>
      const node = { id: nodeId, type, ...(Object.keys(config ?? {}).length ? { config } : {}) } as EditorDocument['nodes'][number]
      let next: EditorDocument
      if (component.kind === 'boundary') {
        const activity = host ?? (selected && shapeOf(selected.type) === 'activity' ? selected.id : undefined)
        next = addNode(doc, { ...node, ...(activity ? { attachedTo: activity } : { position: positionFor(at ?? { x: 120, y: 100 }) }) })
      } else {
        const drawn = layeredPositions(doc)
        const from = selected && !selected.attachedTo ? (centreOf(selected) ?? drawn.get(selected.id)) : undefined
        const rightmost = doc.nodes.reduce<Point | null>((best, n) => {
          const c = centreOf(n) ?? drawn.get(n.id)
          return c && (!best || c.x > best.x) ? c : best
        }, null)
        let centre = at ?? (from ? { x: from.x + 230, y: from.y } : rightmost ? { x: rightmost.x + 230, y: rightmost.y } : { x: 120, y: 120 })
        // A second branch from the same node goes below the first, not on top of it.
        const taken = doc.nodes.map((n) => centreOf(n) ?? drawn.get(n.id)).filter((c): c is Point => !!c)
        while (!at && taken.some((c) => Math.abs(c.x - centre.x) < 120 && Math.abs(c.y - centre.y) < 80)) centre = { x: centre.x, y: centre.y + 120 }
        next = addNode(doc, { ...node, position: positionFor(centre) })
        // Keyboard insertion builds a chain: the new node follows the selected one.
        if (!at && selected && !END_TYPES.has(selected.type)) next = connect(next, selected.id, nodeId)
      }
      history.set(next)
      setSelection({ nodes: [nodeId], edges: [] })
      // A node added from the keyboard may land outside the view: bring everything into view.
      if (!at) setTimeout(() => flow.fitView({ padding: 0.2, maxZoom: 1.1, duration: 200 }), 50)
    },
    [components, doc, selection.nodes, history, flow],
  )

  const removeSelected = useCallback(() => {
    history.set(removeElements(doc, new Set(selection.nodes), new Set(selection.edges)))
    setSelection({ nodes: [], edges: [] })
  }, [doc, selection, history])

  const titleOf = useCallback(
    (nodeId: string) => {
      const node = doc.nodes.find((n) => n.id === nodeId)
      return node?.name?.trim() || (node ? componentName(lang, node.type) : nodeId)
    },
    [doc, lang],
  )

  const layout = async () => {
    setLayoutError(null)
    try {
      history.set(await autoLayout(doc, titleOf))
      setTimeout(() => flow.fitView({ padding: 0.2, maxZoom: 1.1 }), 50)
    } catch (e) {
      setLayoutError(e)
    }
  }

  const save = async () => {
    if (saving) return
    if (id && !confirming) return setConfirming(true)
    setSaving(true)
    setSaveError(null)
    try {
      const record = id ? await api.put<ScenarioRecord>(`/api/v1/scenarios/${encodeURIComponent(id)}`, doc) : await api.post<ScenarioRecord>('/api/v1/scenarios', doc)
      dropDraft(id)
      leaving.current = true
      navigate(`/scenarios/${encodeURIComponent(record.id)}`)
    } catch (e) {
      setConfirming(false)
      setSaveError(e instanceof ApiError ? e : new ApiError(0, 'ERROR', String(e)))
      if (e instanceof ApiError && e.problems.length) {
        setProblems(e.problems)
        setCheck('invalid')
      }
    } finally {
      setSaving(false)
    }
  }

  // Shortcuts anywhere on the page (focus may be on the canvas, a node, or nowhere).
  const shortcuts = useRef({ save, undo: history.undo, redo: history.redo })
  shortcuts.current = { save, undo: history.undo, redo: history.redo }
  useEffect(() => {
    const onKeyDown = (event: globalThis.KeyboardEvent) => {
      if (!(event.ctrlKey || event.metaKey) || event.defaultPrevented) return
      const key = event.key.toLowerCase()
      if (key === 's') {
        event.preventDefault()
        void shortcuts.current.save()
        return
      }
      // Text fields and code editors undo their own typing.
      if ((event.target as HTMLElement | null)?.closest?.('input, textarea, select, .cm-editor')) return
      if (key === 'z' && !event.shiftKey) shortcuts.current.undo()
      else if ((key === 'z' && event.shiftKey) || key === 'y') shortcuts.current.redo()
      else return
      event.preventDefault()
    }
    window.addEventListener('keydown', onKeyDown)
    return () => window.removeEventListener('keydown', onKeyDown)
  }, [])

  return (
    <section className="editor-page visual-editor">
      <div className="page-head">
        <div>
          <h1>{id ? t('editor.titleEdit', { id }) : t('editor.titleNew')}</h1>
          <div className="muted small">
            {id ? t('editor.basedOn', { version: baseVersion ?? '?' }) : t('editor.newHintVisual')}
            {dirty ? (
              <>
                {' '}
                ·{' '}
                <span className="tag tag-warn" data-testid="unsaved">
                  {t('editor.unsaved')}
                </span>
              </>
            ) : null}
          </div>
        </div>
        <div className="head-actions">
          <CheckState check={check} count={problems.length} />
          <Link to={id ? `/scenarios/${encodeURIComponent(id)}` : '/scenarios'} className="btn btn-ghost">
            {t('action.cancel')}
          </Link>
          <button type="button" className="btn" onClick={() => setRunSignal((n) => n + 1)} data-testid="test-run-button">
            {t('editor.testRun')}
          </button>
          <button type="button" className="btn btn-primary" onClick={save} disabled={saving} data-testid="save" title="Ctrl+S">
            {t('action.save')}
          </button>
        </div>
      </div>
      <div className="editor-toolbar" role="toolbar" aria-label={t('editor.toolbar')}>
        <button type="button" className="btn btn-small" onClick={history.undo} disabled={!history.canUndo} title="Ctrl+Z">
          {t('editor.undo')}
        </button>
        <button type="button" className="btn btn-small" onClick={history.redo} disabled={!history.canRedo} title="Ctrl+Shift+Z">
          {t('editor.redo')}
        </button>
        <button type="button" className="btn btn-small" onClick={layout} disabled={!doc.nodes.length}>
          {t('editor.autoLayout')}
        </button>
        <FindNode doc={doc} onFound={(nodeId) => setSelection({ nodes: [nodeId], edges: [] })} />
        <div className="tabs tabs-inline" role="group" aria-label={t('editor.sideView')}>
          <button type="button" className={side === 'form' ? 'is-active' : ''} aria-pressed={side === 'form'} onClick={() => setSide('form')} data-testid="view-form">
            {t('editor.viewForm')}
          </button>
          <button type="button" className={side === 'json' ? 'is-active' : ''} aria-pressed={side === 'json'} onClick={() => setSide('json')} data-testid="view-json">
            JSON
          </button>
        </div>
      </div>
      <ErrorBox error={saveError} title={t('editor.saveFailed')} />
      <ErrorBox error={layoutError} title={t('graph.layoutFailed')} />
      <div className={`editor-grid${side === 'json' ? ' with-json' : ''}`}>
        <Palette components={components} onInsert={(type) => insert(type)} />
        <div className="editor-canvas-wrap" data-testid="graph">
          <EditorCanvas
            doc={doc}
            onChange={change}
            problems={placed}
            selection={selection}
            onSelect={setSelection}
            onDropComponent={(type, at, host) => insert(type, at, host)}
            components={components}
          />
        </div>
        <aside className="editor-side panel">
          {side === 'json' ? (
            <JsonView doc={doc} onChange={change} onSave={save} />
          ) : (
            <Inspector
              doc={doc}
              onChange={change}
              selection={selection}
              problems={problems}
              components={components}
              onDelete={removeSelected}
              idEditable={!id}
              onRenamed={(from, to) => setSelection((s) => ({ ...s, nodes: s.nodes.map((n) => (n === from ? to : n)) }))}
            />
          )}
        </aside>
      </div>
      {problems.length ? <ProblemList problems={problems} onPick={(p) => pickProblem(p, doc, setSelection)} /> : null}
      <TestRunPanel doc={doc} saved={!!id && !dirty} runSignal={runSignal} />
      {confirming ? <SaveDialog before={saved} after={doc} version={baseVersion} busy={saving} onConfirm={save} onClose={() => setConfirming(false)} /> : null}
    </section>
  )
}

/** A problem picked in the list selects the node or edge it is about. */
function pickProblem(problem: Problem, doc: EditorDocument, select: (s: Selection) => void): void {
  const node = /^nodes\[(\d+)\]/.exec(problem.path)
  const edge = /^edges\[(\d+)\]/.exec(problem.path)
  if (node && doc.nodes[Number(node[1])]) select({ nodes: [doc.nodes[Number(node[1])].id], edges: [] })
  else if (edge) select({ nodes: [], edges: [Number(edge[1])] })
  else select({ nodes: [], edges: [] })
}

/** Problems of a JSON text by path, as the server's validation finds them (underlined in the JSON view). */
async function lintJson(text: string): Promise<Problem[]> {
  try {
    await api.post('/api/v1/scenarios/validate', JSON.parse(text))
    return []
  } catch (e) {
    if (!(e instanceof ApiError)) return []
    return e.problems.length ? e.problems : [{ path: '(root)', message: e.message }]
  }
}

/** The JSON view: the whole document, applied whenever it parses. */
function JsonView({ doc, onChange, onSave }: { doc: EditorDocument; onChange: (doc: EditorDocument, group?: string) => void; onSave: () => void }) {
  const [text, setText] = useState(() => pretty(doc))
  const [syntax, setSyntax] = useState(false)
  const { t } = useI18n()
  // Changes made on the canvas or in the forms show here (unless this text already says so).
  useEffect(() => {
    let same = false
    try {
      same = pretty(normalize(JSON.parse(text))) === pretty(doc)
    } catch {
      same = false
    }
    if (!same) setText(pretty(doc))
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [doc])
  return (
    <div className="json-view">
      {syntax ? (
        <div className="field-problem" role="alert">
          {t('editor.syntax')}
        </div>
      ) : null}
      <CodeEditor
        value={text}
        onSave={onSave}
        lint={lintJson}
        className="editor-fill"
        onChange={(next) => {
          setText(next)
          try {
            const parsed = normalize(JSON.parse(next))
            setSyntax(!parsed)
            if (parsed) onChange(parsed, 'json')
          } catch {
            setSyntax(true)
          }
        }}
      />
    </div>
  )
}

function FindNode({ doc, onFound }: { doc: EditorDocument; onFound: (id: string) => void }) {
  const { t } = useI18n()
  const flow = useReactFlow()
  const [text, setText] = useState('')
  const [missing, setMissing] = useState(false)
  const find = () => {
    const wanted = text.trim().toLowerCase()
    if (!wanted) return
    const node =
      doc.nodes.find((n) => n.id.toLowerCase() === wanted || n.name?.toLowerCase() === wanted) ?? doc.nodes.find((n) => n.id.toLowerCase().includes(wanted) || n.name?.toLowerCase().includes(wanted))
    setMissing(!node)
    if (!node) return
    onFound(node.id)
    const drawn = flow.getInternalNode(node.id)
    if (drawn) flow.setCenter(drawn.internals.positionAbsolute.x + (drawn.measured.width ?? 0) / 2, drawn.internals.positionAbsolute.y + (drawn.measured.height ?? 0) / 2, { zoom: 1.2, duration: 300 })
  }
  return (
    <form
      className="find-node"
      role="search"
      onSubmit={(e) => {
        e.preventDefault()
        find()
      }}
    >
      <input
        className={`input input-small${missing ? ' has-problem' : ''}`}
        type="search"
        value={text}
        onChange={(e) => {
          setText(e.target.value)
          setMissing(false)
        }}
        aria-label={t('editor.findNode')}
        placeholder={t('editor.findNode')}
        list="editor-node-ids"
      />
      <datalist id="editor-node-ids">
        {doc.nodes.map((n) => (
          <option key={n.id} value={n.name?.trim() || n.id} />
        ))}
      </datalist>
      <button type="submit" className="btn btn-small">
        {t('editor.find')}
      </button>
      {missing ? (
        <span className="muted small" role="status">
          {t('editor.notFound')}
        </span>
      ) : null}
    </form>
  )
}

function CheckState({ check, count }: { check: Check; count: number }) {
  const { t } = useI18n()
  const text = { syntax: t('editor.syntax'), checking: t('editor.checking'), valid: t('editor.valid'), invalid: t('editor.problems', { n: count }) }[check]
  return (
    <span className={`check-state check-${check}`} data-testid="check-state" data-state={check} role="status">
      {text}
    </span>
  )
}

/** A banner offering the draft this browser kept from an earlier visit. */
export function DraftBanner({ savedAt, onRestore, onDiscard }: { savedAt: string; onRestore: () => void; onDiscard: () => void }) {
  const { t, lang } = useI18n()
  return (
    <div className="draft-banner" role="status" data-testid="draft-banner">
      {t('editor.draftFound', { time: formatTime(savedAt, lang) })}
      <button type="button" className="btn btn-small" onClick={onRestore} data-testid="draft-restore">
        {t('editor.draftRestore')}
      </button>
      <button type="button" className="btn btn-ghost btn-small" onClick={onDiscard}>
        {t('editor.draftDiscard')}
      </button>
    </div>
  )
}

export { loadDraft }
