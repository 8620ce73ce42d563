/**
 * Host-side state of running processes. A compiled machine is shared by every process of a
 * scenario version, and XState context must stay JSON (it is persisted), so what cannot be
 * persisted — the sandbox, host services, step records, the scope's size — lives here, found
 * through `context.pid`.
 */
import type { AnyActor } from 'xstate'
import { clock, isoTime, msOfIso } from './clock.ts'
import type { CompiledScenario } from './compile.ts'
import { toPotokError, type PotokError } from './errors.ts'
import type { Sandbox } from './sandbox.ts'
import type { ComponentContext, ProcessError, ProcessInfo, RuntimeServices, StepRecord, Variables, VariableWrite } from './types.ts'
import { type ScopeSize, applyWrites } from './variables.ts'
import { runtimeLimits } from './limits.ts'
import { KeyedTable } from './handle-table.ts'

export interface LiveProcess {
  info: ProcessInfo
  compiled: CompiledScenario
  sandbox: Sandbox
  services: RuntimeServices
  actor?: AnyActor
  steps: StepRecord[]
  /** Step records created or finished since the last persist call (null: nothing persists them). */
  changed: Set<StepRecord> | null
  size: ScopeSize
  /** The step record of each node now running (activities, timers). */
  running: Map<string, StepRecord>
  /** Stops the process: `CANCELLED` → status `cancelled`, any other code → `interrupted`. */
  stop?: (reason: PotokError) => void
  /** `performance.now()` after which a synchronous run yields the thread (see `SLICE_MS`). */
  sliceEnd: number
  /** Set when the run rests for a turn of the event loop; `run` sends STEP and clears it. */
  yielding?: boolean
  /** Activities waiting on a process outside this one (node id → that process's id). */
  waiting: Map<string, string>
  /** The host's `beforeActivity`, asked once per run: every later activity awaits the same answer. */
  cleared?: Promise<void>
  /** Set when the run can park (durable, on a host that resumes it): parks once only waiting remains. */
  park?: () => void
  /** What this thread's `WorkWatch` knows the process by (`StartOptions.watchTag`). */
  watchTag: number
}

/** How long a synchronous run keeps the thread before it yields (SLICE_MS, default 10 ms). */
export function sliceMs(): number {
  return runtimeLimits().sliceMs
}

/**
 * Stops a process running in this server (a synchronous one the caller is waiting for, or an
 * asynchronous one); false when it does not run here.
 */
export function stopLiveProcess(pid: string, reason: PotokError): boolean {
  const stop = findLive(pid)?.stop
  if (stop) {
    stop(reason)
    return true
  }
  for (const host of remoteHosts) if (host(pid, reason)) return true
  return false
}

/**
 * The processes running in this thread, by id: a `KeyedTable`, not a `Map` (see
 * `handle-table.ts` for what a long-lived Map of processes costs).
 */
const liveTable = new KeyedTable<string, LiveProcess>()

/** Makes `entry` findable by its id while it runs; false when a process of that id already runs here. */
export function addLive(entry: LiveProcess): boolean {
  if (liveTable.has(entry.info.id)) return false
  liveTable.set(entry.info.id, entry)
  return true
}

export function removeLive(pid: string): void {
  liveTable.delete(pid)
}

export function findLive(pid: string): LiveProcess | undefined {
  return liveTable.get(pid)
}

/**
 * Hosts running processes on other threads (a worker pool registers itself once): each stops
 * the process of that id if it runs it, and says whether it did.
 */
export const remoteHosts = new Set<(pid: string, reason: PotokError) => boolean>()

export function liveProcess(pid: string): LiveProcess {
  const found = findLive(pid)
  if (!found) throw new Error(`process ${pid} is not running here`)
  return found
}

export function startStep(live: LiveProcess, index: number, nodeId: string, type: string, status: StepRecord['status'] = 'running', startedAt = clock.now()): StepRecord {
  const step: StepRecord = { index, nodeId, type, startedAt: isoTime(startedAt), status }
  live.steps.push(step)
  live.changed?.add(step)
  if (status === 'running') live.running.set(nodeId, step)
  return step
}

export function finishStep(live: LiveProcess, step: StepRecord, error?: ProcessError | null): void {
  const finished = clock.now()
  step.finishedAt = isoTime(finished)
  step.durationMs = finished - msOfIso(step.startedAt)
  step.status = error ? 'failed' : 'completed'
  if (error) step.error = { code: error.code, message: error.message }
  if (live.running.get(step.nodeId) === step) live.running.delete(step.nodeId)
  live.changed?.add(step)
}

/** Closes the steps still running when the process is stopped (`cancelled` or `interrupted`). */
export function stopRunningSteps(live: LiveProcess, status: 'cancelled' | 'interrupted', error: { code: string; message: string }): void {
  const finished = clock.now()
  for (const step of live.running.values()) {
    step.finishedAt = isoTime(finished)
    step.durationMs = finished - msOfIso(step.startedAt)
    step.status = status
    step.error = error
    live.changed?.add(step)
  }
  live.running.clear()
}

/** A thrown value as the process error of `nodeId`, with the variables at that moment. */
export function processError(value: unknown, nodeId: string, vars: Variables): ProcessError {
  const error = toPotokError(value)
  return { code: error.code, message: error.message, nodeId: error.nodeId ?? nodeId, ...(error.details ? { details: error.details } : {}), variables: vars }
}

/** Applies a step's writes, keeping the scope's size in check (throws DATA_LIMIT); the step keeps them. */
export function applyStepWrites(live: LiveProcess, step: StepRecord, vars: Variables, writes: VariableWrite[]): Variables {
  if (!writes.length) return vars
  step.writes = writes
  const result = applyWrites(vars, writes)
  live.size.update(vars, result.vars, result.touched)
  return result.vars
}

/** What a component's `run` receives. */
export function componentContext<C>(live: LiveProcess, nodeId: string, config: C, vars: Variables, signal: AbortSignal, step?: number): ComponentContext<C> {
  const { sandbox } = live
  const park = live.park
  return {
    config,
    nodeId,
    vars,
    signal,
    step: step ?? live.running.get(nodeId)?.index ?? live.steps.length,
    ...(park ? { park: (on: { processId: string }) => waitOutside(live, nodeId, on.processId, signal, park) } : {}),
    process: live.info,
    services: live.services,
    evaluate: (source) => sandbox.evaluate([sandbox.compile(source)], vars)[0],
    evaluateAll: (sources) =>
      sandbox.evaluate(
        sources.map((s) => sandbox.compile(s)),
        vars,
      ),
    assign: (list) =>
      sandbox.assign(
        list.map((a) => ({ path: a.path, expr: sandbox.compile(a.value) })),
        vars,
      ),
    runCode: (source, inputs, timeoutMs) => sandbox.runCode(sandbox.compileCode(source, Object.keys(inputs)), inputs, timeoutMs),
  }
}

/**
 * An activity waiting on another process: noted, then the process parks as soon as nothing but
 * waiting (and far timers) is left. The promise only rejects, when the process stops (parked,
 * cancelled…): the activity runs again from the stored snapshot once the process is woken.
 */
function waitOutside(live: LiveProcess, nodeId: string, processId: string, signal: AbortSignal, park: () => void): Promise<never> {
  return new Promise<never>((_resolve, reject) => {
    const stop = () => {
      live.waiting.delete(nodeId)
      reject(signal.reason)
    }
    if (signal.aborted) return stop()
    signal.addEventListener('abort', stop, { once: true })
    live.waiting.set(nodeId, processId)
    park()
  })
}
