/**
 * Record values by field type (docs/catalogs.md): how a table cell shows one, the form input
 * that edits one (giving the value in the shape the API takes), and the filter input of the
 * records table (giving Bpium's filter value for that type).
 */
import type { ReactNode } from 'react'
import type { Lang } from '../i18n.ts'
import type { CatalogField } from '../types.ts'
import { formatTime, isoToLocalInput, localInputToIso } from './format.ts'

type Item = { id: string; name: string }
const itemsOf = (field: CatalogField): Item[] => (Array.isArray(field.config?.items) ? (field.config.items as Item[]) : [])
const list = (value: unknown): any[] => (Array.isArray(value) ? value : [])

/** A value as text for a table cell. */
export function formatValue(field: CatalogField, value: unknown, lang: Lang): string {
  if (value === null || value === undefined || (Array.isArray(value) && !value.length)) return '—'
  switch (field.type) {
    case 'date':
      return formatTime(String(value), lang)
    case 'dropdown':
    case 'radiobutton':
    case 'checkboxes': {
      const names = new Map(itemsOf(field).map((item) => [item.id, item.name]))
      return list(value)
        .map((id) => names.get(id) ?? id)
        .join(', ')
    }
    case 'switch':
      return value ? '✓' : '—'
    case 'contact':
      return list(value)
        .map((c) => c.contact)
        .join(', ')
    case 'user':
      return list(value)
        .map((u) => u.title ?? u.id)
        .join(', ')
    case 'object':
      return list(value)
        .map((l) => l.recordTitle || `${l.catalogId}/${l.recordId}`)
        .join(', ')
    case 'file':
      return list(value)
        .map((f) => f.title)
        .join(', ')
    case 'progress':
      return `${value}%`
    case 'stars':
      return '★'.repeat(Number(value)) || '0'
    default:
      return String(value)
  }
}

/** The form input of one field; `onChange` gets the value as the API takes it. */
export function ValueInput({ field, value, onChange, upload }: { field: CatalogField; value: unknown; onChange: (value: unknown) => void; upload: (file: File) => Promise<string> }): ReactNode {
  const name = `field-${field.id}`
  switch (field.type) {
    case 'number':
    case 'progress':
    case 'stars':
      return <input name={name} type="number" value={value === null || value === undefined ? '' : String(value)} onChange={(e) => onChange(e.target.value === '' ? null : Number(e.target.value))} />
    case 'date':
      return <input name={name} type="datetime-local" value={isoToLocalInput(value as string)} onChange={(e) => onChange(localInputToIso(e.target.value) ?? null)} />
    case 'switch':
      return <input name={name} type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} />
    case 'dropdown':
    case 'radiobutton':
      return (
        <select name={name} value={list(value)[0] ?? ''} onChange={(e) => onChange(e.target.value ? [e.target.value] : [])}>
          <option value="">—</option>
          {itemsOf(field).map((item) => (
            <option key={item.id} value={item.id}>
              {item.name}
            </option>
          ))}
        </select>
      )
    case 'checkboxes': {
      const chosen = new Set(list(value))
      return (
        <div className="checks" data-name={name}>
          {itemsOf(field).map((item) => (
            <label key={item.id} className="check">
              <input
                type="checkbox"
                checked={chosen.has(item.id)}
                onChange={(e) =>
                  onChange(
                    itemsOf(field)
                      .map((i) => i.id)
                      .filter((id) => (id === item.id ? e.target.checked : chosen.has(id))),
                  )
                }
              />{' '}
              {item.name}
            </label>
          ))}
        </div>
      )
    }
    case 'contact':
      return (
        <input
          name={name}
          value={list(value)
            .map((c) => c.contact)
            .join(', ')}
          onChange={(e) => onChange(splitList(e.target.value).map((contact) => ({ contact, comment: '' })))}
        />
      )
    case 'user':
      return (
        <input
          name={name}
          className="mono"
          value={list(value)
            .map((u) => u.id)
            .join(', ')}
          onChange={(e) => onChange(splitList(e.target.value).map((id) => ({ id })))}
        />
      )
    case 'object':
      return (
        <input
          name={name}
          className="mono"
          placeholder="catalogId/recordId, …"
          value={list(value)
            .map((l) => `${l.catalogId}/${l.recordId}`)
            .join(', ')}
          onChange={(e) =>
            onChange(
              splitList(e.target.value).map((ref) => {
                const [catalogId, recordId] = ref.split('/')
                return { catalogId, recordId }
              }),
            )
          }
        />
      )
    case 'file':
      return (
        <div className="file-input">
          <span>
            {list(value)
              .map((f) => f.title)
              .join(', ') || '—'}
          </span>
          <input
            name={name}
            type="file"
            onChange={async (e) => {
              const file = e.target.files?.[0]
              if (file) onChange([{ id: await upload(file) }])
            }}
          />
        </div>
      )
    case 'group':
      return null
    default:
      return <input name={name} value={typeof value === 'string' ? value : ''} onChange={(e) => onChange(e.target.value)} />
  }
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}

/** The filter input of one field; `onChange` gets Bpium's filter value (undefined: no filter). */
export function FilterInput({ field, value, onChange }: { field: CatalogField; value: any; onChange: (value: unknown) => void }): ReactNode {
  const name = `filter-${field.id}`
  switch (field.type) {
    case 'number':
    case 'progress':
    case 'date': {
      const type = field.type === 'date' ? 'date' : 'number'
      const range = (key: 'at' | 'to', text: string) => {
        const next = { ...(value ?? {}), [key]: text === '' ? undefined : type === 'number' ? Number(text) : text }
        onChange(next.at === undefined && next.to === undefined ? undefined : next)
      }
      return (
        <span className="range">
          <input name={`${name}-at`} type={type} value={value?.at ?? ''} onChange={(e) => range('at', e.target.value)} placeholder="≥" />
          <input name={`${name}-to`} type={type} value={value?.to ?? ''} onChange={(e) => range('to', e.target.value)} placeholder="≤" />
        </span>
      )
    }
    case 'dropdown':
    case 'radiobutton':
    case 'checkboxes':
      return (
        <select name={name} value={value?.[0] ?? ''} onChange={(e) => onChange(e.target.value ? [e.target.value] : undefined)}>
          <option value="">—</option>
          {itemsOf(field).map((item) => (
            <option key={item.id} value={item.id}>
              {item.name}
            </option>
          ))}
        </select>
      )
    case 'switch':
    case 'file':
      return (
        <select name={name} value={value === undefined ? '' : String(value)} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value === 'true')}>
          <option value="">—</option>
          <option value="true">✓</option>
          <option value="false">✗</option>
        </select>
      )
    case 'text':
    case 'contact':
      return <input name={name} value={value ?? ''} onChange={(e) => onChange(e.target.value || undefined)} />
    default:
      return null
  }
}
