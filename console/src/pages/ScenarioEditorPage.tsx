/**
 * The scenario editor's route. The editor (canvas tools, forms, CodeMirror) is loaded only when
 * a scenario is edited: it is a separate script (`editor/EditorPage.tsx`), so the pages that
 * only read — external requests, processes — do not download it.
 */
import { lazy, Suspense } from 'react'
import { navigate } from '../router.ts'
import { Spinner } from '../ui/bits.tsx'

const EditorPage = lazy(() => import('../editor/EditorPage.tsx'))

/** Where `openInEditor` hands a document to the editor (this tab only, so a reload keeps it). */
export const HANDED_OVER = 'potok.draft'

/** Opens the editor of a new scenario on `document` (an import to fix before creating it). */
export function openInEditor(document: unknown): void {
  sessionStorage.setItem(HANDED_OVER, JSON.stringify(document, null, 2))
  navigate('/scenarios/new?draft=1')
}

export function ScenarioEditorPage({ id }: { id?: string }) {
  return (
    <Suspense fallback={<Spinner />}>
      <EditorPage id={id} />
    </Suspense>
  )
}
