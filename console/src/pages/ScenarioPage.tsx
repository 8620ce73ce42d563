/**
 * One scenario: its graph (ELK layout on a React Flow canvas) beside its JSON, the external
 * requests that run it, and its versions with a line diff between any two of them.
 */
import { useEffect, useMemo, useRef, useState } from 'react'
import { api, ApiError, download } from '../api.ts'
import { diffLines, foldDiff } from '../diff.ts'
import { DiffBody } from '../ui/DiffBody.tsx'
import { ScenarioGraph } from '../graph/ScenarioGraph.tsx'
import { useI18n } from '../i18n.ts'
import { navigate, setQuery, useLocation } from '../router.ts'
import type { Page, Problem, ScenarioRecord, WebRequestRecord } from '../types.ts'
import type { CodeEditorHandle } from '../ui/CodeEditor.tsx'
import { LazyCodeEditor } from '../ui/LazyCodeEditor.tsx'
import { CopyButton, ErrorBox, Link, Spinner } from '../ui/bits.tsx'
import { formatTime } from '../ui/format.ts'
import { useApi } from '../ui/useApi.ts'
import { webRequestUrl } from './WebRequestsPage.tsx'

/** The scenario document as a designer edits it: the stored one without its `version`. */
export function documentOf(record: ScenarioRecord): Record<string, unknown> {
  const { version: _version, ...document } = record.scenario as unknown as Record<string, unknown>
  return document
}

export function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2)
}

export function ScenarioPage({ id }: { id: string }) {
  const { t, lang } = useI18n()
  const { query } = useLocation()
  const tab = query.get('tab') === 'versions' ? 'versions' : 'graph'
  const latest = useApi<ScenarioRecord>(`/api/v1/scenarios/${encodeURIComponent(id)}`)
  const versions = useApi<Page<ScenarioRecord>>(`/api/v1/scenarios/${encodeURIComponent(id)}/versions`)
  const webrequests = useApi<Page<WebRequestRecord>>(`/api/v1/webrequests?scenarioId=${encodeURIComponent(id)}`)
  const [deleteError, setDeleteError] = useState<unknown>(null)
  const [downloadError, setDownloadError] = useState<unknown>(null)

  const wanted = Number(query.get('version')) || undefined
  const all = useMemo(() => [...(versions.data?.items ?? [])].sort((a, b) => b.version - a.version), [versions.data])
  const record = (wanted ? all.find((v) => v.version === wanted) : undefined) ?? latest.data
  const isLatest = !!record && record.version === latest.data?.version

  if (latest.error) return <ErrorBox error={latest.error} />
  if (!record) return <Spinner />

  const remove = async () => {
    if (!confirm(t('scenarios.confirmDelete', { id }))) return
    try {
      await api.delete(`/api/v1/scenarios/${encodeURIComponent(id)}`)
      navigate('/scenarios')
    } catch (e) {
      setDeleteError(e)
    }
  }

  // The export is of the latest version (the API exports no other).
  const downloadBpmn = async () => {
    setDownloadError(null)
    try {
      await download(`/api/v1/scenarios/${encodeURIComponent(id)}/bpmn`, `${id}.bpmn`, 'application/xml')
    } catch (e) {
      setDownloadError(e)
    }
  }

  return (
    <section className="scenario-page">
      <div className="page-head">
        <div>
          <h1>{record.scenario.name || id}</h1>
          <div className="muted small">
            <code>{id}</code> · v{record.version} · {formatTime(record.createdAt, lang)}
            {!isLatest ? (
              <>
                {' '}
                · <span className="tag tag-warn">{t('scenarios.oldVersion', { latest: latest.data?.version ?? '?' })}</span>
              </>
            ) : null}
          </div>
          {record.scenario.description ? <p className="description">{record.scenario.description}</p> : null}
        </div>
        <div className="head-actions">
          <select
            value={record.version}
            onChange={(e) => setQuery({ version: e.target.value === String(latest.data?.version) ? undefined : e.target.value })}
            aria-label={t('scenarios.version')}
            data-testid="version-select"
          >
            {(all.length ? all : [record]).map((v) => (
              <option key={v.version} value={v.version}>
                v{v.version}
                {v.version === latest.data?.version ? ` (${t('scenarios.latest')})` : ''}
              </option>
            ))}
          </select>
          <Link to={`/processes?scenarioId=${encodeURIComponent(id)}`} className="btn btn-ghost">
            {t('nav.processes')}
          </Link>
          <button type="button" className="btn" onClick={downloadBpmn} title={t('scenarios.downloadHint', { version: latest.data?.version ?? '?' })} data-testid="download-bpmn">
            {t('scenarios.downloadBpmn')}
          </button>
          <Link to={`/scenarios/${encodeURIComponent(id)}/edit${isLatest ? '' : `?from=${record.version}`}`} className="btn btn-primary" data-testid="edit">
            {t('action.edit')}
          </Link>
          <button type="button" className="btn btn-ghost btn-danger-text" onClick={remove}>
            {t('action.delete')}
          </button>
        </div>
      </div>
      <ErrorBox error={deleteError} />
      <ErrorBox error={downloadError} title={t('scenarios.downloadFailed')} />
      {webrequests.data?.items.length ? (
        <div className="bindings">
          {webrequests.data.items.map((w) => (
            <span key={w.id} className={`binding${w.enabled ? '' : ' is-off'}`}>
              <Link to={`/webrequests/${encodeURIComponent(w.id)}`}>{w.name}</Link>
              <code>{webRequestUrl(w.urlId)}</code>
              <CopyButton text={webRequestUrl(w.urlId)} />
            </span>
          ))}
        </div>
      ) : null}
      <div className="tabs">
        <button type="button" className={tab === 'graph' ? 'is-active' : ''} onClick={() => setQuery({ tab: undefined })}>
          {t('scenarios.tab.graph')}
        </button>
        <button type="button" className={tab === 'versions' ? 'is-active' : ''} onClick={() => setQuery({ tab: 'versions' })} data-testid="tab-versions">
          {t('scenarios.tab.versions')} <span className="count">{all.length || ''}</span>
        </button>
      </div>
      {tab === 'graph' ? <GraphAndJson record={record} /> : <Versions versions={all} current={record.version} />}
    </section>
  )
}

