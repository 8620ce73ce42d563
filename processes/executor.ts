/**
 * Durable execution of asynchronous processes. A process is stored `queued` before anyone is
 * told it exists; a server claims it (one atomic claim in a small batch, raising its fence), runs
 * it in durable mode — a snapshot and the step records committed before every activity or timer
 * (instant steps go with the next commit) — and commits its end. Every write of the owner is
 * fenced: applied only while its claim is the latest and its lease held (each write also renews
 * the lease; a heartbeat renews it between steps), so a server that stalled past its lease can
 * never move the process on. An activity starts only after what came before it is committed:
 * each step runs once, except an activity cut mid-flight by a crash, which runs again on resume
 * (and instant steps, harmless to repeat).
 *
 * The end (status, output, final snapshot, last steps) is one write. A process waiting only on
 * timers, or on children (a `sync` subProcess), is parked: stored `queued` with its wake time
 * and resumed by whichever server claims it then (the store's due-time index), so waiting holds
 * no slot and no memory. A child's end makes its parked parent due at once (`wakeProcess`).
 *
 * Synchronous processes are hosted (`host`): recorded `running` under this server's lease while
 * the caller waits; a server that finds such a lease expired records the process `interrupted`.
 */
import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { getComponent } from '../runtime/registry.ts'
import { ENDED_STATUSES } from '../runtime/children.ts'
import { clock, type TimerHandle } from '../runtime/clock.ts'
import { PotokError } from '../runtime/errors.ts'
import { KeyedTable } from '../runtime/handle-table.ts'
import { newProcessId } from '../runtime/process-id.ts'
import { inThreadRunner, type ProcessRunner } from '../runtime/runner.ts'
import type { CommitPatch, ProcessLease, ProcessRecord, ProcessStore, ProcessTrigger, ScenarioRecord } from '../store/port.ts'
import type { ProcessResult, ProcessStatus, RuntimeServices, StepRecord, Variables } from '../runtime/types.ts'

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
  /** Called when a process this executor ran (or adopted) ends and its end is stored. */
  onEnd?: (end: ProcessEnd) => void
  /** A process waiting only on timers further away than this is parked (default 1 s). */
  parkAfterMs?: number
  /**
   * A process parked waiting on a child is woken when the child ends; it is also woken this
   * long after parking (default twice the lease) to look again — the net for a wake lost to a
   * crash between the child's end and that wake, or for a child ended from outside (cancelled).
   */
  waitRecheckMs?: number
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

/** A synchronous process recorded `running` under this server's lease while it runs here. */
export interface HostedProcess {
  /** Fires when the lease is lost (cancelled, or another server took it after a stall). */
  signal: AbortSignal
  /** The process's fence: its end is committed under it. */
  lease: ProcessLease
  /** The process ended and its end is stored (or it failed to start): stop renewing. */
  release(): void
}

/** What the executor reports when a process it ran ends (for metrics). */
export interface ProcessEnd {
  processId: string
  scenarioId: string
  status: ProcessStatus
  durationMs: number
  trigger: ProcessTrigger
  replayOf?: string | null
}

const SHUTDOWN = 'SHUTDOWN'
const LEASE_LOST = 'LEASE_LOST'
/** Claims are small, so the first claimed process starts long before its lease is at risk. */
const CLAIM_BATCH = 8

export class ProcessExecutor {
  readonly owner: string
  private readonly concurrency: number
  private readonly leaseMs: number
  private readonly pollMs: number
  private readonly asyncTimeoutMs: number
  private readonly parkAfterMs: number
  private readonly waitRecheckMs: number
  /** Processes running here by id (tables, not Maps: see runtime/handle-table.ts). */
  private readonly running = new KeyedTable<string, Running>()
  /** Synchronous processes whose leases the heartbeat renews (they hold no executor slot). */
  private readonly hosted = new KeyedTable<string, AbortController>()
  private timers: ReturnType<typeof setInterval>[] = []
  private wakeTimer: TimerHandle | undefined
  private wakeAt = Infinity
  private stopped = true
  private claiming: Promise<void> | null = null
  private again = false
  private housekeeping = false

