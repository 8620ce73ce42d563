/**
 * `/scenarios/new` and `/scenarios/{id}/edit` (loaded on demand, see `pages/ScenarioEditorPage.tsx`): loads what the visual editor needs — the saved
 * scenario (or `?from=N`, an older version to start from), the component registry — and any
 * draft this browser kept, then hands over to `editor/ScenarioEditor.tsx`.
 * `/scenarios/new?draft=1` starts from a document handed over by `openInEditor` (an import).
 */
import { useMemo, useState } from 'react'
import { useComponents } from './components.ts'
import { normalize, type EditorDocument } from './document.ts'
import { dropDraft } from './drafts.ts'
import { DraftBanner, loadDraft, ScenarioEditor } from './ScenarioEditor.tsx'
import { HANDED_OVER } from '../pages/ScenarioEditorPage.tsx'
import { useLocation } from '../router.ts'
import type { ScenarioRecord } from '../types.ts'
import { ErrorBox, Spinner } from '../ui/bits.tsx'
import { useApi } from '../ui/useApi.ts'
import { documentOf, pretty } from '../pages/ScenarioPage.tsx'

/** A new scenario starts with an empty canvas: the designer adds everything from the palette. */
const EMPTY: EditorDocument = { id: '', name: '', nodes: [], edges: [] }

function handedOver(): EditorDocument | null {
  try {
    return normalize(JSON.parse(sessionStorage.getItem(HANDED_OVER) ?? 'null'))
  } catch {
    return null
  }
}

export default function EditorPage({ id }: { id?: string }) {
  const { query } = useLocation()
  const from = query.get('from')
  const source = useApi<ScenarioRecord>(id ? `/api/v1/scenarios/${encodeURIComponent(id)}${from ? `?version=${encodeURIComponent(from)}` : ''}` : null)
  const { components, error } = useComponents()
  const fromImport = !id && query.has('draft')
  const saved = useMemo(() => (id ? (source.data ? normalize(documentOf(source.data)) : null) : (fromImport && handedOver()) || EMPTY), [id, source.data, fromImport])
  const [draft, setDraft] = useState(() => loadDraft(id))
  const [start, setStart] = useState<EditorDocument | null>(null)

  if (id && source.error) return <ErrorBox error={source.error} />
  if (error) return <ErrorBox error={error} />
  if (!saved || !components) return <Spinner />
  // A draft from an earlier visit that differs from what is saved: restore it, or drop it.
  if (draft && !start && pretty(draft.doc) !== pretty(saved) && !fromImport) {
    return (
      <>
        <DraftBanner
          savedAt={draft.savedAt}
          onRestore={() => setStart(draft.doc)}
          onDiscard={() => {
            dropDraft(id)
            setDraft(null)
          }}
        />
        <ScenarioEditor key="saved" id={id} initial={saved} saved={saved} baseVersion={source.data?.version} components={components} />
      </>
    )
  }
  const initial = start ?? saved
  return <ScenarioEditor key={start ? 'draft' : 'saved'} id={id} initial={initial} saved={saved} baseVersion={source.data?.version} components={components} />
}
