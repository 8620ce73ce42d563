/**
 * One process: the graph with the path it took (steps numbered, failed node red), the timeline
 * of steps with their durations, the variables after the chosen step, the input / output /
 * response / error, and Resume, Replay (original or current version) and Cancel.
 */
import { useEffect, useMemo, useState } from 'react'
import { ApiError, request } from '../api.ts'
import { ScenarioGraph } from '../graph/ScenarioGraph.tsx'
import { traceOf } from '../graph/trace.ts'
import { useI18n } from '../i18n.ts'
import type { MessageKey } from '../messages.ts'
import { navigate } from '../router.ts'
import type { Page, ProcessRecord, ScenarioRecord, StepRecord, WebRequestRecord } from '../types.ts'
import { ErrorBox, Json, Link, Spinner, StatusBadge } from '../ui/bits.tsx'
import { formatDuration, formatTime, shortId } from '../ui/format.ts'
import { useApi } from '../ui/useApi.ts'
import { RecordLink } from './RecordLink.tsx'
import { variablesAfterStep, writtenNames } from '../variables.ts'

const ACTIVE = new Set(['queued', 'running'])
type DataTab = 'input' | 'output' | 'response' | 'error'

export function ProcessPage({ id }: { id: string }) {
  const { t, lang, component } = useI18n()
  const [poll, setPoll] = useState(true)
  const loaded = useApi<ProcessRecord>(`/api/v1/processes/${encodeURIComponent(id)}`, { pollMs: poll ? 2000 : undefined })
  const process = loaded.data
  useEffect(() => {
    if (process) setPoll(ACTIVE.has(process.status))
  }, [process])
  const scenario = useApi<ScenarioRecord>(process ? `/api/v1/scenarios/${encodeURIComponent(process.scenario.id)}?version=${process.scenario.version}` : null)
  const trigger = useApi<WebRequestRecord>(process?.trigger?.type === '$webRequest' && process.trigger.id ? `/api/v1/webrequests/${encodeURIComponent(process.trigger.id)}` : null)
  const children = useApi<Page<ProcessRecord>>(`/api/v1/processes?parentId=${encodeURIComponent(id)}&limit=20`)
  const [actionError, setActionError] = useState<unknown>(null)
  const [busy, setBusy] = useState<string | null>(null)

  const steps = useMemo(() => [...(process?.steps ?? [])].sort((a, b) => a.index - b.index), [process])
  const [picked, setPicked] = useState<number | null>(null)
  const selected = picked !== null && picked < steps.length ? picked : steps.length - 1
  const ended = !!process && !ACTIVE.has(process.status)
  // A step an ended (cancelled, interrupted) process left open is not running: nothing pulses.
  const trace = useMemo(() => (scenario.data ? traceOf(scenario.data.scenario.edges, steps, process?.error?.nodeId, !ended) : null), [scenario.data, steps, process?.error?.nodeId, ended])

  if (loaded.error && !process) return <ErrorBox error={loaded.error} />
  if (!process) return <Spinner />

  const titleOf = (nodeId: string, type: string) => scenario.data?.scenario.nodes.find((n) => n.id === nodeId)?.name?.trim() || component(type)

  const act = async (name: string, path: string, body?: unknown) => {
    setBusy(name)
    setActionError(null)
    try {
      const answer = await request<{ id?: string; processId?: string }>('POST', `/api/v1/processes/${encodeURIComponent(id)}/${path}`, body ?? {})
      if (name === 'replay') {
        const next = answer.body?.id ?? answer.body?.processId ?? answer.headers.get('x-process-id')
        if (next) navigate(`/processes/${encodeURIComponent(next)}`)
        return
      }
      setPoll(true)
      await loaded.reload()
    } catch (e) {
      setActionError(e instanceof ApiError ? e : new ApiError(0, 'ERROR', String(e)))
    } finally {
      setBusy(null)
    }
  }

  const onNodeClick = (nodeId: string) => {
    for (let k = steps.length - 1; k >= 0; k--) if (steps[k].nodeId === nodeId) return setPicked(k)
  }

  const step = steps[selected]
  const startedAt = Date.parse(process.startedAt)
  return (
    <section className="process-page">
      <div className="page-head">
        <div>
          <h1>
            {t('process.title')}{' '}
            <code className="title-id" title={process.id}>
              {shortId(process.id)}
            </code>{' '}
            <StatusBadge status={process.status} />
          </h1>
          <div className="meta">
            <span>
              {t('processes.scenario')}:{' '}
              <Link to={`/scenarios/${encodeURIComponent(process.scenario.id)}?version=${process.scenario.version}`}>
                <code>{process.scenario.id}</code> v{process.scenario.version}
              </Link>
            </span>
            <span>
              {t('processes.trigger')}: {trigger.data ? <Link to={`/webrequests/${encodeURIComponent(trigger.data.id)}`}>{trigger.data.name}</Link> : (process.trigger?.type ?? '—')}
              {process.trigger?.async ? ' (async)' : ''} <RecordLink trigger={process.trigger} />
            </span>
            <span>
              {t('processes.started')}: {formatTime(process.startedAt, lang)}
            </span>
            <span>
              {t('processes.duration')}: {formatDuration(process.durationMs)}
            </span>
            {process.replayOf ? (
              <span>
                {t('process.replayOf')}:{' '}
                <Link to={`/processes/${encodeURIComponent(process.replayOf)}`}>
                  <code>{shortId(process.replayOf)}</code>
                </Link>
              </span>
            ) : null}
            {process.parentId ? (
              <span>
                {t('process.parent')}:{' '}
                <Link to={`/processes/${encodeURIComponent(process.parentId)}`}>
                  <code>{shortId(process.parentId)}</code>
                </Link>
              </span>
            ) : null}
            {children.data?.items.length ? (
              <span>
                {t('process.children')}:{' '}
                {children.data.items.map((child) => (
                  <Link key={child.id} to={`/processes/${encodeURIComponent(child.id)}`} className="child-link" title={`${child.scenario.id} v${child.scenario.version}`}>
                    <code>{shortId(child.id)}</code> <StatusBadge status={child.status} />
                  </Link>
                ))}
              </span>
            ) : null}
            <span className="muted small" title={process.id}>
              {process.id}
            </span>
          </div>
        </div>
        <div className="head-actions">
          <div className="btn-group">
            <button
              type="button"
              className="btn"
              disabled={!!busy || !['interrupted', 'failed'].includes(process.status)}
              onClick={() => act('resume', 'resume', { version: 'original' })}
              title={t('process.resumeHint')}
              data-testid="resume"
            >
              {t('process.resume')}
            </button>
            <button
              type="button"
              className="btn"
              disabled={!!busy || !['interrupted', 'failed'].includes(process.status)}
              onClick={() => act('resume', 'resume', { version: 'current' })}
              title={t('process.resumeCurrentHint')}
              data-testid="resume-current"
            >
              {t('process.current')}
            </button>
          </div>
          <div className="btn-group">
            <button
              type="button"
              className="btn"
              disabled={!!busy}
              onClick={() => act('replay', 'replay', { version: 'original' })}
              title={t('process.replayOriginalHint', { version: process.scenario.version })}
              data-testid="replay-original"
            >
              {t('process.replay')} · v{process.scenario.version}
            </button>
            <button type="button" className="btn" disabled={!!busy} onClick={() => act('replay', 'replay', { version: 'current' })} title={t('process.replayCurrentHint')} data-testid="replay-current">
              {t('process.current')}
            </button>
          </div>
          <button
            type="button"
            className="btn btn-danger"
            disabled={!!busy || !ACTIVE.has(process.status)}
            onClick={() => window.confirm(t('process.confirmCancel', { id: shortId(process.id) })) && act('cancel', 'cancel')}
            data-testid="cancel"
          >
            {t('process.cancel')}
          </button>
        </div>
      </div>
      <ErrorBox error={actionError} />
      {process.error ? (
        <div className="error-box process-error" data-testid="process-error">
          <strong>{process.error.code}</strong> {process.error.message}
          {process.error.nodeId ? (
            <>
              {' '}
              — {t('process.atNode')} <code>{process.error.nodeId}</code>
            </>
          ) : null}
        </div>
      ) : null}

      {scenario.data ? (
        <ScenarioGraph scenario={scenario.data.scenario} trace={trace} selectedNode={step?.nodeId ?? null} onNodeClick={onNodeClick} className="graph-process" />
      ) : scenario.error && process.trigger?.type === '$test' && process.scenario.version === 0 ? (
        <div className="empty small" data-testid="draft-graph">
          {t('process.draftGraph')}
        </div>
      ) : scenario.error ? (
        <ErrorBox error={scenario.error} />
      ) : (
        <Spinner />
      )}

      <div className="process-grid">
        <div className="panel">
          <div className="panel-head">
            {t('process.timeline')} <span className="muted small">{t('process.stepsCount', { n: steps.length })}</span>
          </div>
          <Timeline steps={steps} selected={selected} onSelect={setPicked} startedAt={startedAt} totalMs={process.durationMs ?? undefined} titleOf={titleOf} ended={ended} />
        </div>
        <div className="panel">
          <div className="panel-head">{step ? t('process.varsAfter', { n: step.index + 1, node: titleOf(step.nodeId, step.type) }) : t('process.vars')}</div>
          <StepVariables process={process} steps={steps} selected={selected} />
        </div>
      </div>
      <DataTabs process={process} />
    </section>
  )
}

