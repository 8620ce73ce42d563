/**
 * The compact form of a recorded process (`recordProcess`, the hot path of every synchronous
 * request). Its final snapshot's variables are the record's output — the same object, as
 * `runProcess` ends — so they are stored once: the snapshot goes without them, marked, and gets
 * them back from the output when read. An ended machine's snapshot also carries its context again
 * as its `output`: that goes too, marked, and is the context again when read. Steps of a record
 * travel as one JSON array (one write).
 */
import type { StepRecord } from '../runtime/types.ts'

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
  const { vars: _vars, ...rest } = context
  const { output: ended, ...others } = snapshot as Snapshot
  if (ended === context) return { ...others, context: { ...rest, [MARK]: true, [OUTPUT_MARK]: true } }
  return { ...(snapshot as Snapshot), context: { ...rest, [MARK]: true } }
}

/** The snapshot as it was: `context.vars` put back from the output, and `output` from the context. */
export function fullSnapshot(snapshot: unknown, output: unknown): unknown {
  const context = (snapshot as Snapshot | null)?.context
  if (context?.[MARK] !== true) return snapshot
  const { [MARK]: _mark, [OUTPUT_MARK]: endedWithContext, ...rest } = context
  const full = { ...rest, vars: output ?? {} }
  // The key order of the machine's own snapshot: status, output, then the rest.
  if (endedWithContext === true) {
    const { status, ...others } = snapshot as Snapshot
    return { status, output: full, ...others, context: full }
  }
  return { ...(snapshot as Snapshot), context: full }
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
