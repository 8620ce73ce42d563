/** A folded line diff (see `diff.ts`): changed lines with their numbers, unchanged runs skipped. */
import type { Hunk } from '../diff.ts'
import { useI18n } from '../i18n.ts'

export function DiffBody({ hunks, testId }: { hunks: readonly Hunk[]; testId?: string }) {
  const { t } = useI18n()
  return (
    <pre className="diff-body" data-testid={testId}>
      {hunks.map((hunk, i) =>
        'skipped' in hunk ? (
          <div key={i} className="diff-skip">
            ⋯ {t('scenarios.diffSkipped', { n: hunk.skipped })}
          </div>
        ) : (
          hunk.lines.map((line, j) => (
            <div key={`${i}-${j}`} className={`diff-line diff-${line.op}`}>
              <span className="diff-no">{line.a ?? ''}</span>
              <span className="diff-no">{line.b ?? ''}</span>
              <span className="diff-op">{line.op === 'add' ? '+' : line.op === 'del' ? '−' : ' '}</span>
              <span className="diff-text">{line.text}</span>
            </div>
          ))
        ),
      )}
    </pre>
  )
}