const MAX_ROWS = 300

export function Timeline({
  steps,
  selected,
  onSelect,
  startedAt,
  totalMs,
  titleOf,
  ended = false,
}: {
  steps: StepRecord[]
  /** The process has ended: a step it left open stopped with it (never shown running). */
  ended?: boolean
  selected: number
  onSelect: (index: number) => void
  startedAt: number
  totalMs?: number
  titleOf: (nodeId: string, type: string) => string
}) {
  const { t, component } = useI18n()
  const [all, setAll] = useState(false)
  if (!steps.length) return <div className="empty small">{t('process.noSteps')}</div>
  const span = Math.max(1, totalMs ?? 0, ...steps.map((s) => Date.parse(s.finishedAt ?? (s.status === 'running' && !ended ? new Date().toISOString() : s.startedAt)) - startedAt))
  // Long processes (loops) show the head and the tail unless asked for all.
  const rows =
    all || steps.length <= MAX_ROWS
      ? steps.map((s, k) => [s, k] as const)
      : [...steps.slice(0, MAX_ROWS / 2).map((s, k) => [s, k] as const), ...steps.slice(-MAX_ROWS / 2).map((s, k) => [s, steps.length - MAX_ROWS / 2 + k] as const)]
  return (
    <ol className="timeline" data-testid="timeline">
      {rows.map(([s, k], i) => {
        const stopped = ended && s.status === 'running'
        const offset = Math.max(0, Date.parse(s.startedAt) - startedAt)
        const duration = s.durationMs ?? (s.finishedAt ? Date.parse(s.finishedAt) - Date.parse(s.startedAt) : undefined)
        // A running step's bar reaches the end of the time shown.
        const width = s.status === 'running' && !stopped ? Math.max(0, span - offset) : (duration ?? 0)
        const gap = i > 0 && rows[i - 1][1] !== k - 1
        return (
          <li key={s.index} className={gap ? 'has-gap' : ''}>
            {gap ? (
              <button type="button" className="timeline-gap" onClick={() => setAll(true)}>
                ⋯ {t('process.showAll', { n: steps.length })}
              </button>
            ) : null}
            <button type="button" className={`step step-${stopped ? 'stopped' : s.status}${k === selected ? ' is-selected' : ''}`} onClick={() => onSelect(k)} data-testid="step" data-node={s.nodeId}>
              <span className="step-no">{s.index + 1}</span>
              <span className="step-name">
                <span className="strong">{titleOf(s.nodeId, s.type)}</span>
                <span className="muted small"> {[s.nodeId, component(s.type)].filter((part) => part !== titleOf(s.nodeId, s.type)).join(' · ')}</span>
                {s.error ? (
                  <span className="step-error">
                    {s.error.code}: {s.error.message}
                  </span>
                ) : null}
              </span>
              <span className="step-bar" aria-hidden="true">
                <span style={{ left: `${(offset / span) * 100}%`, width: `max(2px, ${(width / span) * 100}%)` }} />
              </span>
              <span className="step-time">{stopped ? t('process.stepStopped') : s.status === 'running' ? t('status.running') : formatDuration(duration)}</span>
            </button>
          </li>
        )
      })}
    </ol>
  )
}

