/**
 * The scenarios: id, name, latest version, size, the external requests that run each. A `.bpmn`
 * file picked with "Import .bpmn" or dropped on the page opens the import page.
 */
import { setPendingFile } from '../bpmn.ts'
import { useI18n } from '../i18n.ts'
import { navigate } from '../router.ts'
import type { Page, ScenarioRecord, WebRequestRecord } from '../types.ts'
import { Empty, ErrorBox, Link, Spinner } from '../ui/bits.tsx'
import { formatTime } from '../ui/format.ts'
import { useApi } from '../ui/useApi.ts'
import { useFileDrop } from '../ui/useFileDrop.ts'
import { BpmnFileButton, DropOverlay } from './ScenarioImportPage.tsx'

function openImport(file: File): void {
  setPendingFile(file)
  navigate('/scenarios/import')
}

export function ScenariosPage() {
  const { t, lang } = useI18n()
  const list = useApi<Page<ScenarioRecord>>('/api/v1/scenarios')
  const webrequests = useApi<Page<WebRequestRecord>>('/api/v1/webrequests')
  const usedBy = new Map<string, WebRequestRecord[]>()
  for (const w of webrequests.data?.items ?? []) usedBy.set(w.scenarioId, [...(usedBy.get(w.scenarioId) ?? []), w])
  const items = [...(list.data?.items ?? [])].sort((a, b) => a.id.localeCompare(b.id))
  const dragging = useFileDrop(openImport)

  return (
    <section>
      <div className="page-head">
        <h1>{t('nav.scenarios')}</h1>
        <div className="head-actions">
          <BpmnFileButton onFile={openImport} label={t('scenarios.import')} title={t('scenarios.importHint')} />
          <Link to="/scenarios/new" className="btn btn-primary">
            {t('scenarios.new')}
          </Link>
        </div>
      </div>
      <DropOverlay visible={dragging} />
      <ErrorBox error={list.error} />
      {list.loading && !list.data ? <Spinner /> : null}
      {list.data && !items.length ? <Empty>{t('scenarios.none')}</Empty> : null}
      {items.length ? (
        <table className="table" data-testid="scenarios">
          <thead>
            <tr>
              <th>{t('scenarios.name')}</th>
              <th>{t('scenarios.version')}</th>
              <th>{t('scenarios.nodes')}</th>
              <th>{t('nav.webrequests')}</th>
              <th>{t('scenarios.saved')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {items.map((record) => (
              <tr key={record.id} data-scenario={record.id}>
                <td>
                  <Link to={`/scenarios/${encodeURIComponent(record.id)}`} className="strong">
                    {record.scenario.name || record.id}
                  </Link>
                  <div className="muted small">
                    <code>{record.id}</code>
                    {record.scenario.description ? ` — ${record.scenario.description}` : ''}
                  </div>
                </td>
                <td>v{record.version}</td>
                <td>{record.scenario.nodes.length}</td>
                <td>
                  {(usedBy.get(record.id) ?? []).map((w) => (
                    <span key={w.id} className={`tag${w.enabled ? '' : ' tag-off'}`}>
                      {w.urlId}
                    </span>
                  ))}
                </td>
                <td className="muted">{formatTime(record.createdAt, lang)}</td>
                <td className="actions">
                  <Link to={`/processes?scenarioId=${encodeURIComponent(record.id)}`} className="btn btn-small btn-ghost">
                    {t('nav.processes')}
                  </Link>
                  <Link to={`/scenarios/${encodeURIComponent(record.id)}/edit`} className="btn btn-small">
                    {t('action.edit')}
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  )
}
