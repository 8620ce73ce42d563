/**
 * The messages between the main thread and a process worker. Only what crosses anyway crosses:
 * the scenario and input going in, snapshots and step records coming out (for the store), the
 * answer, and calls to the host's services. Everything is structured-clonable; functions never
 * cross — a function-valued option or service becomes a named call (`call` / `reply`).
 */
import { PotokError } from '../runtime/errors.ts'
import type { PersistUpdate, ProcessResult, Scenario, Variables } from '../runtime/types.ts'

/** Options as sent: every function-valued member stripped (and listed by name when proxied). */
export type SentOptions = Record<string, unknown>

/**
 * A scenario crosses once per worker: later jobs name it by `key` alone (`scenario` omitted),
 * and the worker runs them on the object it kept, so its compiled machine is found at once.
 */
export interface ScenarioRef {
  key: string
  scenario?: Scenario
}

export type ToWorker =
  | { type: 'start'; job: number; scenario: ScenarioRef; input: Variables; options: SentOptions; services: string[]; persist: boolean }
  | { type: 'resume'; job: number; scenario: ScenarioRef; snapshot: unknown; options: SentOptions; services: string[]; persist: boolean }
  /** The main thread aborted the job's signal (cancel, shutdown, lease lost, deadline). */
  | { type: 'abort'; job: number; reason: ErrorJson }
  /** The answer to a `call` the worker made. */
  | { type: 'reply'; call: number; ok: true; value: unknown }
  | { type: 'reply'; call: number; ok: false; error: ErrorJson }
  /** The answer to a `persist` (its `seq` again): the snapshot is stored (or the store refused it). */
  | { type: 'persisted'; job: number; seq: number; error?: ErrorJson }

export type FromWorker =
  | { type: 'ready' }
  | { type: 'done'; job: number; result: ProcessResult }
  /** `startProcess`/`resumeProcess` refused to run (bad snapshot, already running…). */
  | { type: 'refused'; job: number; error: ErrorJson }
  /** A snapshot to store; `seq` is the worker's own number for it, echoed in `persisted`. */
  | { type: 'persist'; job: number; seq: number; update: PersistUpdate }
  | { type: 'checkpoint'; job: number; snapshot: unknown }
  /** A call of a host service: `args` with AbortSignals replaced by `{ $signal: n }`. */
  | { type: 'call'; job: number; call: number; name: string; args: unknown[] }
  /** A signal passed to a service call fired inside the worker. */
  | { type: 'abort-call'; call: number; reason: ErrorJson }

export interface ErrorJson {
  code: string
  message: string
  status?: number
  nodeId?: string
  details?: Record<string, unknown>
}

/** Any thrown value as a message-safe error (a PotokError keeps code, status, node and details). */
export function errorToJson(error: unknown): ErrorJson {
  if (error instanceof PotokError) {
    return { code: error.code, message: error.message, status: error.status, ...(error.nodeId ? { nodeId: error.nodeId } : {}), ...(error.details ? { details: error.details } : {}) }
  }
  const code = (error as { code?: unknown })?.code
  return { code: typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code) ? code : 'INTERNAL_ERROR', message: error instanceof Error ? error.message : String(error) }
}

export function errorFromJson(json: ErrorJson): PotokError {
  return new PotokError(json.code, json.message, { status: json.status, details: json.details, nodeId: json.nodeId })
}

/**
 * The watch slots a worker shares with the main thread (one Float64Array over a
 * SharedArrayBuffer per worker): written by the worker on every step and sandbox call, read by
 * the supervisor when a deadline passes. Plain aligned 8-byte stores; a watchdog needs no more.
 */
export const BEAT_MS = 20

export const WATCH = {
  /** Job id of the process whose code runs now (0: none yet). */
  JOB: 0,
  /** Epoch ms by which the running sandbox call must be back (0: none running). */
  CALL_DEADLINE: 1,
  /** 1 expression, 2 code. */
  CALL_KIND: 2,
  /** The call's own limit, ms (for the message). */
  CALL_LIMIT: 3,
  /** Bytes of the sandbox heap, last seen during a call. */
  MEMORY: 4,
  /** Epoch ms when that heap last grew. */
  GROWN_AT: 5,
  /** Epoch ms of the worker's last turn of its event loop (a heartbeat every `BEAT_MS`). */
  BEAT: 6,
  /** Bytes of the sandbox heap when the running call began (-1: not reported yet). */
  MEMORY_AT_CALL: 7,
  SIZE: 8,
} as const
