/**
 * What the server's routes share: the dependencies `createApp` is given (store, settings,
 * logger, executor) and the state that lives as long as the app (rate windows, the count of
 * running processes, writes still in flight, metrics).
 */
import type { PotokError, ProcessResult, ProcessRunner, RuntimeServices, Variables } from '../runtime/index.ts'
import type { HostedProcess } from '../processes/executor.ts'
import type { ProcessStore, ProcessTrigger, ScenarioRecord } from '../store/port.ts'
import type { Connections } from './connections/connections.ts'
import type { Logger } from './log.ts'
import type { Metrics } from './metrics.ts'
import type { Redactor } from './redact.ts'
import type { AuthFailures } from './auth-failures.ts'
import type { ProcessGate, RateLimiter } from './protect.ts'
import type { Settings } from './settings.ts'

/** The durable asynchronous side (`processes/executor.ts`'s `ProcessExecutor`), as the server uses it. */
export interface AsyncProcesses {
  /** Stores a new process as `queued` (awaits the write), then runs it soon; returns its id. */
  enqueue(job: { scenario: ScenarioRecord; input: Variables; trigger: ProcessTrigger; processId?: string }): Promise<string>
  /** Records a synchronous process `running` under this server's lease (renewed until `release`). */
  host(job: { scenario: ScenarioRecord; input: Variables; trigger: ProcessTrigger; processId: string; startedAt: string }): Promise<HostedProcess>
  /** Takes over a hosted process still running in memory: commits its end (steps included) when it comes. */
  adopt(job: { scenario: ScenarioRecord; input: Variables; trigger: ProcessTrigger; processId: string }, hosted: HostedProcess, running: Promise<ProcessResult>): void
  /** Looks for claimable processes now (after a resume queued one). */
  wake(): void
  /** Stops a process running (or hosted) here; false when it is not here. */
  abortLocal(id: string, reason: PotokError): boolean
}

export interface AppDeps {
  store: ProcessStore
  settings: Settings
  logger: Logger
  /** The asynchronous executor; without it `?async=true` and `onTimeout: "async"` answer 503. */
  executor?: AsyncProcesses
  /** The management API token (`POTOK_ADMIN_TOKEN` or the generated one). */
  adminToken: string
  /** Host services for processes (sub-processes); `respond` is added per request. */
  services?: RuntimeServices
  /** Connections (docs/connections.md); the routes make their own from the store and POTOK_SECRET_KEY when absent. */
  connections?: Connections
  /** Where synchronous processes run (default: this thread). */
  runner?: ProcessRunner
  /** Keeps credentials out of stored processes (made from REDACT_HEADERS when not given). */
  redactor?: Redactor
}

export interface ServerContext extends AppDeps {
  redactor: Redactor
  /** Wrong credentials per client (AUTH_FAILURE_LIMIT). */
  authFailures: AuthFailures
  metrics: Metrics
  gate: ProcessGate
  limiter: RateLimiter
  writes: PendingWrites
  /**
   * Stops the synchronous processes handed to the executor at their deadline (`onTimeout:
   * "async"`): they run in this server's memory, so shutdown interrupts them (resumable later).
   */
  adopted: Set<AbortController>
}

/**
 * Store writes made after the answer was sent (the record of a synchronous process): tracked
 * so shutdown waits for them, retried so none is lost to a passing store error.
 */
export class PendingWrites {
  readonly #pending = new Set<Promise<void>>()

  constructor(
    private readonly logger: Logger,
    private readonly attempts = 5,
  ) {}

  get size(): number {
    return this.#pending.size
  }

  /** Runs `write` on the next turn (after the answer went out), retrying with backoff. */
  later(what: string, write: () => Promise<void>): void {
    const task = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#withRetries(what, write)).finally(() => this.#pending.delete(task))
    this.#pending.add(task)
  }

  async #withRetries(what: string, write: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await write()
      } catch (error) {
        if (attempt >= this.attempts) {
          this.logger.error({ err: { message: (error as Error)?.message }, what }, 'store write failed; giving up')
          return
        }
        await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt))
      }
    }
  }

  /** Resolves when every pending write has settled. */
  async flush(): Promise<void> {
    while (this.#pending.size) await Promise.allSettled([...this.#pending])
  }
}
