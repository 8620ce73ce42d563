/**
 * Importing a `.bpmn` file: it is converted by the server (`POST /api/v1/scenarios/import`,
 * which stores nothing), the report says what was mapped, what was not (by element id, name
 * and connector), what was guessed, and the graph shows the result — drawn where the file's
 * diagram put each node. The designer picks the scenario id (Bpium calls every process
 * `Process_1`) and saves it (`POST /api/v1/scenarios`; an id that is taken can become the
 * scenario's next version with `PUT`), or opens it in the editor to fix it first.
 */
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react'
import { api, ApiError, upload, withQuery } from '../api.ts'
import { formatBytes, MAX_BPMN_BYTES, SCENARIO_ID, suggestedId, takePendingFile, type Imported, type ImportReport } from '../bpmn.ts'
import { ScenarioGraph } from '../graph/ScenarioGraph.tsx'
import { useI18n } from '../i18n.ts'
import { navigate } from '../router.ts'
import type { Problem, ScenarioRecord } from '../types.ts'
import { ErrorBox, Link } from '../ui/bits.tsx'
import { useFileDrop } from '../ui/useFileDrop.ts'
import { openInEditor } from './ScenarioEditorPage.tsx'
import { ProblemList } from './ScenarioPage.tsx'

/** Converts `file`; throws `ApiError` (413 before sending when the file is too large). */
export async function importFile(file: File, placeholders: boolean): Promise<Imported> {
  if (file.size > MAX_BPMN_BYTES) {
    throw new ApiError(413, 'BPMN_TOO_LARGE', `the file is ${file.size} bytes, over the limit of ${MAX_BPMN_BYTES} bytes`, { limit: MAX_BPMN_BYTES, size: file.size })
  }
  return upload<Imported>(withQuery('/api/v1/scenarios/import', { placeholders: placeholders ? 'true' : undefined }), file, 'application/xml')
}

/** A button that opens the file picker for `.bpmn` files. */
export function BpmnFileButton({ onFile, label, primary, title }: { onFile: (file: File) => void; label: string; primary?: boolean; title?: string }) {
  const input = useRef<HTMLInputElement>(null)
  return (
    <>
      <button type="button" className={`btn${primary ? ' btn-primary' : ''}`} onClick={() => input.current?.click()} title={title} data-testid="import-choose">
        {label}
      </button>
      <input
        ref={input}
        type="file"
        accept=".bpmn,.xml,application/xml,text/xml"
        hidden
        data-testid="import-file"
        onChange={(event) => {
          const file = event.target.files?.[0]
          event.target.value = '' // the same file can be picked again
          if (file) onFile(file)
        }}
      />
    </>
  )
}

/** The overlay shown while a file is dragged over the page. */
export function DropOverlay({ visible }: { visible: boolean }) {
  const { t } = useI18n()
  if (!visible) return null
  return (
    <div className="drop-overlay" data-testid="drop-overlay">
      <div>{t('import.dropHere')}</div>
    </div>
  )
}

