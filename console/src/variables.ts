/**
 * The variables after each step: the process input, then each step's `writes` applied in step
 * order, the way the runtime applies them (`runtime/variables.ts`, shared so the two never differ).
 */
import { applyWrites } from '../../runtime/variables.ts'
import type { StepRecord, Variables } from './types.ts'

/** `after[k]` = the variables once the k-th step (in index order) finished. */
export function variablesAfterSteps(input: Variables, steps: readonly StepRecord[]): Variables[] {
  const ordered = [...steps].sort((a, b) => a.index - b.index)
  const after: Variables[] = []
  let vars = input
  for (const step of ordered) {
    if (step.writes?.length) vars = applyWrites(vars, step.writes).vars
    after.push(vars)
  }
  return after
}

/** Top-level names a step wrote (shown highlighted). */
export function writtenNames(step: StepRecord): string[] {
  return [...new Set((step.writes ?? []).map((write) => write.path.split('.', 1)[0]))]
}

/** The variables after the k-th step (in index order) only: what the process page shows. */
export function variablesAfterStep(input: Variables, steps: readonly StepRecord[], k: number): Variables {
  const ordered = [...steps].sort((a, b) => a.index - b.index)
  let vars = input
  for (let i = 0; i <= k && i < ordered.length; i++) {
    const writes = ordered[i].writes
    if (writes?.length) vars = applyWrites(vars, writes).vars
  }
  return vars
}
