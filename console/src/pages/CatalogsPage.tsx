/** Catalogs (docs/catalogs.md): each with its fields and the scenarios bound to its data-change events. */
import { useI18n } from '../i18n.ts'
import type { Catalog, Page } from '../types.ts'
import { Empty, ErrorBox, Link, Spinner } from '../ui/bits.tsx'
import { useApi } from '../ui/useApi.ts'

export function CatalogsPage() {
  const { t } = useI18n()
  const list = useApi<Page<Catalog>>('/api/v1/catalogs')
  return (
    <section>
      <div className="page-head">
        <h1>{t('nav.catalogs')}</h1>
      </div>
      <ErrorBox error={list.error} />
      {list.loading && !list.data ? <Spinner /> : null}
      {list.data && !list.data.items.length ? <Empty>{t('catalogs.none')}</Empty> : null}
      {list.data?.items.length ? (
        <table className="table" data-testid="catalogs">
          <thead>
            <tr>
              <th>{t('catalogs.name')}</th>
              <th>id</th>
              <th>{t('catalogs.fields')}</th>
              <th>{t('catalogs.events')}</th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((catalog) => (
              <tr key={catalog.id} data-catalog={catalog.id}>
                <td>
                  <Link to={`/catalogs/${encodeURIComponent(catalog.id)}`}>{catalog.name}</Link>
                </td>
                <td>
                  <code>{catalog.id}</code>
                </td>
                <td className="muted small">
                  {catalog.fields
                    .filter((f) => f.type !== 'group')
                    .map((f) => f.name)
                    .join(', ')}
                </td>
                <td className="muted small">{(catalog.events ?? []).map((e) => `${e.phase} ${e.on} → ${e.scenarioId}`).join('; ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  )
}
