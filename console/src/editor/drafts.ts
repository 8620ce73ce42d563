/**
 * Drafts and sample requests kept in this browser (localStorage), per scenario: an editor with
 * unsaved changes writes its document here as it goes, so a closed tab or a crash loses
 * nothing; the next visit offers to restore it. The sample request of the test run is kept the
 * same way. New, never-saved scenarios use the key `new`.
 */
import type { EditorDocument } from './document.ts'

export interface Draft {
  doc: EditorDocument
  /** The version the draft was based on (none for a new scenario). */
  baseVersion?: number
  savedAt: string
}

export interface SampleRequest {
  method: string
  query: string
  /** `Name: value`, one a line. */
  headers: string
  body: string
}

const draftKey = (id: string | undefined) => `potok.draft.${id ?? 'new'}`
const sampleKey = (id: string) => `potok.sample.${id || 'new'}`

function read<T>(key: string): T | null {
  try {
    const text = localStorage.getItem(key)
    return text ? (JSON.parse(text) as T) : null
  } catch {
    return null
  }
}

export function loadDraft(id: string | undefined): Draft | null {
  const draft = read<Draft>(draftKey(id))
  return draft && typeof draft === 'object' && draft.doc && Array.isArray(draft.doc.nodes) ? draft : null
}

export function saveDraft(id: string | undefined, draft: Draft): void {
  try {
    localStorage.setItem(draftKey(id), JSON.stringify(draft))
  } catch {
    // A full storage only loses the safety net, not the editor's state.
  }
}

export function dropDraft(id: string | undefined): void {
  localStorage.removeItem(draftKey(id))
}

export const DEFAULT_SAMPLE: SampleRequest = { method: 'POST', query: '', headers: 'Content-Type: application/json', body: '{}' }

export function loadSample(id: string): SampleRequest {
  return { ...DEFAULT_SAMPLE, ...read<SampleRequest>(sampleKey(id)) }
}

export function saveSample(id: string, sample: SampleRequest): void {
  try {
    localStorage.setItem(sampleKey(id), JSON.stringify(sample))
  } catch {
    // As above.
  }
}

/** `Name: value` lines as a header object (lines without a colon are left out). */
export function parseHeaderLines(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const at = line.indexOf(':')
    if (at <= 0) continue
    const name = line.slice(0, at).trim()
    if (name) out[name] = line.slice(at + 1).trim()
  }
  return out
}

/** A ready `curl` command for a sample request to `url`. */
export function curlLine(url: string, sample: SampleRequest): string {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`
  const query = sample.query.replace(/^\?/, '')
  const parts = ['curl -i', '-X', sample.method, quote(query ? `${url}?${query}` : url)]
  for (const [name, value] of Object.entries(parseHeaderLines(sample.headers))) parts.push('-H', quote(`${name}: ${value}`))
  if (sample.body && sample.method !== 'GET' && sample.method !== 'HEAD') parts.push('--data-raw', quote(sample.body))
  return parts.join(' ')
}
