/**
 * A synchronous process of the endpoint (docs/server.md): the caller waits for the end (or for
 * `respond`). At the deadline the external request's `onTimeout` decides: 504 (default), `reset`
 * (drop the connection), or `async` (202 now; the executor adopts the running process and
 * records it). The process is on record `running` before it starts and its end is committed
 * before the caller hears of it: no answer without a record.
 *
 * The `running` record is grouped with the end when the process ends quickly: it is written
 * `SYNC_RECORD_AFTER_MS` after the start, or at once when the process answers early (`respond`),
 * calls a host service (a sub-process, a record write…) or is about to start an activity (an
 * outgoing web request, mail, code…: the engine awaits `beforeActivity`), whichever comes first.
 * A process that ends before any of these — assignments and gateways only — is recorded by one
 * write, its end. A crash inside that window leaves no record of a process that answered no one
 * and had no effect outside itself; one cut later is on record and becomes `interrupted`. `SYNC_RECORD_AFTER_MS=0` records before the start.
 *
 * One `SyncRun` per request; each of its steps is one method, in the order they happen:
 * `run` (enter → start → record the start → watch the deadline → finish).
 */
import type { ServerResponse } from 'node:http'
import { inThreadRunner, PotokError, StopSource, type ProcessResult, type RuntimeServices, type Variables } from '../runtime/index.ts'
import type { HostedProcess } from '../processes/executor.ts'
import type { ProcessRecord, ProcessTrigger, StoredResponse } from '../store/port.ts'
import { finishedRecord } from '../store/process-record.ts'
import type { ServerContext } from './context.ts'
import { toCallerError } from './errors.ts'
import { accepted, buildAnswer, errorAnswer, keepAnswer, storedError, storeOrRetry, unstored, type Answer, type Call } from './webrequest-answers.ts'

/** Step types whose time is spent in the expression sandbox (the `potok_sandbox_seconds_total` metric). */
const SANDBOX_STEPS = new Set(['setVariables', 'exclusiveGateway', 'code', 'parser', 'errorEnd'])

/** Runs the request's process synchronously; resolves with the caller's answer. */
export function runSync(ctx: ServerContext, call: Call): Promise<Response> {
  return new SyncRun(ctx, call).run()
}

