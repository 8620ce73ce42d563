/**
 * Values nested deeper than potok keeps. JSON values in variables may nest as deep as a
 * scenario builds them, but what is stored must read back (JSON parsers and V8's structured
 * clone recurse: a few thousand levels overflow their stack), so stored records and messages
 * between threads cut anything deeper than `MAX_STORED_DEPTH` to a note.
 *
 * @example
 * cutDeepValues({ a: { b: 1 } }, 1) // { a: '[nested deeper than 1 levels: not stored]' }
 */

export const MAX_STORED_DEPTH = 256

/** What stands in for a value nested deeper than `maxDepth`. */
export function tooDeepNote(maxDepth = MAX_STORED_DEPTH): string {
  return `[nested deeper than ${maxDepth} levels: not stored]`
}

/**
 * `value` with every object or array deeper than `maxDepth` replaced by a note; the same value when
 * nothing is that deep. An object met twice (a result's output is its snapshot's variables) is
 * walked once and stays one object.
 */
export function cutDeepValues<T>(value: T, maxDepth = MAX_STORED_DEPTH): T {
  if (typeof value !== 'object' || value === null) return value
  return cut(value, maxDepth, 0, notes[maxDepth] ?? tooDeepNote(maxDepth), new Map()) as T
}

/** The notes of the depths potok cuts at (made once). */
const notes: Record<number, string> = { [MAX_STORED_DEPTH]: tooDeepNote(MAX_STORED_DEPTH), [MAX_STORED_DEPTH + 8]: tooDeepNote(MAX_STORED_DEPTH + 8) }

function cut(value: unknown, maxDepth: number, depth: number, note: string, seen: Map<object, unknown>): unknown {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value
  if (depth >= maxDepth) return note
  const known = seen.get(value)
  if (known !== undefined) return known
  const result = cutObject(value, maxDepth, depth, note, seen)
  seen.set(value, result)
  return result
}

function cutObject(value: object, maxDepth: number, depth: number, note: string, seen: Map<object, unknown>): unknown {
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null
    for (let i = 0; i < value.length; i++) {
      const next = cut(value[i], maxDepth, depth + 1, note, seen)
      if (next !== value[i]) (copy ??= value.slice())[i] = next
    }
    return copy ?? value
  }
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return value
  let copy: Record<string, unknown> | null = null
  // for…in, not Object.keys: no array per object; own keys only.
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue
    const current = (value as Record<string, unknown>)[key]
    const next = cut(current, maxDepth, depth + 1, note, seen)
    if (next !== current) {
      copy ??= { ...(value as Record<string, unknown>) }
      // defineProperty: a key such as `__proto__` stays an ordinary property of the copy.
      Object.defineProperty(copy, key, { value: next, enumerable: true, writable: true, configurable: true })
    }
  }
  return copy ?? value
}
