/**
 * The compact form of a recorded process (`recordProcess`, the hot path of every synchronous
 * request). Its final snapshot's variables are the record's output — the same object, as
 * `runProcess` ends — so they are stored once: the snapshot goes without them, marked, and gets
 * them back from the output when read. An ended machine's snapshot also carries its context again
 * as its `output`: that goes too, marked, and is the context again when read. Steps of a record
 * travel as one JSON array (one write).
 *
 * The output is the input's variables with the scenario's writes. `outputChanges` keeps only the
 * variables the process set or changed; `outputFrom` puts the rest back from the input, in the
 * same order. A greet-sized row is then small enough for two to share a 4 KB SQLite page.
 */
import type { StepRecord } from '../runtime/types.ts'
import { isPlainRecord, setOwn } from '../runtime/variables.ts'

const MARK = 'varsAreOutput'
/** The snapshot's `output` was its context (an ended machine's output is its context). */
const OUTPUT_MARK = 'outputIsContext'

type Snapshot = { context?: Record<string, unknown>; output?: unknown } & Record<string, unknown>

/**
 * The snapshot to store: without `context.vars` when they are (by identity) the output, and
 * without the ended machine's `output` when it is (by identity) the context.
 */
export function compactSnapshot(snapshot: unknown, output: unknown): unknown {
  const context = (snapshot as Snapshot | null)?.context
  if (!context || output === null || output === undefined || context.vars !== output) return snapshot
  const ended = (snapshot as Snapshot).output === context
  const compact = copyExcept(context, 'vars')
  compact[MARK] = true
  if (ended) compact[OUTPUT_MARK] = true
  const copy = copyExcept(snapshot as Snapshot, ended ? 'output' : undefined)
  copy.context = compact
  return copy
}

/** The snapshot as it was: `context.vars` put back from the output, and `output` from the context. */
export function fullSnapshot(snapshot: unknown, output: unknown): unknown {
  const context = (snapshot as Snapshot | null)?.context
  if (context?.[MARK] !== true) return snapshot
  const endedWithContext = context[OUTPUT_MARK] === true
  const full = copyExcept(context, MARK, OUTPUT_MARK)
  full.vars = output ?? {}
  // The key order of the machine's own snapshot: status, output, then the rest.
  const whole: Record<string, unknown> = endedWithContext ? { status: (snapshot as Snapshot).status, output: full } : {}
  for (const key in snapshot as Snapshot) if (Object.hasOwn(snapshot as Snapshot, key) && !Object.hasOwn(whole, key)) whole[key] = key === 'context' ? full : (snapshot as Snapshot)[key]
  return whole
}

/**
 * A shallow copy of `value` without the keys named (a loop, not `{ a, ...rest } = value`: rest
 * with excluded keys takes V8's slow path, about 1 µs a snapshot on the hot path).
 */
function copyExcept(value: Record<string, unknown>, skip?: string, skipToo?: string): Record<string, unknown> {
  const copy: Record<string, unknown> = {}
  for (const key in value) if (Object.hasOwn(value, key) && key !== skip && key !== skipToo) setOwn(copy, key, value[key])
  return copy
}

/**
 * Marks a stored output (JSON text) that holds only what the process changed (`outputChanges`);
 * the rest is its input. JSON text never starts with it.
 */
export const OUTPUT_CHANGES_MARK = '~'

/** Deeper than this, values are not compared: they are stored (the store cuts at 256 levels anyway). */
const COMPARE_DEPTH = 64

/**
 * The output's variables that differ from the input's, or null when the output is not the input
 * with variables added or changed: it must keep every input variable, in the input's order (no
 * variable removed), and at least one of them unchanged. Unchanged means the same JSON text:
 * the same values, keys in the same order.
 */
export function outputChanges(input: unknown, output: unknown): Record<string, unknown> | null {
  if (!isPlainRecord(input) || !isPlainRecord(output)) return null
  const inputKeys = Object.keys(input)
  const outputKeys = Object.keys(output)
  if (outputKeys.length < inputKeys.length) return null
  const changes: Record<string, unknown> = {}
  let same = 0
  for (let i = 0; i < outputKeys.length; i++) {
    const key = outputKeys[i]!
    if (i < inputKeys.length) {
      if (inputKeys[i] !== key) return null
      if (sameJson(input[key], output[key], 0)) {
        same++
        continue
      }
    }
    setOwn(changes, key, output[key])
  }
  return same === 0 ? null : changes
}

/** The output again from its input and what `outputChanges` kept, keys in their order. */
export function outputFrom(input: unknown, changes: Record<string, unknown>): Record<string, unknown> {
  const output: Record<string, unknown> = {}
  const base = isPlainRecord(input) ? input : {}
  for (const key of Object.keys(base)) setOwn(output, key, Object.hasOwn(changes, key) ? changes[key] : base[key])
  for (const key of Object.keys(changes)) if (!Object.hasOwn(base, key)) setOwn(output, key, changes[key])
  return output
}

/** The same JSON text: primitives equal, arrays and plain objects alike member by member, keys in the same order. */
function sameJson(a: unknown, b: unknown, depth: number): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || depth >= COMPARE_DEPTH) return false
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i], depth + 1)) return false
    return true
  }
  if (!isPlainRecord(a) || !isPlainRecord(b)) return false
  const keys = Object.keys(a)
  const others = Object.keys(b)
  if (keys.length !== others.length) return false
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!
    if (others[i] !== key || !sameJson(a[key], b[key], depth + 1)) return false
  }
  return true
}

/**
 * Step rows as stored, in order: a record's steps are one array (written whole), a durable run's
 * one row each; a step run again after a resume replaces the one with its index.
 */
export function stepsFromRows(docs: readonly string[]): StepRecord[] {
  const byIndex = new Map<number, StepRecord>()
  for (const doc of docs) {
    const parsed = JSON.parse(doc) as StepRecord | StepRecord[]
    for (const step of Array.isArray(parsed) ? parsed : [parsed]) byIndex.set(step.index, step)
  }
  return [...byIndex.values()].sort((a, b) => a.index - b.index)
}