class SyncRun {
  readonly #timeoutMs: number
  /** `onTimeout: "async"` with an executor to hand the process to at the deadline. */
  readonly #adoptable: boolean
  /** With onTimeout "async" the process is not stopped at timeoutMs; ASYNC_TIMEOUT_MS bounds it. */
  readonly #bound: AbortController | null
  #boundTimer: ReturnType<typeof setTimeout> | undefined
  #adoptTimer: ReturnType<typeof setTimeout> | undefined
  /** The answer `respond` gave before the end (the end's variables then answer no one). */
  #early: Answer | null = null
  /** The executor took the process over at the deadline: it records the end. */
  #adopted = false
  /**
   * The gate slot is held until the process's record is queued for writing (so a shutdown
   * waiting on the gate also waits for it), or until the executor adopts the process.
   */
  #holdsSlot = true
  #hosted: HostedProcess | null = null
  /** When the process started (its `running` record may be written later). */
  readonly #startedAt = new Date().toISOString()
  /** The `running` record's write, once begun; the timer that begins it. */
  #startRecord: Promise<void> | null = null
  #startRecordTimer: ReturnType<typeof setTimeout> | undefined
  /** The store could not take the `running` record: the process is stopped, the caller gets this. */
  #unrecorded: PotokError | null = null
  /**
   * Stops the process: the lease lost (cancel, takeover), the start not recorded, or (with
   * onTimeout "async") the async bound. A StopSource, not an AbortController: one per request.
   */
  readonly #stop = new StopSource()
  #answer!: (response: Response) => void
  readonly #answered = new Promise<Response>((resolve) => {
    this.#answer = resolve
  })

  constructor(
    private readonly ctx: ServerContext,
    private readonly call: Call,
  ) {
    this.#timeoutMs = call.webRequest.timeoutMs ?? ctx.settings.webrequestTimeoutMs
    this.#adoptable = call.webRequest.onTimeout === 'async' && ctx.executor !== undefined
    this.#bound = this.#adoptable ? new AbortController() : null
  }

  async run(): Promise<Response> {
    this.#enter()
    const after = this.ctx.settings.syncRecordAfterMs
    if (!after) {
      try {
        await this.#recordStart()
      } catch (error) {
        clearTimeout(this.#boundTimer)
        this.#release()
        throw error
      }
    }
    const running = this.#start()
    if (after && !this.#startRecord)
      this.#startRecordTimer = setTimeout(() => {
        this.#recordStart().catch(() => {})
      }, after)
    if (this.#adoptable) this.#adoptTimer = setTimeout(() => this.#adopt(running), this.#timeoutMs)
    running
      .then(
        (result) => this.#finish(result),
        (error) => this.#runnerFailed(error),
      )
      .finally(() => {
        clearTimeout(this.#boundTimer)
        this.#release()
      })
      .then((response) => {
        if (response) this.#answer(response)
      })
    return this.#answered
  }

  /** Takes the metrics' running count and tells the gate the deadline; arms the async bound. */
  #enter(): void {
    const bound = this.#bound
    if (bound) {
      const limit = this.ctx.settings.asyncTimeoutMs
      this.#boundTimer = setTimeout(() => bound.abort(new PotokError('TIMEOUT', `the process ran longer than ${limit} ms`)), limit)
      this.#boundTimer.unref()
    }
    this.ctx.metrics.running.inc()
    this.ctx.gate.expect(this.#timeoutMs)
  }

  /** Leaves the gate slot and the running count, once. */
  #release(): void {
    if (!this.#holdsSlot) return
    this.#holdsSlot = false
    this.ctx.gate.leave()
    this.ctx.metrics.running.dec()
  }

  /**
   * Writes the `running` record (once): hosted under the executor's lease, whose loss stops the
   * process. When the store cannot take it the process is stopped and the caller gets a 503.
   */
  #recordStart(): Promise<void> {
    if (this.#startRecord) return this.#startRecord
    clearTimeout(this.#startRecordTimer)
    this.#startRecord = recordStart(this.ctx, this.call, this.#startedAt).then(
      (hosted) => {
        this.#hosted = hosted
        if (!hosted) return
        const stop = () => this.#stop.abort(hosted.signal.reason)
        if (hosted.signal.aborted) stop()
        else hosted.signal.addEventListener('abort', stop, { once: true })
      },
      (error: PotokError) => {
        this.#unrecorded = error
        this.#stop.abort(error)
        throw error
      },
    )
    return this.#startRecord
  }

  /** Hands the process to the runner (a worker, or this thread). */
  #start(): Promise<ProcessResult> {
    const bound = this.#bound?.signal
    if (bound?.aborted) this.#stop.abort(bound.reason)
    else bound?.addEventListener('abort', () => this.#stop.abort(bound.reason), { once: true })
    return (this.ctx.runner ?? inThreadRunner).start(this.call.scenario.scenario, this.call.input, {
      processId: this.call.processId,
      services: this.#services(),
      signal: this.#stop,
      ...(this.#bound ? {} : { timeoutMs: this.#timeoutMs }),
    })
  }

  /**
   * The server's host services, each called only once the process is on record (what it
   * starts or writes then never outlives an unrecorded process), and `respond`.
   */
  #services(): RuntimeServices {
    const services: Record<string, unknown> = {}
    for (const [name, service] of Object.entries(this.ctx.services ?? {})) {
      services[name] = typeof service !== 'function' || this.#startRecord ? service : (...args: unknown[]) => this.#recordStart().then(() => (service as (...a: unknown[]) => unknown)(...args))
    }
    services.respond = (vars: Readonly<Variables>) => this.#respond(vars)
    // Every activity (an outgoing web request, mail…) starts only once the process is on record.
    services.beforeActivity = () => this.#recordStart()
    return services as RuntimeServices
  }

  /** The `respond` component: the caller is answered now (once on record); the process goes on. */
  #respond(vars: Readonly<Variables>): void {
    if (this.#early) return
    const early = buildAnswer(vars, this.call)
    this.#early = early
    const response = 'response' in early ? early.response : errorAnswer(early.error, this.call)
    this.#recordStart().then(
      () => this.#answer(response),
      (error: PotokError) => this.#answer(errorAnswer(error, this.call)),
    )
  }

  /**
   * At the deadline with `onTimeout: "async"`: the executor adopts the running process (even
   * when `respond` answered already; then only the caller's 202 is skipped).
   */
  #adopt(running: Promise<ProcessResult>): void {
    const { call } = this
    this.#adopted = true
    this.#recordStart().then(
      () => this.#handOver(running),
      (error: PotokError) => {
        // Not on record: the process was stopped, and no one will record its end.
        this.#release()
        if (!this.#early) this.#answer(errorAnswer(error, call))
      },
    )
  }

  /** The adoption proper, once the process is on record. */
  #handOver(running: Promise<ProcessResult>): void {
    const { ctx, call } = this
    const trigger: ProcessTrigger = { type: '$webRequest', id: call.webRequest.id, async: false }
    ctx.executor!.adopt({ scenario: call.scenario, input: call.input, trigger, processId: call.processId }, this.#hosted!, running)
    this.#release()
    const bound = this.#bound
    if (bound) {
      ctx.adopted.add(bound)
      running.finally(() => ctx.adopted.delete(bound)).catch(() => {})
    }
    if (this.#early) return
    Promise.resolve(keepAnswer(ctx, call, { status: 202, headers: { 'x-process-id': call.processId } }, true)).then(() => this.#answer(accepted(call.processId, call.extra)))
  }

  /** The process ended: its record (and the kept answer) committed, then the caller's answer. */
  async #finish(result: ProcessResult): Promise<Response | null> {
    const { ctx, call } = this
    clearTimeout(this.#adoptTimer)
    if (this.#adopted) return null
    await this.#recorded()
    const final = finalAnswer(result, call)
    // After `respond`, the end's variables answer no one: only the early answer can be invalid.
    const responded: Answer = this.#early ?? final
    const failure = 'error' in responded ? responded.error : null
    const record = processRecord(call, result, responded.stored, failure)
    observe(ctx, call, record, result)
    const hosted = this.#hosted
    if ((hosted?.signal.reason as PotokError | undefined)?.code === 'LEASE_LOST') {
      // Cancelled (or taken over) through the store: the record there is the one that counts.
      hosted?.release()
      return this.#early ? null : errorAnswer(toCallerError(hosted!.signal.reason), call)
    }
    // The end (and the answer kept for idempotent repeats) is committed before the caller hears
    // of it: no answer without a record. When the store cannot take it the caller gets a 503
    // (the write is still retried in the background, so the record ends as the process did).
    const [kept] = await Promise.all([
      storeOrRetry(ctx, `process ${call.processId}`, () => ctx.store.recordProcess(record, result.steps)),
      this.#early ? undefined : keepAnswer(ctx, call, responded.stored, true),
    ])
    hosted?.release()
    if (this.#early) return null
    if (this.#unrecorded) return errorAnswer(this.#unrecorded, call)
    if (kept) return errorAnswer(kept, call)
    if (result.status === 'interrupted' && result.error?.code === 'TIMEOUT' && call.webRequest.onTimeout === 'reset') {
      resetConnection(call.request)
    }
    return 'response' in final ? final.response : errorAnswer(final.error, call)
  }

  /**
   * Before the end is written: the `running` record's write, if begun, has landed (or failed),
   * so the end is written after it; if not begun, it never will be — the end is the one write.
   */
  async #recorded(): Promise<void> {
    clearTimeout(this.#startRecordTimer)
    await this.#startRecord?.catch(() => {})
  }

  /**
   * The runner itself failed (not the scenario): the record taken at the start ends failed, or
   * it would stay running under this server's lease.
   */
  async #runnerFailed(error: unknown): Promise<Response | null> {
    const { ctx, call } = this
    const { processId } = call
    clearTimeout(this.#adoptTimer)
    await this.#recorded()
    const caller = toCallerError(error)
    ctx.redactor.forget(processId)
    ctx.logger.error({ err: { message: (error as Error)?.message }, processId }, 'process could not run')
    const now = new Date().toISOString()
    const failed: ProcessResult = {
      processId,
      status: 'failed',
      output: call.input,
      error: { code: caller.code, message: caller.message },
      steps: [],
      snapshot: null,
      startedAt: now,
      finishedAt: now,
      durationMs: 0,
    }
    await storeOrRetry(ctx, `process ${processId}`, () => ctx.store.recordProcess(processRecord(call, failed, storedError(caller, processId), null), []))
    this.#hosted?.release()
    if (this.#early) return null
    await keepAnswer(ctx, call, storedError(caller, processId), true)
    return errorAnswer(caller, call)
  }
}

/** The caller's answer for a finished process. */
function finalAnswer(result: ProcessResult, call: Call): Answer {
  if (result.status === 'completed') return buildAnswer(result.output, call)
  const error = result.error ?? { code: 'PROCESS_FAILED', message: `the process ended ${result.status}` }
  const timeout = result.status === 'interrupted' && error.code === 'TIMEOUT'
  const failure = new PotokError(error.code, error.message, { status: timeout ? 504 : 500, details: { status: result.status, ...(error.nodeId ? { nodeId: error.nodeId } : {}) } })
  return { error: failure, stored: storedError(failure, call.processId) }
}

/** The record of a finished synchronous process (docs/processes.md): one store write. */
function processRecord(call: Call, result: ProcessResult, response: StoredResponse, outputError: PotokError | null): ProcessRecord {
  // A completed process whose output variables could not become an answer is recorded failed.
  const invalidOutput = result.status === 'completed' && outputError !== null
  return finishedRecord(result, {
    scenario: { id: call.scenario.id, version: call.scenario.version },
    trigger: { type: '$webRequest', id: call.webRequest.id, async: false },
    input: call.input,
    response,
    ...(invalidOutput ? { status: 'failed' as const, error: { code: outputError.code, message: outputError.message, variables: result.output } } : {}),
  })
}

/**
 * Records a synchronous process `running`: hosted under the executor's lease (renewed while it
 * runs; another server records it `interrupted` if this one dies), or plainly when this server
 * runs no executor.
 */
async function recordStart(ctx: ServerContext, call: Call, startedAt: string): Promise<HostedProcess | null> {
  const trigger: ProcessTrigger = { type: '$webRequest', id: call.webRequest.id, async: false }
  try {
    if (ctx.executor) return await ctx.executor.host({ scenario: call.scenario, input: call.input, trigger, processId: call.processId, startedAt })
    await ctx.store.createProcess({
      id: call.processId,
      scenario: { id: call.scenario.id, version: call.scenario.version },
      trigger,
      status: 'running',
      input: call.input,
      startedAt,
      replayOf: null,
      parentId: null,
      lease: null,
    })
    return null
  } catch (error) {
    throw unstored(error)
  }
}

function observe(ctx: ServerContext, call: Call, record: ProcessRecord, result: ProcessResult): void {
  const labels = { scenario: call.scenario.id, status: record.status }
  ctx.metrics.processes.inc(labels)
  ctx.metrics.processDuration.observe(labels, result.durationMs / 1000)
  let sandboxMs = 0
  for (const step of result.steps) if (SANDBOX_STEPS.has(step.type)) sandboxMs += step.durationMs ?? 0
  if (sandboxMs) ctx.metrics.sandboxSeconds.inc({ scenario: call.scenario.id }, sandboxMs / 1000)
}

/** `onTimeout: "reset"` (Bpium's behaviour): the connection is dropped without an answer. */
function resetConnection(request: Request): void {
  const node = (request as { runtime?: { node?: { res?: ServerResponse } } }).runtime?.node
  node?.res?.socket?.destroy()
}
