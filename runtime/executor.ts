/**
 * Durable execution of asynchronous processes. A process is stored `queued` before anyone is
 * told it exists; a server claims it (one atomic claim, a lease with an expiry renewed by
 * heartbeat), runs it in durable mode — a snapshot and step records stored after every step —
 * and stores its end. Queued processes and running ones whose lease expired (their server
 * died) are claimed again and resumed from their last snapshot; timers wait only the rest.
 */
import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { PotokError } from './errors.ts'
import { inThreadRunner, type ProcessRunner } from './runner.ts'
import type { ProcessRecord, ProcessStore, ProcessTrigger, ScenarioRecord } from './store/port.ts'
import type { ProcessResult, RuntimeServices, Variables } from './types.ts'

export interface ExecutorOptions {
  /** This server's name in leases (default host:pid:random). */
  owner?: string
  /** Processes run at once (ASYNC_CONCURRENCY, default 16). */
  concurrency?: number
  /** Lease length; renewed every third of it (default 30 s). */
  leaseMs?: number
  /** How often to look for claimable processes (default 2 s). */
  pollMs?: number
  /** Limit of one asynchronous process (ASYNC_TIMEOUT_MS, default 24 h). */
  asyncTimeoutMs?: number
  services?: RuntimeServices
  /** Where processes run (default: this thread). */
  runner?: ProcessRunner
  /** Reports errors of the loop itself (a store that went away…). */
  onError?: (error: unknown) => void
}

export interface AsyncJob {
  scenario: ScenarioRecord
  input: Variables
  trigger: ProcessTrigger
  processId?: string
  replayOf?: string
  parentId?: string
}

interface Running {
  controller: AbortController
  done: Promise<void>
}

const SHUTDOWN = 'SHUTDOWN'

export class ProcessExecutor {
  readonly owner: string
  private readonly concurrency: number
  private readonly leaseMs: number
  private readonly pollMs: number
  private readonly asyncTimeoutMs: number
  private readonly running = new Map<string, Running>()
  private timers: ReturnType<typeof setInterval>[] = []
  private stopped = true
  private claiming: Promise<void> | null = null
  private again = false

  constructor(private readonly store: ProcessStore, private readonly options: ExecutorOptions = {}) {
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
    this.concurrency = options.concurrency ?? 16
    this.leaseMs = options.leaseMs ?? 30_000
    this.pollMs = options.pollMs ?? 2_000
    this.asyncTimeoutMs = options.asyncTimeoutMs ?? 86_400_000
  }

  /** Starts claiming: now, every `pollMs`, and whenever a process is queued here. */
  start(): void {
    if (!this.stopped) return
    this.stopped = false
    this.timers.push(setInterval(() => this.wake(), this.pollMs))
    this.timers.push(setInterval(() => this.heartbeat(), Math.max(50, Math.floor(this.leaseMs / 3))))
    for (const timer of this.timers) timer.unref()
    this.wake()
  }

  /**
   * Stops claiming and hands running processes back to the store as `queued`, each from its
   * last snapshot, so the next server to start (or another one now) resumes them.
   */
  async stop(): Promise<void> {
    this.stopped = true
    for (const timer of this.timers) clearInterval(timer)
    this.timers = []
    await this.claiming
    for (const run of this.running.values()) run.controller.abort(new PotokError(SHUTDOWN, 'the server is shutting down'))
    await Promise.all([...this.running.values()].map((r) => r.done))
  }

  /** How many processes run here now. */
  get size(): number {
    return this.running.size
  }

  /** Stores a new process as `queued` (the write is awaited), then runs it soon; its id. */
  async enqueue(job: AsyncJob): Promise<string> {
    const id = job.processId ?? randomUUID()
    await this.store.createProcess({
      id,
      scenario: { id: job.scenario.id, version: job.scenario.version },
      trigger: job.trigger,
      status: 'queued',
      input: job.input,
      startedAt: new Date().toISOString(),
      replayOf: job.replayOf ?? null,
      parentId: job.parentId ?? null,
      lease: null,
    })
    this.wake()
    return id
  }