export function ScenarioImportPage() {
  const { t } = useI18n()
  const [file, setFile] = useState<File | null>(() => takePendingFile())
  const [placeholders, setPlaceholders] = useState(false)
  const [converting, setConverting] = useState(false)
  const [result, setResult] = useState<Imported | null>(null)
  const [error, setError] = useState<ApiError | null>(null)
  const [id, setId] = useState('')
  const [name, setName] = useState('')
  const dragging = useFileDrop((dropped) => setFile(dropped))
  const pickAgain = !file || (!!error && !converting)

  // Convert the file (again when the placeholder choice changes, keeping the id and name typed);
  // a later answer wins.
  const run = useRef(0)
  const named = useRef<File | null>(null)
  useEffect(() => {
    if (!file) return
    const mine = ++run.current
    const fresh = named.current !== file
    setConverting(true)
    setError(null)
    if (fresh) setResult(null)
    importFile(file, placeholders)
      .then(
        (value) => {
          if (mine !== run.current) return
          setResult(value)
          if (fresh) {
            named.current = file
            setId(suggestedId(value.scenario.id, file.name))
            setName(value.scenario.name ?? '')
          }
        },
        (e) => {
          if (mine !== run.current) return
          setResult(null)
          named.current = null
          setError(e instanceof ApiError ? e : new ApiError(0, 'ERROR', String(e)))
        },
      )
      .finally(() => mine === run.current && setConverting(false))
  }, [file, placeholders])

  return (
    <section className="import-page">
      <div className="page-head">
        <div>
          <h1>{t('import.title')}</h1>
          {file ? (
            <div className="muted small">
              <span data-testid="import-filename">
                <code>{file.name}</code> · {formatBytes(file.size)}
              </span>
              {converting ? (
                <>
                  {' '}
                  · <span data-testid="import-converting">{t('import.converting')}</span>
                </>
              ) : null}
            </div>
          ) : null}
        </div>
        <div className="head-actions">
          <Link to="/scenarios" className="btn btn-ghost">
            {t('action.cancel')}
          </Link>
          {!pickAgain ? <BpmnFileButton onFile={setFile} label={t('import.chooseOther')} /> : null}
        </div>
      </div>
      <DropOverlay visible={dragging} />
      {error ? <ImportError error={error} /> : null}
      {pickAgain ? <DropZone onFile={setFile} /> : null}
      {result && file ? (
        <Result
          key={`${file.name}:${file.size}:${file.lastModified}`}
          result={result}
          id={id}
          name={name}
          placeholders={placeholders}
          busy={converting}
          onId={setId}
          onName={setName}
          onPlaceholders={setPlaceholders}
        />
      ) : null}
    </section>
  )
}

function DropZone({ onFile }: { onFile: (file: File) => void }) {
  const { t } = useI18n()
  return (
    <div className="drop-zone" data-testid="drop-zone">
      <div className="drop-zone-title">{t('import.drop')}</div>
      <div className="muted">{t('import.dropOr')}</div>
      <BpmnFileButton onFile={onFile} label={t('import.choose')} primary />
      <p className="muted small">{t('import.lead')}</p>
    </div>
  )
}

/** A refused file: 400 INVALID_BPMN (with the reason), 413 too large, or the server not answering. */
function ImportError({ error }: { error: ApiError }) {
  const { t } = useI18n()
  const limit = Number(error.details?.limit) || MAX_BPMN_BYTES
  const size = Number(error.details?.size)
  return (
    <div className="error-box" role="alert" data-testid="import-error" data-code={error.code} data-status={error.status}>
      <strong>{t('import.failed')}</strong>{' '}
      <code>
        {error.status ? `${error.status} ` : ''}
        {error.code}
      </code>
      <div className="error-message">
        {error.status === 413 ? (size ? t('import.tooLarge', { size: formatBytes(size), limit: formatBytes(limit) }) : `${error.message} (${formatBytes(limit)})`) : error.message}
      </div>
    </div>
  )
}

interface ResultProps {
  result: Imported
  id: string
  name: string
  placeholders: boolean
  /** A conversion with the other placeholder choice is under way. */
  busy: boolean
  onId: (id: string) => void
  onName: (name: string) => void
  onPlaceholders: (on: boolean) => void
}

