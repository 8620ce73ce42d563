/**
 * The worker pool: a `ProcessRunner` that runs every process in one of `size` worker threads, so
 * the main thread keeps HTTP, the store and the catalog and never runs scenario code.
 *
 * Built on `worker_threads` directly rather than a pool library (piscina): a process is not a
 * task that returns once — it streams snapshots that must be acknowledged, calls host services
 * mid-run, is aborted from outside, and when its worker dies the pool must know which processes
 * it held, blame one and run the others again. Those are most of the code here; a task pool
 * would hide exactly the part we need to see. (docs/workers.md says more.)
 *
 * @example
 * const pool = new WorkerPool({ size: 2 })
 * const result = await pool.start(greet, { body: { name: 'Ada', n: 1 } }, { timeoutMs: 1000 })
 * await pool.close()
 */
import { availableParallelism } from 'node:os'
import { PotokError } from '../runtime/errors.ts'
import { runtimeLimits } from '../runtime/limits.ts'
import { HandleTable } from '../runtime/handle-table.ts'
import { remoteHosts } from '../runtime/live.ts'
import { newProcessId } from '../runtime/process-id.ts'
import type { ProcessRunner } from '../runtime/runner.ts'
import type { ProcessResult, ProcessStatus, Scenario, StartOptions, Variables } from '../runtime/types.ts'
import { errorFromJson, errorToJson, WATCH, type FromWorker, type ScenarioRef, type SentOptions, type ToWorker } from './protocol.ts'
import { HostCalls } from './host-calls.ts'
import { endedResult, interruptedResult } from './results.ts'
import { judge, SUPERVISOR_TICK_MS, type Verdict } from './supervisor.ts'
import { rank, spawnWorker, type Slot } from './worker-slot.ts'

/** Options that stay on this thread: the hooks the pool answers for the worker, and the signal it watches. */
const LOCAL_OPTIONS = new Set(['persist', 'services', 'signal', 'checkpoint'])

export interface PoolOptions {
  /** Worker threads (WORKERS; default: the number of cores). */
  size?: number
  /** How long after a missed deadline a worker is terminated (default 250 ms). */
  graceMs?: number
  /** V8 heap of each worker (default 512 MB): a process that fills it fails alone with MEMORY_LIMIT. */
  memoryMb?: number
  /** How many times a process is run again after its worker died under it (default 2). */
  retries?: number
  /** Told when a worker is replaced (for the log). */
  onWorkerExit?: (info: { threadId: number; reason: string; culprit?: string; interrupted: number; retried: number }) => void
}

interface Job {
  /** Its handle in the pool's table (a new one each time it is dispatched again after a crash). */
  id: number
  kind: 'start' | 'resume'
  scenario: Scenario
  input?: Variables
  snapshot?: unknown
  options: StartOptions
  pid: string
  startedAt: Date
  deadline?: number
  /** The last snapshot the store acknowledged (or a checkpoint of a synchronous run). */
  last: unknown
  /** The status that snapshot was stored with: an ended one is not run again. */
  lastStatus?: ProcessStatus
  /** Persist calls under way: a rerun waits for them, so it starts from the newest snapshot. */
  persisting: Promise<void>
  attempts: number
  slot?: Slot<Job>
  resolve(result: ProcessResult): void
  reject(error: unknown): void
}

export class WorkerPool implements ProcessRunner {
  readonly size: number
  private readonly graceMs: number
  private readonly memoryMb: number
  private readonly retries: number
  private readonly slots: Slot<Job>[] = []
  /**
   * A started worker held in reserve: a terminated one is replaced at once instead of after a
   * cold start (about a second of loading the sources), so a hostile process costs no capacity.
   */
  private standby: Slot<Job> | null = null
  /** Running jobs by id (a table, not a Map: see runtime/handle-table.ts). */
  private readonly jobs = new HandleTable<Job>()
  private readonly calls = new HostCalls()
  /** Workers in a row that died before they started. */
  private startFailures = 0
  /** Keys of scenarios without a version (tests, `potok run`): one per object. */
  private readonly unversioned = new WeakMap<Scenario, string>()
  /** How `stopLiveProcess` reaches a process running here (cancel through the API). */
  private readonly stopper = (pid: string, reason: PotokError): boolean => {
    for (const job of this.jobs.values()) {
      if (job.pid !== pid) continue
      this.abort(job, reason)
      return true
    }
    return false
  }
  private nextUnversioned = 1
  private closed = false
  private readonly ticker: ReturnType<typeof setInterval>

