/** Types shared across the runtime, the components and the server. */
import type { z } from 'zod'
import type { PotokError } from './errors.ts'

/** A process's data: JSON values plus binary values in their tagged form (see `binary.ts`). */
export type Variables = Record<string, unknown>

/** One write a step makes: `path` is a variable name or a dotted path (`a.b.c`). */
export interface VariableWrite {
  path: string
  value: unknown
}

export interface ScenarioNode {
  id: string
  type: string
  name?: string
  documentation?: string
  position?: { x: number; y: number }
  attachedTo?: string
  config?: unknown
}

export interface ScenarioEdge {
  id?: string
  from: string
  to: string
  condition?: string
  default?: boolean
  name?: string
}

export interface Scenario {
  id: string
  name?: string
  description?: string
  version?: number
  nodes: ScenarioNode[]
  edges: ScenarioEdge[]
}

/** What a component may evaluate with: expressions compiled once per scenario version. */
export interface Evaluator {
  /** Evaluates one expression against the process's variables. */
  evaluate(source: string): unknown
  /** Evaluates several expressions in one sandbox call; values in order. */
  evaluateAll(sources: readonly string[]): unknown[]
  /** Runs assignments top to bottom, each seeing the ones before; returns the writes in order. */
  assign(assignments: ReadonlyArray<{ path: string; value: string }>): VariableWrite[]
  /** Runs a JavaScript function body with `inputs` as its only variables; returns what it returns. */
  runCode(source: string, inputs: Record<string, unknown>, timeoutMs: number): unknown
}

/** What the runtime tells an activity about the process it runs in. */
export interface ProcessInfo {
  id: string
  scenarioId: string
  scenarioVersion?: number
  /** Sub-process nesting depth: 0 for a top-level process. */
  depth: number
}

export interface ComponentContext<C> extends Evaluator {
  config: C
  nodeId: string
  vars: Readonly<Variables>
  /** Fires when the process is stopped, times out, or leaves the node (boundary, cancel). */
  signal: AbortSignal
  process: ProcessInfo
  /** Services the host provides (sub-processes, the respond hook…); see `RuntimeServices`. */
  services: RuntimeServices
}

/** Host services reachable from components; the server fills in what it has. */
export interface RuntimeServices {
  /** Runs another scenario as a child process (`subProcess`). */
  startChild?: (request: ChildProcessRequest, signal: AbortSignal) => Promise<ChildProcessResult>
  /** Answers the waiting caller now (`respond`). */
  respond?: (vars: Readonly<Variables>) => void
}

export interface ChildProcessRequest {
  scenarioId: string
  input: Variables
  mode: 'sync' | 'async'
  parent: ProcessInfo
}

export interface ChildProcessResult {
  processId: string
  status: ProcessStatus
  output?: Variables
  error?: ProcessError | null
}

/**
 * A component: one module in `components/`. `sync` components run inside a state's entry action
 * (no await, no signal needed); `async` ones are invoked promise actors. Control-flow types
 * (start, end, gateways, timer, boundaries) are compiled by `runtime/compile.ts` itself.
 */
export interface Component<C = unknown> {
  type: string
  displayName: { ru: string; en: string }
  kind: 'control' | 'sync' | 'async' | 'boundary'
  /** zod schema of the node's `config`. */
  config: z.ZodType<C>
  /** Every expression in a config, with its JSON path below `config`: syntax-checked at validation. */
  expressions?: (config: C) => Array<{ path: Array<string | number>; source: string }>
  /** Runs the component; returns the variables it writes, in order. */
  run?: (ctx: ComponentContext<C>) => VariableWrite[] | Promise<VariableWrite[]>
}

export type ProcessStatus = 'queued' | 'running' | 'completed' | 'failed' | 'interrupted' | 'cancelled'

export interface ProcessError {
  code: string
  message: string
  nodeId?: string
  details?: Record<string, unknown>
  variables?: Variables
}

export interface StepRecord {
  /** Position of the step in the process, from 0. */
  index: number
  nodeId: string
  type: string
  startedAt: string
  finishedAt?: string
  durationMs?: number
  status: 'running' | 'completed' | 'failed'
  error?: { code: string; message: string }
  /** The variables the step wrote, in order: with the input they give the variables after each step. */
  writes?: VariableWrite[]
}

export type { PotokError }

/** Called after every step with the persisted XState snapshot and the step's record. */
export type PersistHook = (update: PersistUpdate) => void | Promise<void>

export interface PersistUpdate {
  processId: string
  /** `getPersistedSnapshot()` of the root actor, JSON-safe; resumable with `resumeProcess`. */
  snapshot: unknown
  /** The step records that changed since the previous call (new or finished). */
  steps: StepRecord[]
  status: ProcessStatus
}

export interface StartOptions {
  /** Process id (default: a new UUID). */
  processId?: string
  /** Stop the process after this many ms: status `interrupted`, code `TIMEOUT`. */
  timeoutMs?: number
  /** Aborting stops the process: status `interrupted` (code from the reason, default `ABORTED`). */
  signal?: AbortSignal
  /** Persistence hook (storage plugs in here). */
  persist?: PersistHook
  /**
   * Durable mode: one step per macrostep, each next step starting only after the previous
   * snapshot was persisted. Default: on when `persist` is given.
   */
  stepwise?: boolean
  /** Host services for components (sub-processes, respond). */
  services?: RuntimeServices
  /** Sub-process depth of this process (0 = top level). */
  depth?: number
  /** Limits; defaults from the environment (MAX_STEPS, MAX_PROCESS_DATA_BYTES). */
  maxSteps?: number
  maxDataBytes?: number
  /**
   * Durable runs: when nothing runs but timers and the nearest deadline is more than this many
   * ms away, the process stops once its snapshot is stored and returns status `queued` with
   * `wakeAt` — waiting then holds no slot and no memory; the host resumes it at `wakeAt`.
   */
  parkAfterMs?: number
}

export interface ProcessResult {
  processId: string
  status: ProcessStatus
  /** All variables at the end (also on failure: the variables at the moment of failure). */
  output: Variables
  error: ProcessError | null
  steps: StepRecord[]
  /** The last persisted snapshot (resumable). */
  snapshot: unknown
  startedAt: string
  finishedAt: string
  durationMs: number
  /** Status `queued`: parked at a timer (`parkAfterMs`), to be resumed from `snapshot` at this time. */
  wakeAt?: string
}