function Result({ result, id, name, placeholders, busy, onId, onName, onPlaceholders }: ResultProps) {
  const { t } = useI18n()
  const { report } = result
  const [saving, setSaving] = useState(false)
  const [saveError, setSaveError] = useState<ApiError | null>(null)
  const [conflict, setConflict] = useState<{ id: string; version?: number } | null>(null)
  const [saveProblems, setSaveProblems] = useState<Problem[] | null>(null)
  const idValid = SCENARIO_ID.test(id)

  const document = useMemo(() => {
    const { name: _name, ...rest } = result.scenario
    return { ...rest, id, ...(name.trim() ? { name: name.trim() } : {}) }
  }, [result.scenario, id, name])
  // The graph does not change with the id or the name: keep it from being redrawn on each key.
  const preview = result.scenario
  const problems = saveProblems ?? report.problems

  // A new conversion (placeholders switched) or another id starts over.
  useEffect(() => {
    setSaveError(null)
    setSaveProblems(null)
  }, [result])
  useEffect(() => setConflict(null), [id])

  const save = async (asVersion: boolean) => {
    if (saving || !idValid) return
    setSaving(true)
    setSaveError(null)
    try {
      const record = asVersion ? await api.put<ScenarioRecord>(`/api/v1/scenarios/${encodeURIComponent(id)}`, document) : await api.post<ScenarioRecord>('/api/v1/scenarios', document)
      navigate(`/scenarios/${encodeURIComponent(record.id)}`)
    } catch (e) {
      const error = e instanceof ApiError ? e : new ApiError(0, 'ERROR', String(e))
      if (error.status === 409 && !asVersion) {
        const existing = await api.get<ScenarioRecord>(`/api/v1/scenarios/${encodeURIComponent(id)}`).catch(() => undefined)
        setConflict({ id, version: existing?.version })
      } else {
        setSaveError(error)
        if (error.problems.length) setSaveProblems(error.problems)
      }
    } finally {
      setSaving(false)
    }
  }

  return (
    <>
      <div className="import-bar panel" data-testid="import-form">
        <label className="field field-id">
          <span>{t('import.id')}</span>
          <input value={id} onChange={(e) => onId(e.target.value)} spellCheck={false} data-testid="import-id" aria-invalid={!idValid} />
          <div className={idValid ? 'hint' : 'field-problem'}>{idValid ? t('import.idHint') : t('import.idInvalid')}</div>
        </label>
        <label className="field">
          <span>{t('import.name')}</span>
          <input value={name} onChange={(e) => onName(e.target.value)} data-testid="import-name" />
        </label>
        <div className="import-actions">
          <button type="button" className="btn btn-ghost" onClick={() => openInEditor(document)} title={t('import.openEditorHint')} data-testid="import-edit">
            {t('import.openEditor')}
          </button>
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => save(false)}
            disabled={saving || busy || !idValid}
            title={report.valid ? undefined : t('import.saveInvalidHint')}
            data-testid="import-save"
          >
            {t('import.save')}
          </button>
        </div>
        <label className="check import-option" title={t('import.placeholdersHint')}>
          <input type="checkbox" checked={placeholders} disabled={busy} onChange={(e) => onPlaceholders(e.target.checked)} data-testid="import-placeholders" />
          <span>
            {t('import.placeholders')} <span className="hint">— {t('import.placeholdersHint')}</span>
          </span>
        </label>
      </div>
      {conflict ? (
        <div className="notice" role="alert" data-testid="import-conflict">
          <div>
            <strong>{t('import.exists', { id: conflict.id, version: conflict.version ?? '?' })}</strong> {t('import.existsHint')}
          </div>
          <button type="button" className="btn btn-primary" onClick={() => save(true)} disabled={saving} data-testid="import-save-version">
            {t('import.saveVersion', { id: conflict.id })}
          </button>
        </div>
      ) : null}
      <ErrorBox error={saveError} title={t('editor.saveFailed')} />
      <div className="split import-split">
        <div className="split-main">
          <ScenarioGraph scenario={preview} problems={problems} className="graph-tall" />
        </div>
        <div className="split-side panel import-report" data-testid="import-report" data-complete={report.complete} data-valid={report.valid}>
          <div className="panel-head">{t('import.report')}</div>
          <div className="import-report-body">
            <Summary report={report} problems={problems} />
            <ReportDetails report={report} problems={problems} />
          </div>
        </div>
      </div>
    </>
  )
}