function GraphAndJson({ record }: { record: ScenarioRecord }) {
  const { t } = useI18n()
  const editor = useRef<CodeEditorHandle>(null)
  const document = useMemo(() => documentOf(record), [record])
  const text = useMemo(() => pretty(document), [document])
  const [problems, setProblems] = useState<Problem[]>([])
  const [selected, setSelected] = useState<string | null>(null)

  useEffect(() => {
    // A stored version was valid when saved; components may have changed since.
    let live = true
    api.post('/api/v1/scenarios/validate', document).then(
      () => live && setProblems([]),
      (e) => live && setProblems(e instanceof ApiError ? e.problems : []),
    )
    return () => {
      live = false
    }
  }, [document])

  const reveal = (nodeId: string) => {
    setSelected(nodeId)
    const index = record.scenario.nodes.findIndex((n) => n.id === nodeId)
    if (index >= 0) editor.current?.reveal(`nodes[${index}]`)
  }

  return (
    <div className="split">
      <div className="split-main">
        <ScenarioGraph scenario={document} problems={problems} selectedNode={selected} onNodeClick={reveal} className="graph-tall" />
        {problems.length ? <ProblemList problems={problems} /> : null}
      </div>
      <div className="split-side panel">
        <div className="panel-head">
          JSON <span className="muted small">{t('scenarios.clickNode')}</span>
        </div>
        <LazyCodeEditor ref={editor} value={text} readOnly className="editor-fill" />
      </div>
    </div>
  )
}

export function ProblemList({ problems, onPick }: { problems: readonly Problem[]; onPick?: (problem: Problem) => void }) {
  const { t } = useI18n()
  return (
    <div className="problem-list" data-testid="problems">
      <div className="problem-list-head">{t('editor.problems', { n: problems.length })}</div>
      <ul>
        {problems.map((p, i) => (
          <li key={i}>
            <button type="button" onClick={() => onPick?.(p)} disabled={!onPick}>
              <code>{p.path}</code> {p.message}
            </button>
          </li>
        ))}
      </ul>
    </div>
  )
}

function Versions({ versions, current }: { versions: ScenarioRecord[]; current: number }) {
  const { t, lang } = useI18n()
  const [a, setA] = useState<number | null>(null)
  const [b, setB] = useState<number | null>(null)
  const newest = versions[0]?.version
  const left = a ?? versions[1]?.version ?? newest
  const right = b ?? newest
  const from = versions.find((v) => v.version === left)
  const to = versions.find((v) => v.version === right)
  const hunks = useMemo(() => (from && to ? foldDiff(diffLines(pretty(documentOf(from)), pretty(documentOf(to)))) : []), [from, to])

  if (!versions.length) return <Spinner />
  return (
    <div className="versions">
      <table className="table table-compact" data-testid="versions">
        <thead>
          <tr>
            <th>{t('scenarios.version')}</th>
            <th>{t('scenarios.saved')}</th>
            <th>{t('scenarios.nodes')}</th>
            <th title={t('scenarios.diffFrom')}>A</th>
            <th title={t('scenarios.diffTo')}>B</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.version} className={v.version === current ? 'is-current' : ''}>
              <td>
                v{v.version}
                {v.version === newest ? <span className="muted small"> ({t('scenarios.latest')})</span> : null}
              </td>
              <td className="muted">{formatTime(v.createdAt, lang)}</td>
              <td>{v.scenario.nodes.length}</td>
              <td>
                <input type="radio" name="diff-a" checked={left === v.version} onChange={() => setA(v.version)} aria-label={`A v${v.version}`} />
              </td>
              <td>
                <input type="radio" name="diff-b" checked={right === v.version} onChange={() => setB(v.version)} aria-label={`B v${v.version}`} />
              </td>
              <td className="actions">
                <button type="button" className="btn btn-small btn-ghost" onClick={() => setQuery({ version: String(v.version), tab: undefined })}>
                  {t('action.open')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="panel diff" data-testid="diff">
        <div className="panel-head">{t('scenarios.diffTitle', { a: left ?? '?', b: right ?? '?' })}</div>
        {left === right ? <div className="empty small">{t('scenarios.diffSame')}</div> : null}
        {left !== right && hunks.every((h) => 'skipped' in h) ? <div className="empty small">{t('scenarios.diffNone')}</div> : null}
        {left !== right ? <DiffBody hunks={hunks} /> : null}
      </div>
    </div>
  )
}
