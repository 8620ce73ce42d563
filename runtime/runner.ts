/**
 * The seam between the hosts of processes (the durable executor, the synchronous request path,
 * sub-processes) and where a process actually runs: in this thread (`inThreadRunner`) or in a
 * pool of worker threads. Both take the same options and give the same result, so a host never
 * knows which one it was handed.
 */
import { resumeProcess, startProcess } from './process.ts'
import type { ProcessResult, Scenario, StartOptions, Variables } from './types.ts'

export interface ProcessRunner {
  /** Runs a new process of `scenario` with `input` as its initial variables (as `startProcess`). */
  start(scenario: Scenario, input: Variables, options?: StartOptions): Promise<ProcessResult>
  /** Continues a process from a persisted snapshot (as `resumeProcess`). */
  resume(scenario: Scenario, snapshot: unknown, options?: StartOptions): Promise<ProcessResult>
}

/** Runs processes on the calling thread. */
export const inThreadRunner: ProcessRunner = { start: startProcess, resume: resumeProcess }
