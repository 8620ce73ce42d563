/** Results of processes the pool ends itself, when their worker is gone. */
import type { ProcessError, ProcessResult, ProcessStatus, Variables } from '../runtime/types.ts'

export interface EndedJob {
  pid: string
  input?: Variables
  startedAt: Date
  /** The last snapshot the store acknowledged (or a checkpoint). */
  last: unknown
}

/** A process whose final snapshot was stored, though its worker died before saying so. */
export function endedResult(job: EndedJob, status: ProcessStatus): ProcessResult {
  const context = (job.last as { context?: { vars?: Variables; error?: ProcessError | null } }).context ?? {}
  return { ...times(job), processId: job.pid, status, output: context.vars ?? {}, error: context.error ?? null, steps: [], snapshot: job.last }
}

/** A process ended from outside: interrupted with `error`, resumable from its last snapshot. */
export function interruptedResult(job: EndedJob, error: { code: string; message: string }): ProcessResult {
  const snapshot = job.last as { status?: string; context?: { vars?: Variables } } | null
  const resumable = snapshot?.status === 'active' ? snapshot : null
  const vars = resumable?.context?.vars ?? job.input ?? {}
  return { ...times(job), processId: job.pid, status: 'interrupted', output: vars, error: { ...error, variables: vars }, steps: [], snapshot: resumable }
}

function times(job: EndedJob): Pick<ProcessResult, 'startedAt' | 'finishedAt' | 'durationMs'> {
  const finished = new Date()
  return { startedAt: job.startedAt.toISOString(), finishedAt: finished.toISOString(), durationMs: finished.getTime() - job.startedAt.getTime() }
}