  constructor(
    private readonly store: ProcessStore,
    private readonly options: ExecutorOptions = {},
  ) {
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
    this.concurrency = options.concurrency ?? 16
    this.leaseMs = options.leaseMs ?? 30_000
    this.pollMs = options.pollMs ?? 2_000
    this.asyncTimeoutMs = options.asyncTimeoutMs ?? 86_400_000
    this.parkAfterMs = options.parkAfterMs ?? 1_000
    this.waitRecheckMs = options.waitRecheckMs ?? 2 * this.leaseMs
  }

  /** Starts claiming: now, every `pollMs`, and whenever a process is queued here. */
  start(): void {
    if (!this.stopped) return
    this.stopped = false
    this.timers.push(setInterval(() => this.wake(), this.pollMs))
    this.timers.push(setInterval(() => this.heartbeat(), Math.max(50, Math.floor(this.leaseMs / 3))))
    if (this.store.archiveEnded) this.timers.push(setInterval(() => this.housekeep(), this.pollMs))
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
    clock.clearTimeout(this.wakeTimer)
    this.wakeAt = Infinity
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
    const id = job.processId ?? newProcessId()
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
   * Records a synchronous process `running` under this server's lease before it starts (the
   * write is awaited): it is listed, can be cancelled from any server, and if this server dies
   * another one records it `interrupted` (resumable) when the lease expires. The heartbeat
   * renews the lease until `release()`; it holds no executor slot.
   */
  async host(job: AsyncJob & { processId: string; startedAt: string }): Promise<HostedProcess> {
    const controller = new AbortController()
    this.hosted.set(job.processId, controller)
    try {
      await this.store.createProcess({
        id: job.processId,
        scenario: { id: job.scenario.id, version: job.scenario.version },
        trigger: job.trigger,
        status: 'running',
        input: job.input,
        startedAt: job.startedAt,
        replayOf: null,
        parentId: job.parentId ?? null,
        lease: { owner: this.owner, expiresAt: new Date(Date.now() + this.leaseMs).toISOString() },
      })
    } catch (error) {
      this.hosted.delete(job.processId)
      throw error
    }
    return {
      signal: controller.signal,
      lease: { owner: this.owner, fence: 0 },
      release: () => {
        if (this.hosted.get(job.processId) === controller) this.hosted.delete(job.processId)
      },
    }
  }

  /**
   * Takes over a hosted synchronous process still running in memory (a request that timed out
   * with `onTimeout: "async"`): its end — steps included — is committed under its lease when it comes.
   */
  adopt(job: AsyncJob & { processId: string }, hosted: HostedProcess, result: Promise<ProcessResult>): void {
    const controller = new AbortController()
    const done = result
      .then(
        async (r) => {
          await this.finish(job.processId, hosted.lease, r, r.steps, job)
        },
        (error) => this.options.onError?.(error),
      )
      .catch((error) => this.options.onError?.(error))
      .finally(() => hosted.release())
    this.running.set(job.processId, { controller, done: done.finally(() => this.running.delete(job.processId)) })
  }

  /** Stops a process running here (after the store marked it cancelled). */
  abortLocal(id: string, reason: PotokError): boolean {
    const run = this.running.get(id) ?? this.hosted.get(id)
    if (!run) return false
    ;(run instanceof AbortController ? run : run.controller).abort(reason)
    return true
  }

  /** Looks for claimable processes now (coalesced while a claim is under way). */
  wake(): void {
    if (this.stopped) return
    if (this.claiming) {
      this.again = true
      return
    }
    this.claiming = this.claim()
      .catch((error) => this.options.onError?.(error))
      .finally(() => {
        this.claiming = null
        if (this.again) {
          this.again = false
          this.wake()
        }
      })
  }

