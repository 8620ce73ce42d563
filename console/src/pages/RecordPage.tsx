/**
 * One record: a form with an input per field by its type (new record, or changes to one), the
 * record's files, and the processes its changes started (data-change events).
 */
import { useEffect, useState, type FormEvent } from 'react'
import { api, download, request, upload, withQuery } from '../api.ts'
import { useI18n } from '../i18n.ts'
import { navigate } from '../router.ts'
import type { Catalog, CatalogRecord, Page, ProcessRecord } from '../types.ts'
import { ErrorBox, Link, Spinner, StatusBadge } from '../ui/bits.tsx'
import { formatTime } from '../ui/format.ts'
import { ValueInput } from '../ui/recordFields.tsx'
import { useApi } from '../ui/useApi.ts'
import '../records.css'

export function RecordPage({ catalogId, recordId }: { catalogId: string; recordId?: string }) {
  const { t } = useI18n()
  const base = `/api/v1/catalogs/${encodeURIComponent(catalogId)}`
  const catalog = useApi<Catalog>(base)
  const record = useApi<CatalogRecord>(recordId ? `${base}/records/${encodeURIComponent(recordId)}` : null)
  const [values, setValues] = useState<Record<string, unknown>>({})
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const [saved, setSaved] = useState(false)
  useEffect(() => setValues(record.data?.values ?? {}), [record.data])

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    setSaved(false)
    try {
      if (recordId) {
        await request('PATCH', `${base}/records/${encodeURIComponent(recordId)}`, { values })
        await record.reload()
        setSaved(true)
      } else {
        const created = await api.post<CatalogRecord>(`${base}/records`, { values })
        navigate(`/catalogs/${encodeURIComponent(catalogId)}/records/${encodeURIComponent(created.id)}`)
      }
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  const remove = async () => {
    if (!recordId || !confirm(t('records.confirmDelete', { id: recordId }))) return
    try {
      await api.delete(`${base}/records/${encodeURIComponent(recordId)}`)
      navigate(`/catalogs/${encodeURIComponent(catalogId)}`)
    } catch (e) {
      setError(e)
    }
  }
  const uploadFile = async (file: File) => (await upload<{ id: string }>(withQuery('/api/v1/files', { name: file.name }), file, file.type || 'application/octet-stream')).id

  if (catalog.error || record.error) return <ErrorBox error={catalog.error ?? record.error} />
  if (!catalog.data || (recordId && !record.data)) return <Spinner />
  return (
    <section className="narrow">
      <div className="page-head">
        <h1>{recordId ? `${record.data?.title || t('records.record')} #${recordId}` : t('records.new')}</h1>
        <Link to={`/catalogs/${encodeURIComponent(catalogId)}`} className="btn btn-ghost">
          {catalog.data.name}
        </Link>
      </div>
      <form className="form" onSubmit={submit} noValidate data-testid="record-form">
        <ErrorBox error={error} />
        {saved ? (
          <div className="records-saved" data-testid="saved">
            {t('records.saved')}
          </div>
        ) : null}
        <fieldset>
          {catalog.data.fields.map((field) =>
            field.type === 'group' ? (
              <legend key={field.id}>{field.name}</legend>
            ) : (
              <div key={field.id} className={`field${(error as { details?: { fieldId?: string } })?.details?.fieldId === field.id ? ' has-problems' : ''}`}>
                <span>
                  {field.name}
                  {field.required ? ' *' : ''} <code className="muted small">{field.id}</code>
                </span>
                <ValueInput field={field} value={values[field.id]} onChange={(v) => setValues((all) => ({ ...all, [field.id]: v }))} upload={uploadFile} />
                {field.type === 'file'
                  ? ((values[field.id] as Array<{ id: string; title: string }> | undefined) ?? []).map((f) => (
                      <button key={f.id} type="button" className="btn btn-small btn-ghost" onClick={() => download(`/api/v1/files/${encodeURIComponent(f.id)}`, f.title)}>
                        {f.title}
                      </button>
                    ))
                  : null}
              </div>
            ),
          )}
        </fieldset>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid="save">
            {recordId ? t('action.save') : t('action.create')}
          </button>
          {recordId ? (
            <button type="button" className="btn btn-danger push-right" onClick={remove}>
              {t('action.delete')}
            </button>
          ) : null}
        </div>
      </form>
      {recordId ? <RecordProcesses catalogId={catalogId} recordId={recordId} /> : null}
    </section>
  )
}

function RecordProcesses({ catalogId, recordId }: { catalogId: string; recordId: string }) {
  const { t, lang } = useI18n()
  const list = useApi<Page<ProcessRecord>>(withQuery('/api/v1/processes', { triggerId: `${catalogId}/${recordId}`, limit: 20 }), { pollMs: 3000 })
  return (
    <section className="panel records-panel" data-testid="record-processes">
      <h2>{t('records.processes')}</h2>
      {!list.data?.items.length ? (
        <p className="muted">—</p>
      ) : (
        <ul className="bindings">
          {list.data.items.map((p) => (
            <li key={p.id}>
              <Link to={`/processes/${encodeURIComponent(p.id)}`}>
                <StatusBadge status={p.status} /> {p.scenario.id}
              </Link>
              <span className="muted small">
                {' '}
                {p.trigger.record?.event} · {formatTime(p.startedAt, lang)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
