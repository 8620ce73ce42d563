/** Where a process came from when a record change started it: a link to that record. */
import type { ProcessRecord } from '../types.ts'
import { Link } from '../ui/bits.tsx'

export function RecordLink({ trigger }: { trigger: ProcessRecord['trigger'] | undefined }) {
  const record = trigger?.type === '$dataChange' ? trigger.record : undefined
  if (!record) return null
  const label = `${record.event} · ${record.catalogId}${record.recordId ? `/${record.recordId}` : ''}`
  return record.recordId ? (
    <Link to={`/catalogs/${encodeURIComponent(record.catalogId)}/records/${encodeURIComponent(record.recordId)}`}>{label}</Link>
  ) : (
    <Link to={`/catalogs/${encodeURIComponent(record.catalogId)}`}>{label}</Link>
  )
}