  /** Wakes at `at` (a process parked here): timers fire on time, not at the next poll. */
  private wakeLater(at: string): void {
    const time = Date.parse(at)
    if (this.stopped || !(time < this.wakeAt)) return
    clock.clearTimeout(this.wakeTimer)
    this.wakeAt = time
    // On the clock the store's wake times are compared with (runtime/clock.ts).
    this.wakeTimer = clock.setTimeout(
      () => {
        this.wakeAt = Infinity
        this.wake()
      },
      Math.max(0, time - clock.now()),
      { unref: true },
    )
  }

  private async claim(): Promise<void> {
    const free = this.concurrency - this.running.size
    if (free <= 0 || this.stopped) return
    const batch = Math.min(free, CLAIM_BATCH)
    const claimedAt = Date.now()
    const claimed = await this.store.claimProcesses(this.owner, this.leaseMs, batch)
    for (const record of claimed) this.run(record, claimedAt)
    if (claimed.length === batch && free > batch) this.again = true
  }

  /** The store's housekeeping after ends (`archiveEnded`), one round at a time, until it has caught up. */
  private async housekeep(): Promise<void> {
    if (this.housekeeping) return
    this.housekeeping = true
    try {
      for (let round = 0; round < 20 && !this.stopped; round++) if ((await this.store.archiveEnded!()) === 0) break
    } catch (error) {
      this.options.onError?.(error)
    } finally {
      this.housekeeping = false
    }
  }

  private async heartbeat(): Promise<void> {
    const ids = [...this.running.keys(), ...this.hosted.keys()]
    if (!ids.length) return
    try {
      const held = new Set(await this.store.renewLeases(this.owner, ids, this.leaseMs))
      for (const id of ids) {
        if (!held.has(id)) this.abortLocal(id, new PotokError(LEASE_LOST, 'another server holds this process now, or it was cancelled'))
      }
    } catch (error) {
      this.options.onError?.(error)
    }
  }

  private run(record: ProcessRecord, claimedAt: number): void {
    // Claimed again by this same server (it stalled past its lease): the old run is fenced out.
    this.running.get(record.id)?.controller.abort(new PotokError(LEASE_LOST, 'this process was claimed again'))
    const controller = new AbortController()
    const done = this.execute(record, controller, claimedAt)
      .catch((error) => this.options.onError?.(error))
      .finally(() => {
        if (this.running.get(record.id)?.controller === controller) this.running.delete(record.id)
        this.wake()
      })
    this.running.set(record.id, { controller, done })
  }

