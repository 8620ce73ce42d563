/**
 * The supervisor's judgement: given what a worker's watch slots say and the deadlines of the
 * processes it holds, is something overrunning, who is to blame, and with which error? The pool
 * asks every `SUPERVISOR_TICK_MS` and acts on the answer (terminate and replace the worker, or
 * give up on one process without killing the others).
 *
 * Limits the worker enforces itself (QuickJS's interrupt, the process timer) come first; the
 * supervisor steps in only `graceMs` after a deadline the worker failed to keep — a builtin
 * that never reaches the interrupt handler, a regex, a parser over a huge body, a heap filling up.
 */
import { WATCH } from './protocol.ts'

export interface WatchedJob {
  id: number
  /** Epoch ms by which the process must have ended (its `timeoutMs`), if it has one. */
  deadline?: number
  timeoutMs?: number
}

export interface Verdict {
  /** Terminate the worker: `culprit` ends with `error`, the others on it are run again. */
  kill?: { culprit: number; error: { code: string; message: string } }
  /** Processes past their deadline on a worker another process is holding: ended without a kill. */
  expired?: Array<{ job: number; error: { code: string; message: string } }>
}

export const SUPERVISOR_TICK_MS = 50

/** The verdict on one worker at `now` (epoch ms); null when all is well. */
export function judge(watch: Float64Array, jobs: Iterable<WatchedJob>, now: number, graceMs: number, memoryCapBytes: number): Verdict | null {
  const onCpu = watch[WATCH.JOB]!
  const callDeadline = watch[WATCH.CALL_DEADLINE]!
  if (callDeadline > 0 && now > callDeadline + graceMs) {
    const kind = watch[WATCH.CALL_KIND] === 2 ? 'code' : 'expression'
    const limit = watch[WATCH.CALL_LIMIT]
    // The sandbox reports every growth of its heap: a call past half the cap (where the engine
    // retires itself after a call), still growing it after its deadline, or having grown it by an
    // eighth is running out of memory — big allocations keep QuickJS away from its interrupt
    // handler — not merely slow.
    const memory = watch[WATCH.MEMORY]!
    const atCall = watch[WATCH.MEMORY_AT_CALL]!
    const error =
      memory >= memoryCapBytes / 2 || watch[WATCH.GROWN_AT]! > callDeadline || (atCall >= 0 && memory - atCall >= memoryCapBytes / 8)
        ? { code: 'MEMORY_LIMIT', message: `${kind} used more than the sandbox's memory and did not stop; its worker was replaced` }
        : { code: 'EXPRESSION_TIMEOUT', message: `${kind} took longer than ${limit} ms and could not be interrupted; its worker was replaced` }
    return { kill: { culprit: onCpu, error } }
  }
  const expired: NonNullable<Verdict['expired']> = []
  for (const job of jobs) {
    if (job.deadline === undefined || now <= job.deadline + graceMs) continue
    const error = { code: 'TIMEOUT', message: `the process ran longer than ${job.timeoutMs} ms and did not stop; its worker was replaced` }
    // The process whose code holds the worker is the one to stop; one merely waiting behind
    // another's long step ends at its deadline all the same, and the worker lives on.
    if (job.id === onCpu) return { kill: { culprit: job.id, error } }
    expired.push({ job: job.id, error: { code: 'TIMEOUT', message: `the process ran longer than ${job.timeoutMs} ms` } })
  }
  return expired.length ? { expired } : null
}
