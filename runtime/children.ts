/**
 * The host side of sub-processes (`subProcess` component): finds the child's scenario, runs it
 * with `startProcess` one level deeper, hands it to `record` (which stores it with `parentId`),
 * and turns a failed child into an error of the parent's node. Children get this same service,
 * so grandchildren work, and the host's other `services` (connections, catalogs and records, record
 * files) — never the parent's `respond` (a child never answers the parent's caller).
 *
 * @example
 * const startChild = childProcessService({ loadScenario: async (id) => scenarios.get(id) ?? null })
 * await startProcess(parent, input, { services: { startChild } })
 */
import { createHash } from 'node:crypto'
import { compileScenario } from './compile.ts'
import { PotokError, toPotokError } from './errors.ts'
import { runtimeLimits } from './limits.ts'
import { newProcessId } from './process-id.ts'
import { inThreadRunner, type ProcessRunner } from './runner.ts'
import type { ChildProcessRequest, ChildProcessResult, ProcessResult, RuntimeServices, Scenario, StartOptions } from './types.ts'

export const DEFAULT_MAX_SUBPROCESS_DEPTH = 8

export interface ChildProcessServiceOptions {
  /** The scenario a `subProcess` node names (its current version), or null when there is none. */
  loadScenario: (id: string) => Promise<Scenario | null>
  /** Stores a finished child; `request.parent.id` is its `parentId`. Sync and async children alike. */
  record?: (result: ProcessResult, request: ChildProcessRequest) => Promise<void>
  /** Deepest nesting allowed (top level = 0); default MAX_SUBPROCESS_DEPTH or 8. */
  maxDepth?: number
  /** Takes over an async child (e.g. to queue it durably); default: runs it here, detached. */
  startAsync?: (launch: ChildLaunch) => void | Promise<void>
  /** More options for each child's `startProcess` (a persist hook, a timeout, limits). */
  /** Where children run (default: this thread). */
  runner?: ProcessRunner
  startOptions?: (request: ChildProcessRequest, processId: string) => Omit<StartOptions, 'processId' | 'depth' | 'services' | 'signal'>
  /** Other host services children get besides sub-processes (catalogs and records). */
  services?: () => RuntimeServices
  /** Runs the `sync` children of parents that can park (`request.park`) as durable processes. */
  durable?: DurableChildren
}

/** Where a parked parent's children live: the host's durable store and executor. */
export interface DurableChildren {
  /** The stored child with this id — its status, and its output and error once it ended — or null. */
  find: (processId: string) => Promise<ChildProcessResult | null>
  /** Stores the child `queued` under its id (a child already stored under it is left as it is). */
  enqueue: (launch: ChildLaunch) => Promise<void>
}

export interface ChildLaunch {
  processId: string
  scenario: Scenario
  request: ChildProcessRequest
  /** The child's sub-process depth (its parent's + 1): a durable child keeps it in its record. */
  depth: number
  /** Runs the child to its end and records it; rejects only if running or recording breaks. */
  run: (signal?: AbortSignal) => Promise<ProcessResult>
}

type StartChild = NonNullable<RuntimeServices['startChild']>