  private async execute(record: ProcessRecord, controller: AbortController, claimedAt: number): Promise<void> {
    const lease: ProcessLease = { owner: this.owner, fence: record.rev ?? 0 }
    const { signal } = controller
    // The claim, the lease and the start are one step. A fresh start's first step (the start
    // node) is committed, fenced, before any activity runs; a resumed process re-runs its
    // activity at once, and a claim that took long may have outlived its lease: then the lease
    // is checked (and renewed) by a fenced write before anything runs.
    const late = Date.now() - claimedAt > this.leaseMs / 4
    if ((record.snapshot || late) && !(await this.store.commitProcess(record.id, lease, {}, [], this.leaseMs))) return
    /** When the lease was last renewed by a fenced write (the claim counts as one). */
    let committedAt = record.snapshot || late ? Date.now() : claimedAt
    const ended = endedSnapshot(record.snapshot, record.reclaimed === true)
    if (ended) {
      // Its end was reached but not recorded (a crash between the two writes of older versions).
      await this.finish(
        record.id,
        lease,
        { ...ended, processId: record.id, snapshot: record.snapshot, steps: [], startedAt: record.startedAt, finishedAt: new Date().toISOString(), durationMs: 0 },
        [],
        record,
      )
      return
    }
    if (record.reclaimed && !record.trigger.async && record.trigger.type !== '$subProcess' && !record.snapshot) {
      // A synchronous process whose server died: its caller is gone; kept resumable.
      await this.finish(
        record.id,
        lease,
        {
          processId: record.id,
          status: 'interrupted',
          output: record.input,
          snapshot: null,
          steps: [],
          error: { code: 'SERVER_LOST', message: 'the server running this synchronous process stopped before it ended; resume it to run it again' },
          startedAt: record.startedAt,
          finishedAt: new Date().toISOString(),
          durationMs: 0,
        },
        [],
        record,
      )
      return
    }
    const stored = await this.store.getScenario(record.scenario.id, record.scenario.version)
    if (!stored) {
      await this.store.commitProcess(record.id, lease, {
        status: 'failed',
        finishedAt: new Date().toISOString(),
        lease: null,
        error: { code: 'SCENARIO_NOT_FOUND', message: `scenario ${record.scenario.id} version ${record.scenario.version} is not stored` },
      })
      return
    }
    const elapsed = Date.now() - Date.parse(record.startedAt)
    // Step records of the end: written with the final status in one commit.
    const endSteps: StepRecord[] = []
    const options = {
      processId: record.id,
      signal,
      // A durable child's sub-process depth, from its record (any server may run it).
      depth: record.trigger.depth,
      timeoutMs: Math.max(1, this.asyncTimeoutMs - elapsed),
      services: this.options.services,
      parkAfterMs: this.parkAfterMs,
      persist: async ({ snapshot, steps, status }: { snapshot: unknown; steps: StepRecord[]; status: ProcessStatus }) => {
        // Steps not committed yet go with the next commit (or the end).
        endSteps.push(...steps)
        if (status !== 'running') return
        // Instant steps (assignments, gateways…) have no effect outside the process: running
        // them again after a crash is harmless, so they need no commit of their own while the
        // lease is surely still held (renewed by the last commit less than a third of it ago:
        // nobody can have claimed the process since). Activities and timers always commit.
        if (Date.now() - committedAt < this.leaseMs / 3 && steps.every(isInstant)) return
        if (!(await this.commit(record.id, lease, { snapshot }, endSteps.splice(0), this.leaseMs, committedAt))) {
          const lost = new PotokError(LEASE_LOST, 'another server holds this process now, or it was cancelled')
          controller.abort(lost)
          throw lost
        }
        committedAt = Date.now()
      },
    }
    const runner = this.options.runner ?? inThreadRunner
    const result = record.snapshot ? await runner.resume(stored.scenario, record.snapshot, options) : await runner.start(stored.scenario, record.input, options)
    const reason = signal.reason as PotokError | undefined
    if (reason?.code === LEASE_LOST) return
    if (result.status === 'interrupted' && reason?.code === SHUTDOWN) {
      // Handed back: the next claim resumes it from the snapshot taken when it stopped.
      await this.commit(record.id, lease, { status: 'queued', lease: null, snapshot: result.snapshot }, endSteps)
      return
    }
    if (result.status === 'queued' && (result.wakeAt || result.waitingFor?.length)) {
      // Parked at a timer or waiting on children: no slot, no memory; any server resumes it at
      // wakeAt, or when a child it waits on ends (that child's end wakes it).
      const waitingFor = result.waitingFor ?? []
      const recheck = waitingFor.length ? new Date(Date.now() + this.waitRecheckMs).toISOString() : undefined
      const wakeAt = [result.wakeAt, recheck].filter((at): at is string => !!at).sort()[0]!
      if (await this.commit(record.id, lease, { status: 'queued', lease: null, wakeAt, snapshot: result.snapshot }, endSteps)) {
        this.wakeLater(wakeAt)
        // A child that ended before this park was stored found its parent still running: its
        // wake was lost, so the parent looks once more now that it is parked.
        if (waitingFor.length) await this.wakeIfEnded(record.id, waitingFor)
      }
      return
    }
    await this.finish(record.id, lease, result, endSteps, record)
  }

