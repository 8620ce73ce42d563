/**
 * Editing a scenario's JSON: CodeMirror with validation as you type (the server's
 * `POST /scenarios/validate`, debounced), problems underlined in the text, listed, and shown on
 * the live graph preview; saving makes a new version (PUT) or creates the scenario (POST).
 * `/scenarios/new?draft=1` starts from a document handed over by `openInEditor` (an import).
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { api, ApiError } from '../api.ts'
import { ScenarioGraph } from '../graph/ScenarioGraph.tsx'
import { useI18n } from '../i18n.ts'
import { navigate, useLocation } from '../router.ts'
import type { Problem, ScenarioRecord } from '../types.ts'
import { CodeEditor, type CodeEditorHandle } from '../ui/CodeEditor.tsx'
import { ErrorBox, Link, Spinner } from '../ui/bits.tsx'
import { useApi } from '../ui/useApi.ts'
import { documentOf, pretty, ProblemList } from './ScenarioPage.tsx'

const TEMPLATE = {
  id: 'new-scenario',
  name: 'New scenario',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'answer', type: 'setVariables', config: { assignments: [{ name: '$body', value: "({ ok: true, received: body })" }] } },
    { id: 'end', type: 'end' },
  ],
  edges: [{ from: 'start', to: 'answer' }, { from: 'answer', to: 'end' }],
}

const DRAFT = 'potok.draft'

/** Opens the editor of a new scenario on `document` (kept for this tab, so a reload keeps it). */
export function openInEditor(document: unknown): void {
  sessionStorage.setItem(DRAFT, pretty(document))
  navigate('/scenarios/new?draft=1')
}

function draft(): string | null {
  const text = sessionStorage.getItem(DRAFT)
  try {
    return text !== null && JSON.parse(text) ? text : null
  } catch {
    return null
  }
}

type Check = 'idle' | 'syntax' | 'checking' | 'valid' | 'invalid'

export function ScenarioEditorPage({ id }: { id?: string }) {
  const { t } = useI18n()
  const { query } = useLocation()
  const from = query.get('from')
  const source = useApi<ScenarioRecord>(id ? `/api/v1/scenarios/${encodeURIComponent(id)}${from ? `?version=${encodeURIComponent(from)}` : ''}` : null)
  const fromDraft = !id && query.has('draft')
  const initial = useMemo(() => (id ? (source.data ? pretty(documentOf(source.data)) : null) : (fromDraft && draft()) || pretty(TEMPLATE)), [id, source.data, fromDraft])

  if (id && source.error) return <ErrorBox error={source.error} />
  if (initial === null) return <Spinner />
  return <Editor key={initial} id={id} initial={initial} baseVersion={source.data?.version} title={id ? t('editor.titleEdit', { id }) : t('editor.titleNew')} />
}

function Editor({ id, initial, baseVersion, title }: { id?: string; initial: string; baseVersion?: number; title: string }) {
  const { t } = useI18n()
  const editor = useRef<CodeEditorHandle>(null)
  const [text, setText] = useState(initial)
  const latestText = useRef(initial)
  const [document, setDocument] = useState<unknown>(() => JSON.parse(initial))
  const [problems, setProblems] = useState<Problem[]>([])
  const [check, setCheck] = useState<Check>('checking')
  const [saving, setSaving] = useState(false)
  const [saveError, setSaveError] = useState<ApiError | null>(null)
  const dirty = text !== initial

  const onChange = (next: string) => {
    setText(next)
    latestText.current = next
    try {
      setDocument(JSON.parse(next))
      setCheck('checking')
    } catch {
      setCheck('syntax')
    }
  }

  const lint = useCallback(async (checked: string): Promise<Problem[]> => {
    let found: Problem[] = []
    try {
      await api.post('/api/v1/scenarios/validate', JSON.parse(checked))
    } catch (e) {
      if (!(e instanceof ApiError)) throw e
      found = e.problems.length ? e.problems : [{ path: '(root)', message: e.message }]
    }
    if (latestText.current === checked) {
      setProblems(found)
      setCheck(found.length ? 'invalid' : 'valid')
    }
    return found
  }, [])

  const save = async () => {
    if (saving) return
    setSaving(true)
    setSaveError(null)
    try {
      const body = JSON.parse(latestText.current)
      const record = id
        ? await api.put<ScenarioRecord>(`/api/v1/scenarios/${encodeURIComponent(id)}`, body)
        : await api.post<ScenarioRecord>('/api/v1/scenarios', body)
      navigate(`/scenarios/${encodeURIComponent(record.id)}`)
    } catch (e) {
      setSaveError(e instanceof ApiError ? e : new ApiError(0, 'INVALID_JSON', (e as Error).message))
      if (e instanceof ApiError && e.problems.length) {
        setProblems(e.problems)
        setCheck('invalid')
      }
    } finally {
      setSaving(false)
    }
  }

  // Leaving with unsaved changes asks first.
  useEffect(() => {
    if (!dirty) return
    const warn = (event: BeforeUnloadEvent) => event.preventDefault()
    window.addEventListener('beforeunload', warn)
    return () => window.removeEventListener('beforeunload', warn)
  }, [dirty])

  const nodes = (document as { nodes?: Array<{ id?: string }> })?.nodes
  const pickNode = (nodeId: string) => {
    const index = Array.isArray(nodes) ? nodes.findIndex((n) => n?.id === nodeId) : -1
    if (index >= 0) editor.current?.reveal(`nodes[${index}]`)
  }

  return (
    <section className="editor-page">
      <div className="page-head">
        <div>
          <h1>{title}</h1>
          <div className="muted small">
            {id ? t('editor.basedOn', { version: baseVersion ?? '?' }) : t('editor.newHint')}
            {dirty ? <> · <span className="tag tag-warn">{t('editor.unsaved')}</span></> : null}
          </div>
        </div>
        <div className="head-actions">
          <CheckState check={check} count={problems.length} />
          <Link to={id ? `/scenarios/${encodeURIComponent(id)}` : '/scenarios'} className="btn btn-ghost">{t('action.cancel')}</Link>
          <button type="button" className="btn btn-primary" onClick={save} disabled={saving || check === 'syntax'} data-testid="save" title="Ctrl+S">
            {id ? t('editor.saveVersion') : t('action.create')}
          </button>
        </div>
      </div>
      <ErrorBox error={saveError} title={t('editor.saveFailed')} />
      <div className="split split-editor">
        <div className="split-side panel">
          <CodeEditor ref={editor} value={initial} onChange={onChange} lint={lint} onSave={save} className="editor-fill" />
        </div>
        <div className="split-main">
          <ScenarioGraph scenario={document} problems={problems} onNodeClick={pickNode} className="graph-tall" />
          {problems.length ? <ProblemList problems={problems} onPick={(p) => editor.current?.reveal(p.path)} /> : null}
        </div>
      </div>
    </section>
  )
}

function CheckState({ check, count }: { check: Check; count: number }) {
  const { t } = useI18n()
  const text = {
    idle: '',
    syntax: t('editor.syntax'),
    checking: t('editor.checking'),
    valid: t('editor.valid'),
    invalid: t('editor.problems', { n: count }),
  }[check]
  return <span className={`check-state check-${check}`} data-testid="check-state" data-state={check}>{text}</span>
}