export function childProcessService(options: ChildProcessServiceOptions): StartChild {
  const maxDepth = options.maxDepth ?? runtimeLimits().maxSubprocessDepth
  const lineage = new Lineage()

  const startChild: StartChild = async (request, signal) => {
    const { parent, scenarioId } = request
    // An async child may run later with no depth of its own: its lineage remembers it.
    const depth = Math.max(parent.depth, lineage.depthOf(parent.id)) + 1
    if (depth > maxDepth) {
      throw new PotokError(
        'SUBPROCESS_DEPTH',
        `sub-processes may nest ${maxDepth} deep (MAX_SUBPROCESS_DEPTH); process ${parent.id} of scenario "${parent.scenarioId}" is at depth ${parent.depth} and cannot start "${scenarioId}" — does a scenario start itself?`,
        { details: { maxDepth, scenarioId, parentId: parent.id } },
      )
    }
    const durable = request.mode === 'sync' && request.park ? options.durable : undefined
    // The parent's step has one child, found again by its id when the step runs again.
    const childId = durable ? childIdFor(parent.id, request.park!.key) : undefined
    if (durable) {
      const known = await durable.find(childId!)
      if (known && !ENDED_STATUSES.has(known.status)) return { processId: childId!, status: known.status, waiting: true }
      if (known && known.status !== 'completed') throw childFailure({ processId: childId!, status: known.status, error: known.error ?? null }, scenarioId)
      if (known) return { processId: childId!, status: known.status, output: known.output ?? {}, error: null }
    }
    const scenario = await options.loadScenario(scenarioId)
    if (!scenario) throw new PotokError('SUBPROCESS_NOT_FOUND', `there is no scenario "${scenarioId}" to start as a sub-process`, { details: { scenarioId } })
    try {
      compileScenario(scenario)
    } catch (error) {
      const cause = toPotokError(error)
      throw new PotokError('SUBPROCESS_INVALID', `scenario "${scenarioId}" cannot run: ${cause.message}`, { details: { scenarioId, ...cause.details } })
    }

    const processId = childId ?? newProcessId()
    lineage.add(processId, parent.id, depth, runtimeLimits().maxDescendants)
    const run = async (runSignal?: AbortSignal) => {
      const extra = options.startOptions?.(request, processId) ?? {}
      const result = await (options.runner ?? inThreadRunner).start(scenario, request.input, {
        ...extra,
        processId,
        depth,
        services: { ...options.services?.(), respond: undefined, startChild },
        signal: runSignal,
      })
      await options.record?.(result, request)
      return result
    }

    if (durable) {
      await durable.enqueue({ processId, scenario, request, depth, run })
      return { processId, status: 'queued', waiting: true }
    }
    if (request.mode === 'async') {
      const launch: ChildLaunch = { processId, scenario, request, depth, run }
      if (options.startAsync) await options.startAsync(launch)
      else
        run().catch(() => {
          /* detached: the child's own record is where its failure shows */
        })
      return { processId, status: 'running' }
    }
    const result = await run(signal)
    if (result.status !== 'completed') throw childFailure(result, scenarioId)
    return { processId, status: result.status, output: result.output, error: null }
  }
  return startChild
}

/**
 * Which root process each child descends from, and how deep it is, in this server's memory:
 * bounds the processes one root may start in all (MAX_DESCENDANTS) — asynchronous children,
 * which run later and apart, included.
 */
class Lineage {
  readonly #children = new Map<string, { root: string; depth: number }>()
  readonly #descendants = new Map<string, number>()

  depthOf(id: string): number {
    return this.#children.get(id)?.depth ?? 0
  }

  /** Notes a new child of `parentId`; throws `DESCENDANT_LIMIT` when its root has started `max` already. */
  add(childId: string, parentId: string, depth: number, max: number): void {
    const root = this.#children.get(parentId)?.root ?? parentId
    const count = (this.#descendants.get(root) ?? 0) + 1
    if (count > max) {
      throw new PotokError('DESCENDANT_LIMIT', `process ${root} and its sub-processes have started ${max} sub-processes, the limit (MAX_DESCENDANTS); does a scenario start itself?`, {
        details: { max, rootId: root },
      })
    }
    this.#descendants.set(root, count)
    this.#children.set(childId, { root, depth })
    // Bounded memory: the oldest lineages are forgotten first (Maps iterate in insertion order).
    for (const map of [this.#children, this.#descendants] as Map<string, unknown>[]) {
      if (map.size <= MAX_LINEAGE) continue
      let drop = map.size - MAX_LINEAGE / 2
      for (const key of map.keys()) {
        if (drop-- <= 0) break
        map.delete(key)
      }
    }
  }
}

/** Children remembered at most (about 100 bytes each). */
const MAX_LINEAGE = 200_000

/** Statuses a process does not leave by itself: a parent waiting on such a child goes on. */
export const ENDED_STATUSES: ReadonlySet<string> = new Set(['completed', 'failed', 'interrupted', 'cancelled'])

/** The id of the child a parent's step starts: derived from the step, so a re-run finds it. */
export function childIdFor(parentId: string, key: string): string {
  const hex = createHash('sha256').update(`${parentId}\u0000${key}`).digest('hex')
  // Shaped as a UUID (version 8: custom), like every other process id.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

/** A failed child as its parent's error; a depth overflow keeps its code up the whole chain. */
function childFailure(result: Pick<ProcessResult, 'processId' | 'status' | 'error'>, scenarioId: string): PotokError {
  const error = result.error ?? { code: 'PROCESS_FAILED', message: 'no error recorded' }
  const details = { childProcessId: result.processId, scenarioId, childStatus: result.status, childError: { code: error.code, message: error.message, nodeId: error.nodeId } }
  if (error.code === 'SUBPROCESS_DEPTH' || error.code === 'DESCENDANT_LIMIT') return new PotokError(error.code, error.message, { details })
  const where = error.nodeId ? ` at node "${error.nodeId}"` : ''
  return new PotokError(
    'SUBPROCESS_FAILED',
    `child process ${result.processId} (scenario "${scenarioId}") ${result.status === 'failed' ? 'failed' : `was ${result.status}`}${where}: ${error.code}: ${error.message}`,
    { details },
  )
}
