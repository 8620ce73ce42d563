/**
 * Running processes: `startProcess` runs a scenario with input variables to its end (or failure,
 * or interruption) and `resumeProcess` continues one from a persisted snapshot on a fresh actor.
 * Both return the process as docs/processes.md describes it; storage plugs in through `options.persist`.
 */
import { createActor, type AnyActor } from 'xstate'
import { clock } from './clock.ts'
import { compileScenario, type CompiledScenario, type ProcessContext } from './compile.ts'
import { PotokError } from './errors.ts'
import { runtimeLimits } from './limits.ts'
import { newProcessId } from './process-id.ts'
import { addLive, removeLive, sliceMs, stopRunningSteps, type LiveProcess } from './live.ts'
import { getSandbox } from './sandbox.ts'
import type { ProcessError, ProcessResult, ProcessStatus, Scenario, StartOptions, Variables } from './types.ts'
import { ScopeSize } from './variables.ts'

const STEP = { type: 'STEP' } as const
const RETRY = { type: 'RETRY' } as const

/**
 * Runs one process of `scenario` with `input` as its initial variables.
 * @example
 * const result = await startProcess(greet, { body: { name: 'Ada', n: 1 } })
 * result.status // 'completed'; result.output.$body → { greeting: 'Hello, Ada', next: 2 }
 */
export async function startProcess(scenario: Scenario, input: Variables, options: StartOptions = {}): Promise<ProcessResult> {
  const compiled = compileScenario(scenario)
  const pid = options.processId ?? newProcessId()
  const context: ProcessContext = {
    pid,
    vars: input ?? {},
    stepCount: 0,
    error: null,
    fatal: false,
    route: -1,
    deadlines: {},
    maxSteps: options.maxSteps ?? runtimeLimits().maxSteps,
    maxDataBytes: options.maxDataBytes ?? runtimeLimits().maxDataBytes,
    stepwise: options.stepwise ?? Boolean(options.persist),
  }
  // Durable runs take a snapshot after every node, so they need a state per node.
  const machine = context.stepwise ? compiled.durableMachine : compiled.machine
  return run(compiled, context, options, () => createActor(machine, { input: context, id: pid }))
}

/**
 * Continues a process from a snapshot persisted after any step (`ProcessResult.snapshot` or the
 * `persist` hook's), on a fresh actor. The activity that was running when it was taken runs
 * again; timers wait only what is left of their pause.
 */
export async function resumeProcess(scenario: Scenario, snapshot: unknown, options: StartOptions = {}): Promise<ProcessResult> {
  const compiled = compileScenario(scenario)
  const context = (snapshot as { context?: ProcessContext } | null)?.context
  if (!context || typeof context.pid !== 'string' || typeof context.vars !== 'object') {
    throw new PotokError('INVALID_SNAPSHOT', 'the snapshot is not a persisted potok process snapshot')
  }
  const status = (snapshot as { status?: string }).status
  if (status !== 'active') {
    throw new PotokError('INVALID_SNAPSHOT', `the snapshot is of a process that has ended (${status}); only an interrupted or failed process can be resumed`)
  }
  const stepwise = options.stepwise ?? Boolean(options.persist)
  const restored = { ...(snapshot as object), context: { ...context, stepwise } }
  return run(compiled, restored.context, { ...options, processId: context.pid }, () => createActor(compiled.durableMachine, { snapshot: restored as any, id: context.pid }), true)
}

