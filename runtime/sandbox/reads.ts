/**
 * What expressions read of the variables, and the copy of only that part which crosses into
 * the sandbox. Copying is the cost that grows with the data (QuickJS parses JSON slowly:
 * ~7 ms for 100 KB), so a step that reads `body.name` of a 100 KB body sends `{ body: { name } }`.
 */
import type { Variables } from '../types.ts'
import { isPlainRecord } from '../variables.ts'

/** `true`: the value at this path is read whole; a map: only these keys are read. */
export type ReadNode = true | ReadTree
export type ReadTree = Map<string, ReadNode>

/** Records that `path` below variable `name` is read (an empty path: the variable whole). */
export function addRead(tree: ReadTree, name: string, path: readonly string[]): void {
  let level = tree
  let key = name
  for (const next of path) {
    const node = level.get(key)
    if (node === true) return
    let child = node
    if (child === undefined) {
      child = new Map()
      level.set(key, child)
    }
    level = child
    key = next
  }
  level.set(key, true)
}

/** Merges `from` into `into` (whole wins over parts). */
export function mergeReads(into: ReadTree, from: ReadTree): void {
  for (const [key, node] of from) {
    const existing = into.get(key)
    if (existing === true) continue
    if (node === true) {
      into.set(key, true)
    } else if (existing === undefined) {
      into.set(key, node)
    } else {
      const merged: ReadTree = new Map(existing)
      mergeReads(merged, node)
      into.set(key, merged)
    }
  }
}

/**
 * The part of `vars` the reads need: missing variables stay missing (reading them throws in
 * the sandbox); plain objects are narrowed to the keys read; arrays and primitives go whole.
 */
export function pickReads(vars: Readonly<Variables>, reads: ReadTree): Variables {
  // Null prototypes: a variable or key named `__proto__` stays an ordinary key.
  const picked: Variables = Object.create(null)
  for (const [name, node] of reads) {
    if (!Object.hasOwn(vars, name)) continue
    picked[name] = pickValue(vars[name], node)
  }
  return picked
}

function pickValue(value: unknown, node: ReadNode): unknown {
  if (node === true || !isPlainRecord(value)) return value
  const picked: Record<string, unknown> = Object.create(null)
  for (const [key, child] of node) {
    if (Object.hasOwn(value, key)) picked[key] = pickValue(value[key], child)
  }
  return picked
}
