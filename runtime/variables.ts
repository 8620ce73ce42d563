/** The process scope: applying writes (dotted paths, copy-on-write) and measuring its size. */
import { PotokError } from './errors.ts'
import type { Variables, VariableWrite } from './types.ts'

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Sets `path` (`a.b.c`) on a copy of `vars`: objects along the path are copied, missing ones
 * created, their other keys kept. `vars` itself is never mutated (snapshots share it).
 * @example setPath({ a: { x: 1 } }, 'a.b', 2) // { a: { x: 1, b: 2 } }
 */
export function setPath(vars: Variables, path: string, value: unknown): Variables {
  const keys = path.split('.')
  const root: Variables = { ...vars }
  let target: Record<string, unknown> = root
  for (let i = 0; i < keys.length - 1; i++) {
    const key = keys[i]
    const current = Object.hasOwn(target, key) ? target[key] : undefined
    const next = isPlainObject(current) ? { ...current } : Array.isArray(current) ? ([...current] as unknown as Record<string, unknown>) : {}
    setOwn(target, key, next)
    target = next
  }
  const last = keys[keys.length - 1]
  if (value === undefined) delete target[last]
  else setOwn(target, last, value)
  return root
}

/** An own property, even for a name such as `__proto__` (plain assignment would set the prototype). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}

/** An object made by `{}`, JSON.parse or a structured clone (not an array, a Date, a typed array…). */
export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** Applies writes in order; returns the new scope and the top-level names they touched. */
export function applyWrites(vars: Variables, writes: readonly VariableWrite[]): { vars: Variables; touched: string[] } {
  let next = vars
  const touched: string[] = []
  for (const write of writes) {
    next = setPath(next, write.path, write.value)
    const root = write.path.split('.', 1)[0]
    if (!touched.includes(root)) touched.push(root)
  }
  return { vars: next, touched }
}

/** Bytes of a value as stored (its JSON length; binary values count their base64). */
export function sizeOf(value: unknown): number {
  if (value === undefined) return 0
  try {
    return JSON.stringify(value)?.length ?? 0
  } catch {
    return Infinity
  }
}

/**
 * Tracks the scope's size so a step costs only what it touched; throws `DATA_LIMIT` when the
 * whole scope grows past `limit` bytes. The input is measured once, whole; a step measures the
 * top-level variables it wrote, before and after.
 */
export class ScopeSize {
  private total: number

  constructor(
    private readonly limit: number,
    vars: Variables,
  ) {
    this.total = sizeOf(vars)
    this.check([])
  }

  /** Accounts for the writes that turned `before` into `after`. */
  update(before: Variables, after: Variables, touched: readonly string[]): void {
    for (const name of touched) this.total += sizeOf(after[name]) - sizeOf(before[name])
    this.check(touched)
  }

  private check(touched: readonly string[]) {
    if (this.total > this.limit) {
      const size = Number.isFinite(this.total) ? `take ${this.total} bytes` : 'cannot be measured (nested too deep to serialise)'
      throw new PotokError('DATA_LIMIT', `process variables ${size}, over the limit of ${this.limit} (MAX_PROCESS_DATA_BYTES)`, {
        details: { bytes: this.total, limit: this.limit, variables: touched },
      })
    }
  }
}
