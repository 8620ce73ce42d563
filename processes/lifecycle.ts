/**
 * What can be done to a stored process (docs/processes.md): resume it, replay it, cancel it. The HTTP API
 * and the CLI both call these; the durable executor does the running.
 */
import { PotokError } from '../runtime/errors.ts'
import type { AsyncJob } from './executor.ts'
import { stopLiveProcess } from '../runtime/live.ts'
import { rebaseSnapshot } from '../runtime/rebase.ts'
import type { ProcessPatch, ProcessRecord, ProcessStore } from '../store/port.ts'

/** The part of the executor these need: queue a process, or look for queued ones now. */
export interface ProcessRunner {
  enqueue(job: AsyncJob): Promise<string>
  wake(): void
}

async function find(store: ProcessStore, id: string): Promise<ProcessRecord> {
  const record = await store.getProcess(id)
  if (!record) throw new PotokError('NOT_FOUND', `process ${id} does not exist`)
  return record
}

/**
 * Continues an `interrupted` or `failed` process from its last snapshot (re-running the step
 * that failed or was cut short); it is queued and the executor picks it up. With `current` it
 * goes on under the scenario's latest version from where it stopped (`rebase.ts`), when that
 * version still has the node it stopped at.
 */
export async function resumeStoredProcess(store: ProcessStore, executor: ProcessRunner, id: string, version: 'original' | 'current' = 'original'): Promise<ProcessRecord> {
  const record = await find(store, id)
  if (record.status !== 'interrupted' && record.status !== 'failed') {
    throw new PotokError('NOT_RESUMABLE', `process ${id} is ${record.status}; only interrupted or failed processes can be resumed`)
  }
  const snapshot = record.snapshot as { status?: string } | null | undefined
  // A process cut before its first snapshot starts over from its input, under its own id: a
  // synchronous process cut by its server's death (SERVER_LOST; sync runs keep no step
  // snapshots), or one whose worker stopped in its first step. There is nothing of it to lose.
  const fromStart = !snapshot && record.status === 'interrupted'
  if (!fromStart && snapshot?.status !== 'active') {
    throw new PotokError('NOT_RESUMABLE', `process ${id} has no snapshot to resume from; replay it instead`)
  }
  const moved = version === 'current' ? await onCurrentVersion(store, record) : {}
  const queued = await store.transitionProcess(id, [record.status], { status: 'queued', lease: null, error: null, finishedAt: null, durationMs: null, ...moved })
  if (!queued) throw new PotokError('CONFLICT', `process ${id} changed while it was being resumed; try again`)
  executor.wake()
  return (await store.getProcess(id))!
}

/** The patch that moves a stopped process onto its scenario's latest version (nothing when it is on it). */
async function onCurrentVersion(store: ProcessStore, record: ProcessRecord): Promise<ProcessPatch> {
  const [original, current] = await Promise.all([store.getScenario(record.scenario.id, record.scenario.version), store.getScenario(record.scenario.id)])
  if (!current) throw new PotokError('NOT_FOUND', `scenario ${record.scenario.id} no longer exists`)
  if (current.version === record.scenario.version) return {}
  const scenario = { id: current.id, version: current.version }
  if (!record.snapshot) return { scenario }
  if (!original)
    throw new PotokError('NOT_RESUMABLE', `version ${record.scenario.version} of scenario ${record.scenario.id} is no longer stored, so where the process stopped cannot be found in the current one`)
  return { scenario, snapshot: rebaseSnapshot(record.snapshot, original.scenario, current.scenario) }
}

/**
 * Runs the process's input again as a new process (`replayOf` set), against the scenario
 * version it ran (`original`) or the latest one (`current`).
 */
export async function replayStoredProcess(store: ProcessStore, executor: ProcessRunner, id: string, version: 'original' | 'current' = 'original'): Promise<ProcessRecord> {
  const record = await find(store, id)
  const scenario = version === 'current' ? await store.getScenario(record.scenario.id) : await store.getScenario(record.scenario.id, record.scenario.version)
  if (!scenario) {
    throw new PotokError('NOT_FOUND', `scenario ${record.scenario.id}${version === 'original' ? ` version ${record.scenario.version}` : ''} no longer exists`)
  }
  const replayId = await executor.enqueue({ scenario, input: record.input, trigger: { ...record.trigger, async: true }, replayOf: id, parentId: record.parentId ?? undefined })
  return (await store.getProcess(replayId))!
}

/** Stops a queued or running process; status `cancelled`. */
export async function cancelStoredProcess(
  store: ProcessStore,
  id: string,
  local?: { abortLocal(id: string, reason: PotokError): boolean },
): Promise<ProcessRecord | { id: string; status: 'cancelled' }> {
  const reason = new PotokError('CANCELLED', 'the process was cancelled')
  const record = await store.getProcess(id)
  if (!record) {
    // A synchronous process is stored when it ends; until then it lives only in memory here.
    if (stopLiveProcess(id, reason)) return { id, status: 'cancelled' }
    throw new PotokError('NOT_FOUND', `process ${id} does not exist (or runs on another server and is not stored yet)`)
  }
  if (record.status !== 'queued' && record.status !== 'running') {
    throw new PotokError('NOT_CANCELLABLE', `process ${id} is ${record.status}; only queued or running processes can be cancelled`)
  }
  const cancelled = await store.transitionProcess(id, ['queued', 'running'], {
    status: 'cancelled',
    lease: null,
    finishedAt: new Date().toISOString(),
    error: { code: reason.code, message: reason.message },
    durationMs: Math.max(0, Date.now() - Date.parse(record.startedAt)),
  })
  if (!cancelled) throw new PotokError('CONFLICT', `process ${id} ended while it was being cancelled`)
  // Steps it left open are closed here: its runner's own writes are fenced out from now on.
  await closeOpenSteps(store, id, reason)
  // Running here: stop it now (hosted here but not started yet: it starts stopped). Running
  // elsewhere: its server loses the lease and stops it.
  stopLiveProcess(id, reason)
  local?.abortLocal(id, reason)
  return (await store.getProcess(id))!
}

/** Marks the steps a stopped process left `running` as ended by `reason` (status, end time, duration). */
async function closeOpenSteps(store: ProcessStore, id: string, reason: PotokError): Promise<void> {
  const open = (await store.getProcess(id, { steps: true }))?.steps?.filter((step) => step.status === 'running') ?? []
  if (!open.length) return
  const finishedAt = new Date().toISOString()
  await store.updateProcess(
    id,
    {},
    open.map((step) => ({
      ...step,
      status: 'cancelled' as const,
      finishedAt,
      durationMs: Math.max(0, Date.parse(finishedAt) - Date.parse(step.startedAt)),
      error: { code: reason.code, message: reason.message },
    })),
  )
}