function Summary({ report, problems }: { report: ImportReport; problems: readonly Problem[] }) {
  const { t } = useI18n()
  const chip = (kind: 'ok' | 'fail' | 'warn' | 'plain', text: string, testid: string) => (
    <span className={`chip chip-${kind}`} data-testid={testid}>
      {text}
    </span>
  )
  return (
    <div className="chips" data-testid="import-summary">
      {report.complete ? chip('ok', t('import.complete'), 'chip-complete') : chip('fail', t('import.incomplete', { n: report.unsupported.length }), 'chip-complete')}
      {!problems.length ? chip('ok', t('import.valid'), 'chip-valid') : chip('fail', t('editor.problems', { n: problems.length }), 'chip-valid')}
      {report.warnings.length ? chip('warn', t('import.warningsCount', { n: report.warnings.length }), 'chip-warnings') : null}
      {report.ignored.length ? chip('plain', t('import.ignoredCount', { n: report.ignored.length }), 'chip-ignored') : null}
      {report.renamed.length ? chip('plain', t('import.renamedCount', { n: report.renamed.length }), 'chip-renamed') : null}
    </div>
  )
}

function Section({ title, hint, children, testid }: { title: string; hint?: string; children: ReactNode; testid: string }) {
  return (
    <div className="report-section" data-testid={testid}>
      <h3>{title}</h3>
      {hint ? <p className="hint">{hint}</p> : null}
      {children}
    </div>
  )
}

function ReportDetails({ report, problems }: { report: ImportReport; problems: readonly Problem[] }) {
  const { t } = useI18n()
  const nothing = !report.unsupported.length && !problems.length && !report.warnings.length && !report.ignored.length && !report.renamed.length
  if (nothing) return <p className="report-ok">{t('import.allGood')}</p>
  return (
    <>
      {report.unsupported.length ? (
        <Section title={t('import.unsupported')} hint={t('import.unsupportedHint')} testid="import-unsupported">
          <table className="table table-compact">
            <thead>
              <tr>
                <th>{t('import.colElement')}</th>
                <th>{t('import.colName')}</th>
                <th>{t('import.colKind')}</th>
              </tr>
            </thead>
            <tbody>
              {report.unsupported.map((u) => (
                <tr key={u.elementId} data-element={u.elementId}>
                  <td>
                    <code>{u.elementId}</code>
                    {u.nodeId !== u.elementId ? (
                      <div className="muted small">
                        {t('import.colNode')}: <code>{u.nodeId}</code>
                      </div>
                    ) : null}
                  </td>
                  <td>{u.name || <span className="muted">—</span>}</td>
                  <td>
                    {u.connectorId !== undefined ? <code>{u.connectorId ?? t('import.noConnector')}</code> : null}
                    <span className="muted small"> {u.element}</span>
                    {u.placeholder ? <span className="tag tag-warn">{t('import.placeholderTag')}</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      ) : null}
      {problems.length ? <ProblemList problems={problems} /> : null}
      {report.warnings.length ? (
        <Section title={t('import.warnings')} testid="import-warnings">
          <ul className="report-list">
            {report.warnings.map((w, i) => (
              <li key={i}>
                {w.elementId ? <code>{w.elementId}</code> : null} {w.message}
              </li>
            ))}
          </ul>
        </Section>
      ) : null}
      {report.renamed.length ? (
        <Section title={t('import.renamed')} testid="import-renamed">
          <ul className="report-list">
            {report.renamed.map((r) => (
              <li key={r.elementId}>
                <code>{r.elementId}</code> → <code>{r.nodeId}</code>
              </li>
            ))}
          </ul>
        </Section>
      ) : null}
      {report.ignored.length ? (
        <Section title={t('import.ignored')} testid="import-ignored">
          <ul className="report-list">
            {report.ignored.map((g, i) => (
              <li key={i}>
                {g.elementId ? <code>{g.elementId}</code> : null} <span className="muted">{g.element}</span>
              </li>
            ))}
          </ul>
        </Section>
      ) : null}
    </>
  )
}
