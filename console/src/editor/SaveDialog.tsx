/** Saving a new version: the changes against the version the editor started from, then confirm. */
import { useEffect, useMemo, useRef } from 'react'
import { diffLines, foldDiff } from '../diff.ts'
import { useI18n } from '../i18n.ts'
import { DiffBody } from '../ui/DiffBody.tsx'
import { pretty } from './document.ts'

export function SaveDialog({ before, after, version, onConfirm, onClose, busy }: { before: unknown; after: unknown; version?: number; onConfirm: () => void; onClose: () => void; busy: boolean }) {
  const { t } = useI18n()
  const dialog = useRef<HTMLDialogElement>(null)
  const hunks = useMemo(() => foldDiff(diffLines(pretty(before), pretty(after))), [before, after])
  useEffect(() => {
    dialog.current?.showModal()
  }, [])
  return (
    <dialog ref={dialog} className="dialog save-dialog" aria-labelledby="save-dialog-title" onClose={onClose} data-testid="save-dialog">
      <h2 id="save-dialog-title">{t('editor.saveTitle', { version: version ?? '?' })}</h2>
      {hunks.every((h) => 'skipped' in h) ? <div className="empty small">{t('scenarios.diffNone')}</div> : null}
      <DiffBody hunks={hunks} testId="save-diff" />
      <div className="dialog-actions">
        <button type="button" className="btn btn-ghost" onClick={() => dialog.current?.close()}>
          {t('action.cancel')}
        </button>
        <button type="button" className="btn btn-primary" onClick={onConfirm} disabled={busy} data-testid="save-confirm">
          {t('editor.saveVersion')}
        </button>
      </div>
    </dialog>
  )
}
