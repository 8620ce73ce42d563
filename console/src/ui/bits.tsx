/** Small shared pieces: status badges, links, copy buttons, error boxes, JSON blocks. */
import { useState, type MouseEvent, type ReactNode } from 'react'
import { ApiError } from '../api.ts'
import { useI18n } from '../i18n.ts'
import type { MessageKey } from '../messages.ts'
import { navigate } from '../router.ts'
import type { ProcessStatus } from '../types.ts'

export function Link({ to, children, className, title }: { to: string; children: ReactNode; className?: string; title?: string }) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
    event.preventDefault()
    navigate(to)
  }
  return (
    <a href={to} onClick={onClick} className={className} title={title}>
      {children}
    </a>
  )
}

export function StatusBadge({ status }: { status: ProcessStatus | string | null | undefined }) {
  const { t } = useI18n()
  if (!status) return <span className="muted">—</span>
  return (
    <span className={`status status-${status}`} data-status={status}>
      {t(`status.${status}` as MessageKey)}
    </span>
  )
}

export function CopyButton({ text, label }: { text: string; label?: string }) {
  const { t } = useI18n()
  const [copied, setCopied] = useState(false)
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text)
    } catch {
      // Clipboard API needs a secure context; fall back to a hidden textarea.
      const area = document.createElement('textarea')
      area.value = text
      document.body.append(area)
      area.select()
      document.execCommand('copy')
      area.remove()
    }
    setCopied(true)
    setTimeout(() => setCopied(false), 1200)
  }
  return (
    <button type="button" className="btn btn-small btn-ghost" onClick={copy} title={t('action.copy')} data-testid="copy">
      {copied ? t('action.copied') : (label ?? t('action.copy'))}
    </button>
  )
}

/** An API error: its message, code and — for a 422 — every problem by path. */
export function ErrorBox({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null
  const e = error instanceof ApiError ? error : null
  return (
    <div className="error-box" role="alert">
      <strong>{title ?? (e ? e.code : 'Error')}</strong> {e?.message ?? String((error as Error)?.message ?? error)}
      {e?.problems.length ? (
        <ul className="problems">
          {e.problems.map((p, i) => (
            <li key={i}>
              <code>{p.path}</code> {p.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  )
}

/** Pretty JSON with keys, strings and numbers coloured; `highlight` keys (top level) marked. */
export function Json({ value, highlight, className }: { value: unknown; highlight?: readonly string[]; className?: string }) {
  const text = value === undefined ? '—' : JSON.stringify(value, null, 2)
  const marked = new Set(highlight ?? [])
  const lines = text.split('\n')
  return (
    <pre className={`json ${className ?? ''}`}>
      {lines.map((line, i) => {
        const top = /^ {2}"((?:[^"\\]|\\.)*)":/.exec(line)
        const hot = top && marked.has(JSON.parse(`"${top[1]}"`))
        return (
          <div key={i} className={hot ? 'json-line is-written' : 'json-line'}>
            {colour(line)}
          </div>
        )
      })}
    </pre>
  )
}

function colour(line: string): ReactNode[] {
  const parts: ReactNode[] = []
  const token = /("(?:[^"\\]|\\.)*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g
  let last = 0
  let match: RegExpExecArray | null
  let k = 0
  while ((match = token.exec(line))) {
    if (match.index > last) parts.push(line.slice(last, match.index))
    if (match[1]) {
      parts.push(
        <span key={k++} className={match[2] ? 'j-key' : 'j-str'}>
          {match[1]}
        </span>,
      )
      if (match[2]) parts.push(match[2])
    } else if (match[3])
      parts.push(
        <span key={k++} className="j-lit">
          {match[3]}
        </span>,
      )
    else
      parts.push(
        <span key={k++} className="j-num">
          {match[4]}
        </span>,
      )
    last = token.lastIndex
  }
  if (last < line.length) parts.push(line.slice(last))
  return parts
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>
}

export function Spinner() {
  const { t } = useI18n()
  return <div className="loading">{t('common.loading')}</div>
}