  /** Wakes a parked parent now when one of the children it waits on has ended. */
  private async wakeIfEnded(parentId: string, children: string[]): Promise<void> {
    const ended = await Promise.all(children.map(async (id) => ENDED_STATUSES.has((await this.store.getProcess(id))?.status ?? 'queued')))
    if (ended.some(Boolean) && (await this.store.wakeProcess(parentId))) this.wake()
  }

  /**
   * A fenced commit, tried again while the store is only slow or briefly away (a timeout, a
   * store marked down, contention) and the lease may still be this server's: giving up at once
   * would leave the process to be claimed again from its previous snapshot, so the activity it
   * just ran would run twice. Fencing makes a retry safe: a commit whose lease was lost is
   * refused, whichever attempt lands.
   */
  private async commit(id: string, lease: ProcessLease, patch: CommitPatch, steps: StepRecord[], leaseMs?: number, since = Date.now()): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.store.commitProcess(id, lease, patch, steps, leaseMs)
      } catch (error) {
        const wait = Math.min(1_000, 100 * 2 ** attempt)
        if (!TRANSIENT_STORE_ERRORS.has((error as PotokError).code) || Date.now() + wait - since >= this.leaseMs) throw error
        await new Promise((resolve) => setTimeout(resolve, wait))
      }
    }
  }

  /** Stores a process's end — status, output, final snapshot and last steps — as one fenced write. */
  private async finish(
    id: string,
    lease: ProcessLease,
    result: ProcessResult,
    steps: StepRecord[],
    record: { startedAt?: string; scenario: { id: string }; trigger: ProcessTrigger; replayOf?: string | null; parentId?: string | null },
  ): Promise<void> {
    const startedAt = record.startedAt ?? result.startedAt
    const durationMs = Math.max(0, Date.parse(result.finishedAt) - Date.parse(startedAt))
    const committed = await this.commit(
      id,
      lease,
      { status: result.status, output: result.output, error: result.error, snapshot: result.snapshot, finishedAt: result.finishedAt, durationMs, lease: null },
      steps,
    )
    if (!committed) return
    this.options.onEnd?.({ processId: id, scenarioId: record.scenario.id, status: result.status, durationMs, trigger: record.trigger, replayOf: record.replayOf })
    if (record.parentId && record.trigger.type === '$subProcess' && !record.trigger.async) {
      // The parent waits parked for this child: due now, on whichever server claims it first
      // (here at once). A crash before this write leaves it to the parent's recheck.
      if (await this.store.wakeProcess(record.parentId)) this.wake()
    }
  }
}

/** Store failures that pass: a commit that met one is tried again while the lease holds. */
const TRANSIENT_STORE_ERRORS = new Set(['STORE_TIMEOUT', 'STORE_UNAVAILABLE', 'STORE_CONTENTION'])

/** A step that ran inside one step and touched nothing outside the process (its component says so). */
function isInstant(step: StepRecord): boolean {
  if (step.status === 'running') return false
  const component = getComponent(step.type)
  return component?.instant ?? component?.kind === 'sync'
}

/**
 * The end a stored snapshot reached (`done`, or resting at `failed`), if it did. A `failed`
 * snapshot is an end only when its server died before recording it (`reclaimed`): a failed
 * process someone resumed is queued with that same snapshot, to enter its failed node again.
 */
function endedSnapshot(snapshot: unknown, reclaimed: boolean): Pick<ProcessResult, 'status' | 'output' | 'error'> | null {
  const taken = snapshot as { status?: string; value?: unknown; context?: { vars?: Variables; error?: ProcessResult['error'] } } | null
  if (!taken || typeof taken !== 'object') return null
  const vars = taken.context?.vars ?? {}
  if (taken.status === 'done') return { status: 'completed', output: vars, error: null }
  if (taken.value === 'failed' && reclaimed) return { status: 'failed', output: vars, error: taken.context?.error ?? { code: 'PROCESS_FAILED', message: 'the process failed' } }
  return null
}