  constructor(private readonly options: PoolOptions = {}) {
    this.size = Math.max(1, options.size ?? availableParallelism())
    this.graceMs = options.graceMs ?? 250
    this.memoryMb = options.memoryMb ?? 512
    this.retries = options.retries ?? 2
    for (let i = 0; i < this.size; i++) this.slots.push(this.spawn())
    // The reserve starts once the pool has: it does not slow the start-up down.
    void this.ready().then(() => this.refillStandby())
    this.ticker = setInterval(() => this.supervise(), SUPERVISOR_TICK_MS)
    this.ticker.unref()
    remoteHosts.add(this.stopper)
  }

  start(scenario: Scenario, input: Variables, options: StartOptions = {}): Promise<ProcessResult> {
    return this.submit('start', scenario, { input }, options, options.processId ?? newProcessId())
  }

  resume(scenario: Scenario, snapshot: unknown, options: StartOptions = {}): Promise<ProcessResult> {
    const pid = (snapshot as { context?: { pid?: unknown } } | null)?.context?.pid
    return this.submit('resume', scenario, { snapshot }, options, typeof pid === 'string' ? pid : '')
  }

  /** Resolves when every worker is ready (or gone): a server listens only then. */
  async ready(): Promise<void> {
    await Promise.race([Promise.all(this.slots.map((slot) => slot.ready)), new Promise((resolve) => setTimeout(resolve, 30_000).unref())])
  }

