/**
 * «Тестовый запуск»: a sample request (method, query, headers, body — kept per scenario in this
 * browser) sent to the scenario as it is in the editor, saved or not (`POST
 * /api/v1/scenarios/test-run`). The stored process is shown the way the process page shows
 * one — the path on the graph, the steps, the variables after each, input/output/response —
 * without leaving the editor. Below: the external requests that run the saved scenario, each
 * with a ready curl line, and «attach to an external request».
 */
import { useEffect, useId, useMemo, useState } from 'react'
import { api, ApiError } from '../api.ts'
import { ScenarioGraph } from '../graph/ScenarioGraph.tsx'
import { traceOf } from '../graph/trace.ts'
import { useI18n } from '../i18n.ts'
import { DataTabs, StepVariables, Timeline } from '../pages/ProcessPage.tsx'
import { webRequestUrl } from '../pages/WebRequestsPage.tsx'
import type { Page, ProcessRecord, WebRequestRecord } from '../types.ts'
import { CopyButton, ErrorBox, Link, StatusBadge } from '../ui/bits.tsx'
import { formatDuration, shortId } from '../ui/format.ts'
import type { EditorDocument } from './document.ts'
import { curlLine, loadSample, parseHeaderLines, saveSample, type SampleRequest } from './drafts.ts'

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']

export function TestRunPanel({ doc, saved, runSignal }: { doc: EditorDocument; saved: boolean; runSignal: number }) {
  const { t, component } = useI18n()
  const ids = { method: useId(), query: useId(), headers: useId(), body: useId() }
  const [sample, setSample] = useState<SampleRequest>(() => loadSample(doc.id))
  const [result, setResult] = useState<{ process: ProcessRecord; doc: EditorDocument } | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const [picked, setPicked] = useState<number | null>(null)
  const [webrequests, setWebrequests] = useState<WebRequestRecord[]>([])

  useEffect(() => {
    if (!doc.id || !saved) return setWebrequests([])
    let live = true
    api.get<Page<WebRequestRecord>>(`/api/v1/webrequests?scenarioId=${encodeURIComponent(doc.id)}`).then(
      (page) => live && setWebrequests(page.items),
      () => {},
    )
    return () => {
      live = false
    }
  }, [doc.id, saved])

  const update = (patch: Partial<SampleRequest>) => {
    const next = { ...sample, ...patch }
    setSample(next)
    saveSample(doc.id, next)
  }

  const run = async () => {
    setBusy(true)
    setError(null)
    try {
      const process = await api.post<ProcessRecord>('/api/v1/scenarios/test-run', {
        scenario: doc,
        request: { method: sample.method, query: sample.query, headers: parseHeaderLines(sample.headers), body: sample.body },
      })
      setResult({ process, doc })
      setPicked(null)
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'ERROR', String(e)))
    } finally {
      setBusy(false)
    }
  }

  // The page's «Test run» button (in the header) runs the panel's request.
  useEffect(() => {
    if (runSignal) void run()
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [runSignal])

  const process = result?.process
  const steps = useMemo(() => [...(process?.steps ?? [])].sort((a, b) => a.index - b.index), [process])
  const trace = useMemo(() => (result ? traceOf(result.doc.edges, steps, process?.error?.nodeId) : null), [result, steps, process])
  const selected = picked !== null && picked < steps.length ? picked : steps.length - 1
  const titleOf = (nodeId: string, type: string) => result?.doc.nodes.find((n) => n.id === nodeId)?.name?.trim() || component(type)

  return (
    <section className="panel test-run" aria-labelledby={`${ids.method}-title`} data-testid="test-run">
      <div className="panel-head" id={`${ids.method}-title`}>
        {t('editor.testRun')}
      </div>
      <div className="sample-request">
        <div className="field">
          <label htmlFor={ids.method} className="field-label">
            {t('editor.sampleMethod')}
          </label>
          <select id={ids.method} className="input" value={sample.method} onChange={(e) => update({ method: e.target.value })}>
            {METHODS.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </div>
        <div className="field field-grow">
          <label htmlFor={ids.query} className="field-label">
            {t('editor.sampleQuery')}
          </label>
          <input id={ids.query} className="input mono" value={sample.query} placeholder="a=1&b=2" onChange={(e) => update({ query: e.target.value })} />
        </div>
        <div className="field field-grow">
          <label htmlFor={ids.headers} className="field-label">
            {t('editor.sampleHeaders')}
          </label>
          <textarea id={ids.headers} className="input mono" rows={2} value={sample.headers} onChange={(e) => update({ headers: e.target.value })} />
        </div>
        <div className="field field-grow">
          <label htmlFor={ids.body} className="field-label">
            {t('editor.sampleBody')}
          </label>
          <textarea id={ids.body} className="input mono" rows={3} value={sample.body} onChange={(e) => update({ body: e.target.value })} />
        </div>
        <button type="button" className="btn btn-primary" onClick={run} disabled={busy} data-testid="test-run-send">
          {t('editor.testRunSend')}
        </button>
      </div>
      <ErrorBox error={error} title={t('editor.testRunFailed')} />
      {process && result ? (
        <div className="test-result" data-testid="test-result" data-status={process.status}>
          <div className="meta">
            <StatusBadge status={process.status} />
            {process.response ? (
              <span>
                HTTP <strong data-testid="test-status">{process.response.status}</strong>
              </span>
            ) : null}
            <span>{formatDuration(process.durationMs)}</span>
            <Link to={`/processes/${encodeURIComponent(process.id)}`}>
              {t('editor.openProcess')} <code>{shortId(process.id)}</code>
            </Link>
          </div>
          <ScenarioGraph
            scenario={result.doc}
            trace={trace}
            selectedNode={steps[selected]?.nodeId ?? null}
            onNodeClick={(nodeId) => {
              for (let k = steps.length - 1; k >= 0; k--) if (steps[k].nodeId === nodeId) return setPicked(k)
            }}
            className="graph-process"
          />
          <div className="process-grid">
            <div className="panel">
              <div className="panel-head">{t('process.timeline')}</div>
              <Timeline steps={steps} selected={selected} onSelect={setPicked} startedAt={Date.parse(process.startedAt)} totalMs={process.durationMs ?? undefined} titleOf={titleOf} ended />
            </div>
            <div className="panel">
              <div className="panel-head">
                {steps[selected] ? t('process.varsAfter', { n: steps[selected].index + 1, node: titleOf(steps[selected].nodeId, steps[selected].type) }) : t('process.vars')}
              </div>
              <StepVariables process={process} steps={steps} selected={selected} />
            </div>
          </div>
          <DataTabs process={process} />
        </div>
      ) : null}
      <div className="attach">
        <div className="panel-head">{t('editor.externalRequests')}</div>
        {webrequests.map((w) => {
          const line = curlLine(webRequestUrl(w.urlId), sample)
          return (
            <div key={w.id} className="curl" data-testid="curl">
              <Link to={`/webrequests/${encodeURIComponent(w.id)}`}>{w.name}</Link>
              <code className="mono">{line}</code>
              <CopyButton text={line} />
            </div>
          )
        })}
        {saved && doc.id ? (
          <Link to={`/webrequests/new?scenarioId=${encodeURIComponent(doc.id)}`} className="btn btn-small">
            {t('editor.attach')}
          </Link>
        ) : (
          <p className="muted small">{t('editor.attachAfterSave')}</p>
        )}
      </div>
    </section>
  )
}
