/**
 * The one place a finished run becomes the process record (docs/processes.md): the synchronous request path,
 * test runs and sub-processes each name only what differs (scenario, trigger, input, answer).
 *
 * @example
 * await store.recordProcess(finishedRecord(result, { scenario, trigger, input }), result.steps)
 */
import type { ProcessResult } from '../runtime/types.ts'
import type { ProcessRecord, ProcessTrigger, StoredResponse } from './port.ts'

export interface RecordOrigin {
  scenario: { id: string; version: number }
  trigger: ProcessTrigger
  input: ProcessRecord['input']
  response?: StoredResponse | null
  parentId?: string | null
  /** Overrides of the run's own status and error (an output that could not become an answer). */
  status?: ProcessRecord['status']
  error?: ProcessRecord['error']
}

export function finishedRecord(result: ProcessResult, origin: RecordOrigin): ProcessRecord {
  return {
    id: result.processId,
    scenario: origin.scenario,
    trigger: origin.trigger,
    status: origin.status ?? result.status,
    input: origin.input,
    output: result.output,
    ...(origin.response === undefined ? {} : { response: origin.response }),
    error: origin.error === undefined ? result.error : origin.error,
    startedAt: result.startedAt,
    finishedAt: result.finishedAt,
    durationMs: result.durationMs,
    snapshot: result.snapshot,
    replayOf: null,
    parentId: origin.parentId ?? null,
    lease: null,
  }
}