export function StepVariables({ process, steps, selected }: { process: ProcessRecord; steps: StepRecord[]; selected: number }) {
  const { t } = useI18n()
  const step = steps[selected]
  const vars = useMemo(() => (step ? variablesAfterStep(process.input ?? {}, steps, selected) : process.input), [process.input, steps, selected, step])
  if (!step) return <Json value={process.input} />
  const written = writtenNames(step)
  return (
    <div className="step-vars" data-testid="variables">
      {step.error ? (
        <div className="error-box small">
          <strong>{step.error.code}</strong> {step.error.message}
        </div>
      ) : null}
      {step.writes?.length ? (
        <table className="writes" data-testid="writes">
          <caption>{t('process.wrote')}</caption>
          <tbody>
            {step.writes.map((w, i) => (
              <tr key={i}>
                <th>
                  <code className="write">{w.path}</code>
                </th>
                <td>
                  <code>{preview(w.value)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <div className="muted small writes-none">{t('process.wroteNothing')}</div>
      )}
      <div className="vars-caption muted small">{t('process.allVars')}</div>
      <Json value={vars} highlight={written} />
    </div>
  )
}

export function DataTabs({ process }: { process: ProcessRecord }) {
  const { t } = useI18n()
  // Until a tab is picked, show what matters most now: the error, else the response, else the output.
  const [picked, setTab] = useState<DataTab | null>(null)
  const tab: DataTab = picked ?? (process.error ? 'error' : process.response ? 'response' : 'output')
  const value = { input: process.input, output: process.output, response: process.response, error: process.error }[tab]
  return (
    <div className="panel data-tabs">
      <div className="tabs tabs-inline">
        {(['input', 'output', 'response', 'error'] as const).map((name) => (
          <button
            key={name}
            type="button"
            className={`${tab === name ? 'is-active' : ''}${name === 'error' && process.error ? ' has-error' : ''}`}
            onClick={() => setTab(name)}
            data-testid={`tab-${name}`}
          >
            {t(`process.${name}` as MessageKey)}
          </button>
        ))}
      </div>
      {value === undefined || value === null ? <div className="empty small">{t('process.nothing')}</div> : <Json value={value} />}
    </div>
  )
}

/** One line of a value: JSON, cut at 160 characters. */
function preview(value: unknown): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value)
  return text.length > 160 ? `${text.slice(0, 159)}…` : text
}