  /**
   * Takes over a process already running in memory (a synchronous request that timed out with
   * `onTimeout: "async"`): stored as running under this server's lease, its end stored when it comes.
   */
  async adopt(job: AsyncJob & { processId: string }, result: Promise<ProcessResult>): Promise<void> {
    await this.store.createProcess({
      id: job.processId,
      scenario: { id: job.scenario.id, version: job.scenario.version },
      trigger: job.trigger,
      status: 'running',
      input: job.input,
      startedAt: new Date().toISOString(),
      lease: { owner: this.owner, expiresAt: new Date(Date.now() + this.leaseMs).toISOString() },
    })
    const controller = new AbortController()
    const startedAt = new Date().toISOString()
    const done = result.then((r) => this.finish(job.processId, r, startedAt), (error) => this.options.onError?.(error))
      .finally(() => this.running.delete(job.processId))
    this.running.set(job.processId, { controller, done })
  }

  /** Stops a process running here (after the store marked it cancelled). */
  abortLocal(id: string, reason: PotokError): boolean {
    const run = this.running.get(id)
    if (!run) return false
    run.controller.abort(reason)
    return true
  }

  /** Looks for claimable processes now (coalesced while a claim is under way). */
  wake(): void {
    if (this.stopped) return
    if (this.claiming) {
      this.again = true
      return
    }
    this.claiming = this.claim().catch((error) => this.options.onError?.(error)).finally(() => {
      this.claiming = null
      if (this.again) {
        this.again = false
        this.wake()
      }
    })
  }

  private async claim(): Promise<void> {
    const free = this.concurrency - this.running.size
    if (free <= 0 || this.stopped) return
    const claimed = await this.store.claimProcesses(this.owner, this.leaseMs, free)
    for (const record of claimed) this.run(record)
    if (claimed.length === free) this.again = true
  }

  private async heartbeat(): Promise<void> {
    const ids = [...this.running.keys()]
    if (!ids.length) return
    try {
      const held = new Set(await this.store.renewLeases(this.owner, ids, this.leaseMs))
      for (const id of ids) {
        if (!held.has(id)) this.abortLocal(id, new PotokError('LEASE_LOST', 'another server holds this process now, or it was cancelled'))
      }
    } catch (error) {
      this.options.onError?.(error)
    }
  }

  private run(record: ProcessRecord): void {
    const controller = new AbortController()
    const done = this.execute(record, controller.signal)
      .catch((error) => this.options.onError?.(error))
      .finally(() => {
        this.running.delete(record.id)
        this.wake()
      })
    this.running.set(record.id, { controller, done })
  }

  private async execute(record: ProcessRecord, signal: AbortSignal): Promise<void> {
    const stored = await this.store.getScenario(record.scenario.id, record.scenario.version)
    if (!stored) {
      await this.store.transitionProcess(record.id, ['running'], {
        status: 'failed', finishedAt: new Date().toISOString(), lease: null,
        error: { code: 'SCENARIO_NOT_FOUND', message: `scenario ${record.scenario.id} version ${record.scenario.version} is not stored` },
      }, this.owner)
      return
    }
    const elapsed = Date.now() - Date.parse(record.startedAt)
    const options = {
      processId: record.id,
      signal,
      timeoutMs: Math.max(1, this.asyncTimeoutMs - elapsed),
      services: this.options.services,
      persist: async ({ snapshot, steps }: { snapshot: unknown; steps: ProcessResult['steps'] }) => {
        await this.store.updateProcess(record.id, { snapshot }, steps)
      },
    }
    const runner = this.options.runner ?? inThreadRunner
    const result = record.snapshot
      ? await runner.resume(stored.scenario, record.snapshot, options)
      : await runner.start(stored.scenario, record.input, options)
    const reason = signal.reason as PotokError | undefined
    if (result.status === 'interrupted' && reason?.code === SHUTDOWN) {
      // Handed back: the next claim resumes it from the snapshot stored after its last step.
      await this.store.transitionProcess(record.id, ['running'], { status: 'queued', lease: null }, this.owner)
      return
    }
    if (result.status === 'interrupted' && reason?.code === 'LEASE_LOST') return
    await this.finish(record.id, result, record.startedAt)
  }

  /** Stores a process's end, while this server still holds it. */
  private async finish(id: string, result: ProcessResult, startedAt: string): Promise<void> {
    await this.store.transitionProcess(id, ['running'], {
      status: result.status,
      output: result.output,
      error: result.error,
      snapshot: result.snapshot,
      finishedAt: result.finishedAt,
      durationMs: Date.parse(result.finishedAt) - Date.parse(startedAt),
      lease: null,
    }, this.owner)
  }
}