async function run(compiled: CompiledScenario, context: ProcessContext, options: StartOptions, makeActor: (live: LiveProcess) => AnyActor, resuming = false): Promise<ProcessResult> {
  const sandbox = await getSandbox()
  const pid = context.pid
  const started = new Date(clock.now())
  const live: LiveProcess = {
    info: { id: pid, scenarioId: compiled.scenario.id, scenarioVersion: compiled.scenario.version, depth: options.depth ?? 0 },
    compiled,
    sandbox,
    services: options.services ?? {},
    steps: [],
    changed: options.persist ? new Set() : null,
    size: undefined as unknown as ScopeSize,
    running: new Map(),
    sliceEnd: performance.now() + sliceMs(),
    waiting: new Map(),
    watchTag: options.watchTag ?? 0,
  }
  let sizeError: PotokError | null = null
  try {
    live.size = new ScopeSize(context.maxDataBytes, context.vars)
  } catch (error) {
    sizeError = error as PotokError
  }
  if (!addLive(live)) throw new PotokError('ALREADY_RUNNING', `process ${pid} is already running here`)

  const actor = makeActor(live)
  live.actor = actor
  let persistQueue: Promise<void> = Promise.resolve()
  let persistFailure: unknown = null
  let lastSnapshot: unknown = null

  const persist = (status: ProcessStatus, final = false) => {
    if (!options.persist || !live.changed) {
      // Without a hook only the last snapshot matters: the caller records the process once.
      if (final) lastSnapshot = actor.getPersistedSnapshot()
      return
    }
    lastSnapshot = actor.getPersistedSnapshot()
    const update = { processId: pid, snapshot: lastSnapshot, steps: [...live.changed], status }
    live.changed.clear()
    persistQueue = persistQueue
      .then(() => options.persist!(update))
      .catch((error) => {
        persistFailure ??= error
      })
  }

  return new Promise<ProcessResult>((resolve, reject) => {
    let settled = false
    let restoring = false
    let timer: ReturnType<typeof setTimeout> | undefined

    const settle = (status: ProcessStatus, error: ProcessError | null, vars: Variables, wakeAt?: string, waitingFor?: string[]) => {
      if (settled) return
      settled = true
      if (timer) clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
      removeLive(pid)
      const finished = new Date(clock.now())
      const result: ProcessResult = {
        processId: pid,
        status,
        output: vars,
        error,
        steps: live.steps,
        snapshot: lastSnapshot,
        startedAt: started.toISOString(),
        finishedAt: finished.toISOString(),
        durationMs: finished.getTime() - started.getTime(),
        ...(wakeAt ? { wakeAt } : {}),
        ...(waitingFor?.length ? { waitingFor } : {}),
      }
      persistQueue.then(() => (persistFailure ? reject(persistFailure) : resolve(result)))
    }

    /** Stops the actor (aborting what runs) and reports the process as interrupted. */
    const interrupt = (code: string, message: string) => {
      if (settled) return
      const snapshot = actor.getSnapshot()
      const ctx = snapshot.context as ProcessContext
      const running = [...live.running.values()]
      const nodeId = running[running.length - 1]?.nodeId
      const status = code === 'CANCELLED' ? 'cancelled' : 'interrupted'
      stopRunningSteps(live, status, { code, message })
      persist(status, true)
      actor.stop()
      settle(status, { code, message, ...(nodeId ? { nodeId } : {}), variables: ctx.vars }, ctx.vars)
    }
    live.stop = (reason) => interrupt(reason.code, reason.message)

    /**
     * Parks a process that only waits — on timers, or on other processes (`ctx.park`) — once the
     * snapshot of that state is stored: the host resumes it from that snapshot at the nearest
     * deadline (the timers wait only the rest) or when a process it waits on ends (the waiting
     * activity runs again).
     */
    const park = (parked: unknown) => {
      if (settled || persistFailure || actor.getSnapshot() !== parked) return
      const running = [...live.running.values()]
      if (!running.length || running.some((step) => live.compiled.plans.get(step.nodeId)?.kind !== 'wait' && !live.waiting.has(step.nodeId))) return
      const ctx = (parked as { context: ProcessContext }).context
      // The nearest deadline: a timer's, or a timeout boundary's on a waiting activity.
      const timers = running.filter((step) => !live.waiting.has(step.nodeId))
      const deadlines = [...timers.map((step) => ctx.deadlines[step.nodeId] ?? 0), ...Object.values(ctx.deadlines)]
      const wake = deadlines.length ? Math.min(...deadlines) : Infinity
      if (wake - clock.now() <= options.parkAfterMs!) return
      settle('queued', null, ctx.vars, wake === Infinity ? undefined : new Date(wake).toISOString(), [...live.waiting.values()])
      actor.stop()
    }
    if (options.parkAfterMs !== undefined && options.persist) {
      live.park = () => {
        const current = actor.getSnapshot()
        persistQueue.then(() => park(current))
      }
    }

    const onAbort = () => {
      const reason = options.signal?.reason
      const code = reason instanceof PotokError ? reason.code : 'ABORTED'
      interrupt(code, reason instanceof Error ? reason.message : 'the process was stopped')
    }

    actor.subscribe({
      next: (snapshot) => {
        // The restored snapshot itself is announced on start: it is already stored.
        if (settled || restoring) return
        const ctx = snapshot.context as ProcessContext
        if (snapshot.status === 'done') {
          persist('completed', true)
          settle('completed', null, ctx.vars)
        } else if (snapshot.value === 'failed') {
          persist('failed', true)
          settle('failed', ctx.error, ctx.vars)
          actor.stop()
        } else {
          persist('running')
          // Durable mode: the next step starts once this one's snapshot is stored.
          if (ctx.stepwise && snapshot.can(STEP))
            persistQueue.then(() => {
              if (!settled) actor.send(STEP)
            })
          else if (options.parkAfterMs !== undefined && options.persist) persistQueue.then(() => park(snapshot))
          else if (live.yielding && snapshot.can(STEP)) {
            // A long synchronous run rests a turn (see `sliceMs`); the rest is a fresh slice.
            options.checkpoint?.(actor.getPersistedSnapshot())
            setImmediate(() => {
              live.yielding = false
              live.sliceEnd = performance.now() + sliceMs()
              if (!settled) actor.send(STEP)
            })
          } else live.sliceEnd = performance.now() + sliceMs()
        }
      },
      error: (error) => {
        if (settled) return
        const ctx = actor.getSnapshot().context as ProcessContext
        settle('failed', { code: 'INTERNAL_ERROR', message: `potok failed to run the process: ${(error as Error)?.message ?? error}`, variables: ctx?.vars }, ctx?.vars ?? {})
      },
    })

    if (options.signal?.aborted) return onAbort()
    options.signal?.addEventListener('abort', onAbort, { once: true })
    if (options.timeoutMs !== undefined && options.timeoutMs > 0) {
      timer = setTimeout(() => interrupt('TIMEOUT', `the process ran longer than ${options.timeoutMs} ms`), options.timeoutMs)
    }
    if (sizeError) {
      lastSnapshot = null
      return settle('failed', { code: sizeError.code, message: sizeError.message, variables: {} }, context.vars)
    }
    restoring = resuming
    actor.start()
    restoring = false
    // A restored snapshot rests at `failed` (retry the failed node) or on a node waiting for its STEP.
    const first = actor.getSnapshot()
    if (resuming && first.value === 'failed') actor.send(RETRY)
    else if (resuming && first.status === 'active' && first.can(STEP)) actor.send(STEP)
  })
}