  /** Resolves when every worker and the reserve are started (after a replacement, say). */
  async atFullStrength(): Promise<void> {
    while (!this.closed && (!this.standby?.started || this.slots.some((slot) => !slot.started))) {
      await Promise.all([...this.slots, ...(this.standby ? [this.standby] : [])].map((slot) => slot.ready))
      if (!this.standby) await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }

  /** Thread ids of the workers now serving (tests terminate one to simulate a crash). */
  get threadIds(): number[] {
    return this.slots.map((slot) => slot.threadId)
  }

  /** How many processes each worker holds now. */
  load(): Array<{ threadId: number; processes: number }> {
    return this.slots.map((slot) => ({ threadId: slot.threadId, processes: slot.running }))
  }

  /** Terminates a worker as a crash would (its processes are run again elsewhere). */
  async terminateWorker(threadId: number): Promise<void> {
    const slot = this.slots.find((s) => s.threadId === threadId)
    if (slot) await slot.worker.terminate()
  }

  /** Processes running in the workers now. */
  get running(): number {
    return this.jobs.size
  }

  /** Stops every worker (after the hosts let their processes end or handed them back). */
  async close(): Promise<void> {
    this.closed = true
    clearInterval(this.ticker)
    remoteHosts.delete(this.stopper)
    const ending = [...this.slots, ...(this.standby ? [this.standby] : [])].map((slot) => {
      slot.ending = { reason: 'the server is shutting down' }
      return slot.worker.terminate()
    })
    await Promise.all(ending)
  }

  // -------------------------------------------------------------------------------------------

  private submit(kind: Job['kind'], scenario: Scenario, from: { input?: Variables; snapshot?: unknown }, options: StartOptions, pid: string): Promise<ProcessResult> {
    if (this.closed) return Promise.reject(new PotokError('SHUTDOWN', 'the server is shutting down'))
    return new Promise<ProcessResult>((resolve, reject) => {
      const job: Job = {
        id: 0,
        kind,
        scenario,
        ...from,
        options,
        pid,
        startedAt: new Date(),
        deadline: options.timeoutMs !== undefined && options.timeoutMs > 0 ? Date.now() + options.timeoutMs : undefined,
        last: kind === 'resume' ? from.snapshot : null,
        persisting: Promise.resolve(),
        attempts: 0,
        resolve,
        reject,
      }
      job.id = this.jobs.add(job)
      const abort = () => this.abort(job, toError(options.signal!.reason))
      options.signal?.addEventListener('abort', abort, { once: true })
      job.resolve = (result) => {
        options.signal?.removeEventListener('abort', abort)
        resolve(result)
      }
      job.reject = (error) => {
        options.signal?.removeEventListener('abort', abort)
        reject(error)
      }
      this.dispatch(job)
      if (options.signal?.aborted) abort()
    })
  }

  /**
   * Hands a job to the least busy worker; a worker held by a long step (no heartbeat) or still
   * starting (a replacement) only when there is no better one.
   */
  private dispatch(job: Job): void {
    const now = Date.now()
    const slot = this.slots.reduce((best, s) => (rank(s, now) < rank(best, now) ? s : best))
    if (slot.gone) {
      // Every worker failed to start (a broken installation, say): a clear refusal, not a hang.
      this.jobs.delete(job.id)
      job.reject(new PotokError('WORKERS_UNAVAILABLE', 'no process worker could be started; see the server log'))
      return
    }
    job.slot = slot
    if (++slot.running === 1) slot.worker.ref()
    const { persist, services } = job.options
    // Loops, not `{ a, ...rest }` and Object.entries: rest with excluded keys takes V8's slow path.
    const options: SentOptions = { processId: job.pid || undefined }
    for (const key in job.options) {
      const value = job.options[key as keyof StartOptions]
      if (Object.hasOwn(job.options, key) && !LOCAL_OPTIONS.has(key) && typeof value !== 'function') options[key] = value
    }
    if (job.deadline !== undefined) options.timeoutMs = Math.max(1, job.deadline - Date.now())
    const serviceNames: string[] = []
    for (const name in services) if (Object.hasOwn(services, name) && typeof (services as Record<string, unknown>)[name] === 'function') serviceNames.push(name)
    const resume = job.kind === 'resume' || job.last !== null
    const scenario = this.scenarioRef(slot, job.scenario)
    const message: ToWorker = resume
      ? { type: 'resume', job: job.id, scenario, snapshot: job.last, options, services: serviceNames, persist: Boolean(persist) }
      : { type: 'start', job: job.id, scenario, input: job.input ?? {}, options, services: serviceNames, persist: Boolean(persist) }
    slot.send(message, (error) => {
      this.finish(job)
      job.reject(new PotokError('INVALID_INPUT', `the process cannot be handed to a worker: ${(error as Error).message}`))
    })
  }

  /** The scenario by key, with its body only the first time this worker gets it (the worker keeps 500). */
  private scenarioRef(slot: Slot<Job>, scenario: Scenario): ScenarioRef {
    let key = scenario.version !== undefined ? `${scenario.id}@${scenario.version}` : this.unversioned.get(scenario)
    if (key === undefined) {
      key = `${scenario.id}#${this.nextUnversioned++}`
      this.unversioned.set(scenario, key)
    }
    if (slot.scenarios.has(key)) return { key }
    if (slot.scenarios.size >= 500) slot.scenarios.delete(slot.scenarios.values().next().value!)
    slot.scenarios.add(key)
    return { key, scenario }
  }

  private abort(job: Job, reason: PotokError): void {
    job.slot?.send({ type: 'abort', job: job.id, reason: errorToJson(reason) })
  }

  private spawn(): Slot<Job> {
    const slot: Slot<Job> = spawnWorker(this.memoryMb, {
      started: () => {
        this.startFailures = 0
      },
      message: (message) => this.onMessage(slot, message),
      error: (error) => {
        const outOfMemory = (error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY'
        const culprit = outOfMemory ? this.jobs.get(slot.watch[WATCH.JOB]!) : undefined
        slot.ending ??= outOfMemory
          ? { reason: 'out of memory', culprit, error: { code: 'MEMORY_LIMIT', message: `the process used more than the worker's ${this.memoryMb} MB of memory; its worker was replaced` } }
          : { reason: `crashed: ${error.message}` }
      },
      exit: () => this.onExit(slot),
    })
    return slot
  }

  private onMessage(slot: Slot<Job>, message: Exclude<FromWorker, { type: 'ready' }>): void {
    if (message.type === 'abort-call') {
      this.calls.abort(slot.threadId, message.call, message.reason)
      return
    }
    const job = this.jobs.get(message.job)
    if (!job || job.slot !== slot) {
      // Ended here already (past its deadline on a held worker): what it still asks is refused,
      // so the worker's run of it ends instead of waiting for an answer forever.
      const gone = errorToJson(new PotokError('PROCESS_ENDED', 'the process has ended on the main thread'))
      if (message.type === 'persist') slot.send({ type: 'persisted', job: message.job, seq: message.seq, error: gone })
      if (message.type === 'call') slot.send({ type: 'reply', call: message.call, ok: false, error: gone })
      return
    }
    switch (message.type) {
      case 'done':
        this.finish(job)
        job.resolve(message.result)
        return
      case 'refused':
        this.finish(job)
        job.reject(errorFromJson(message.error))
        return
      case 'checkpoint':
        job.last = message.snapshot
        return
      case 'persist': {
        const write = Promise.resolve().then(() => job.options.persist!(message.update))
        job.persisting = job.persisting
          .then(() => write)
          .then(
            () => {
              job.last = message.update.snapshot
              job.lastStatus = message.update.status
              slot.send({ type: 'persisted', job: job.id, seq: message.seq })
            },
            (error) => slot.send({ type: 'persisted', job: job.id, seq: message.seq, error: errorToJson(error) }),
          )
        return
      }
      case 'call':
        void this.calls.serve(slot, job.options.services, message)
    }
  }

  private finish(job: Job): void {
    this.jobs.delete(job.id)
    const slot = job.slot
    if (!slot) return
    job.slot = undefined
    // An idle worker does not keep the program alive; one with work does.
    if (--slot.running === 0) slot.worker.unref()
  }

  /** The reserve if it is started (and a new reserve on its way), else a fresh worker. */
  private replacement(): Slot<Job> {
    const spare = this.standby
    if (spare?.started) {
      this.standby = null
      this.refillStandby()
      return spare
    }
    return this.spawn()
  }

  private refillStandby(): void {
    if (!this.closed && !this.standby) this.standby = this.spawn()
  }

  /** Every tick: deadlines the workers failed to keep. */
  private supervise(): void {
    const now = Date.now()
    for (const slot of this.slots) {
      if (slot.ending || slot.running === 0) continue
      const verdict = judge(slot.watch, this.jobsOn(slot), now, this.graceMs, runtimeLimits().sandboxMemoryBytes)
      if (verdict) this.enforce(slot, verdict)
    }
  }

  private enforce(slot: Slot<Job>, verdict: Verdict): void {
    for (const { job: id, error } of verdict.expired ?? []) {
      const job = this.jobs.get(id)
      if (!job) continue
      this.abort(job, new PotokError(error.code, error.message))
      this.finish(job)
      job.resolve(interruptedResult(job, error))
    }
    if (verdict.kill) {
      const culprit = this.jobs.get(verdict.kill.culprit)
      slot.ending = { reason: verdict.kill.error.code, culprit, error: verdict.kill.error }
      void slot.worker.terminate()
    }
  }

  /** The jobs running on `slot`. */
  private jobsOn(slot: Slot<Job>): Job[] {
    return [...this.jobs.values()].filter((job) => job.slot === slot)
  }

  /** A worker is gone: replace it, end the process to blame, run the others again. */
  private onExit(slot: Slot<Job>): void {
    slot.gone = true
    this.calls.abortAll(slot.threadId, new PotokError('WORKER_LOST', 'the worker that made this call is gone'))
    const index = this.slots.indexOf(slot)
    // A worker that dies before it ever started will die again: start the next one later and
    // later (100 ms, doubling up to 30 s) instead of in a tight loop.
    const failedToStart = !slot.started && !slot.ending && !this.closed
    const delay = failedToStart ? Math.min(30_000, 100 * 2 ** this.startFailures++) : 0
    if (slot === this.standby) {
      this.standby = null
      if (failedToStart) setTimeout(() => this.refillStandby(), delay).unref()
      return
    }
    if (index !== -1 && !this.closed) {
      if (failedToStart) {
        setTimeout(() => {
          if (!this.closed && this.slots[index] === slot) this.slots[index] = this.spawn()
        }, delay).unref()
      } else this.slots[index] = this.replacement()
    } else if (index !== -1) this.slots.splice(index, 1)
    const ending = slot.ending ?? { reason: failedToStart ? 'exited before it started' : 'exited unexpectedly' }
    let interrupted = 0
    let retried = 0
    for (const job of this.jobsOn(slot)) {
      this.jobs.delete(job.id)
      job.slot = undefined
      if (this.closed) {
        job.reject(new PotokError('SHUTDOWN', 'the server is shutting down'))
      } else if (job.lastStatus && job.lastStatus !== 'running') {
        // Its end was stored before the worker went: that is its result.
        job.resolve(endedResult(job, job.lastStatus))
      } else if (job === ending.culprit) {
        interrupted++
        job.resolve(interruptedResult(job, ending.error!))
      } else if (++job.attempts > this.retries) {
        interrupted++
        job.resolve(interruptedResult(job, { code: 'WORKER_LOST', message: `the worker running the process stopped ${job.attempts} times (${ending.reason})` }))
      } else {
        retried++
        // From the newest snapshot the store has: wait for the writes still under way.
        job.persisting.then(() => {
          if (this.closed) return job.reject(new PotokError('SHUTDOWN', 'the server is shutting down'))
          job.id = this.jobs.add(job)
          this.dispatch(job)
        })
      }
    }
    slot.running = 0
    if (!this.closed) this.options.onWorkerExit?.({ threadId: slot.threadId, reason: ending.reason, culprit: ending.culprit?.pid, interrupted, retried })
  }
}

function toError(reason: unknown): PotokError {
  if (reason instanceof PotokError) return reason
  return new PotokError('ABORTED', reason instanceof Error ? reason.message : 'the process was stopped')
}

function _positive(text: string | undefined, fallback: number): number {
  const value = Number(text)
  return Number.isFinite(value) && value > 0 ? value : fallback
}
