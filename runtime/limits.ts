/**
 * The limits the engine and its components work under (MAX_STEPS, MAX_PROCESS_DATA_BYTES, the
 * sandbox's budget, webRequest's destinations…). The runtime reads no environment: the server
 * and the CLI validate the settings once at start (`server/settings.ts`) and hand them here with
 * `setRuntimeLimits`; until then the documented defaults apply (tests, embedding).
 *
 * @example
 * setRuntimeLimits({ maxSteps: 500 })
 * runtimeLimits().maxSteps // 500
 */
import { DEFAULT_SANDBOX_TZ } from './sandbox/timeZone.ts'

export interface RuntimeLimits {
  /** Steps one process may take (`STEP_LIMIT`). */
  maxSteps: number
  /** JSON bytes of a process's variables (`DATA_LIMIT`). */
  maxDataBytes: number
  /** Nesting of sub-processes (`SUBPROCESS_DEPTH`). */
  maxSubprocessDepth: number
  /** Processes one root process may start in all, children of children included (`DESCENDANT_LIMIT`). */
  maxDescendants: number
  /** Outbound HTTP requests one process may send (`OUTBOUND_LIMIT`). */
  maxOutboundRequests: number
  /** Time limit of one expression evaluation. */
  expressionTimeoutMs: number
  /** Memory cap of the sandbox. */
  sandboxMemoryBytes: number
  /** QuickJS's own stack limit. */
  sandboxStackBytes: number
  /** Largest response a `webRequest` node reads. */
  webRequestMaxResponseBytes: number
  /** `webRequest` may not reach loopback, private or link-local addresses. */
  webRequestDenyPrivate: boolean
  /** Host names or addresses exempt from `webRequestDenyPrivate` (lower case). */
  webRequestAllowHosts: readonly string[]
  /** How long a synchronous run holds its thread before it yields a turn (ms). */
  sliceMs: number
  /** All attachments of one `sendMail` together. */
  mailMaxBytes: number
  /** The source of one `convert`. */
  convertMaxBytes: number
  /** Cells of one workbook or CSV read or written by `convert`. */
  convertMaxCells: number
  /** A file `fileUpload` fetches or stores (MAX_FILE_BYTES; the store checks it again). */
  fileMaxBytes: number
  /** Time zone of `Date` and `moment` in the sandbox (SANDBOX_TZ: an IANA name, checked by the settings). */
  sandboxTimeZone: string
}

export const DEFAULT_RUNTIME_LIMITS: Readonly<RuntimeLimits> = Object.freeze({
  maxSteps: 10_000,
  maxDataBytes: 16 * 1024 * 1024,
  maxSubprocessDepth: 8,
  maxDescendants: 100,
  maxOutboundRequests: 100,
  expressionTimeoutMs: 500,
  sandboxMemoryBytes: 256 * 2 ** 20,
  sandboxStackBytes: 256 * 1024,
  webRequestMaxResponseBytes: 10 * 1024 * 1024,
  webRequestDenyPrivate: false,
  webRequestAllowHosts: [],
  sliceMs: 10,
  mailMaxBytes: 25 * 1024 * 1024,
  convertMaxBytes: 10 * 1024 * 1024,
  convertMaxCells: 1_000_000,
  fileMaxBytes: 20 * 1024 * 1024,
  sandboxTimeZone: DEFAULT_SANDBOX_TZ,
})

let current: Readonly<RuntimeLimits> = DEFAULT_RUNTIME_LIMITS

/** The limits in force. */
export function runtimeLimits(): Readonly<RuntimeLimits> {
  return current
}

/** Sets some limits (the rest keep their value); `reset` starts from the defaults. */
export function setRuntimeLimits(limits: Partial<RuntimeLimits>, reset = false): void {
  current = Object.freeze({ ...(reset ? DEFAULT_RUNTIME_LIMITS : current), ...limits })
}
