/**
 * Process list paging shared by both adapters: newest first (`startedAt` desc, then `id` desc so
 * equal timestamps still have one order), and an opaque cursor naming the last item of a page.
 * The next page is everything strictly after that item in this order, so pages never overlap
 * and rows inserted meanwhile never shift them.
 *
 * @example
 * const cursor = encodeCursor({ startedAt: last.startedAt, id: last.id })
 * decodeCursor(cursor) // → { startedAt, id }
 */
import { PotokError } from '../runtime/errors.ts'

export interface ProcessCursor {
  startedAt: string
  id: string
}

export const DEFAULT_PAGE_LIMIT = 50
export const MAX_PAGE_LIMIT = 1000

export function encodeCursor(position: ProcessCursor): string {
  return Buffer.from(JSON.stringify([position.startedAt, position.id]), 'utf8').toString('base64url')
}

/** Throws `INVALID_CURSOR` (400) for anything `encodeCursor` did not make. */
export function decodeCursor(cursor: string): ProcessCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') {
      return { startedAt: value[0], id: value[1] }
    }
  } catch {
    // fall through
  }
  throw new PotokError('INVALID_CURSOR', 'The cursor is not one this server issued')
}

/** A page size within 1..MAX_PAGE_LIMIT. */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_PAGE_LIMIT
  return Math.min(MAX_PAGE_LIMIT, Math.max(1, Math.floor(limit)))
}

/**
 * Builds a page from `limit + 1` rows read in list order: the extra row only tells that
 * another page exists.
 */
export function toPage<T extends { startedAt: string; id: string }>(rows: T[], limit: number): { items: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { items: rows, nextCursor: null }
  const items = rows.slice(0, limit)
  const last = items[items.length - 1]
  return { items, nextCursor: encodeCursor({ startedAt: last.startedAt, id: last.id }) }
}
