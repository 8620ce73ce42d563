/** Types shared across the runtime, the components and the server. */
import type { StopSignal } from './stop.ts'
import type { z } from 'zod'
import type { PotokError } from './errors.ts'
import type { Catalog, CatalogRecord, RecordPage, RecordQuery, RecordValues } from './records.ts'

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
  /** The step index this activity was entered at: the same when a resumed process runs it again. */
  step: number
  /**
   * Only in durable runs whose host resumes parked processes: this activity waits on another
   * process (`processId`, e.g. a child). Once nothing else runs, the process is stored and leaves
   * memory and its slot; the activity runs again when the host wakes it (the child ended). The
   * promise never resolves: it rejects when the process stops.
   */
  park?: (on: { processId: string }) => Promise<never>
}

/** Host services reachable from components; the server fills in what it has. */
export interface RuntimeServices {
  /** Runs another scenario as a child process (`subProcess`). */
  startChild?: (request: ChildProcessRequest, signal: AbortSignal) => Promise<ChildProcessResult>
  /** Answers the waiting caller now (`respond`). */
  respond?: (vars: Readonly<Variables>) => void
  /**
   * Awaited before the first activity (a step with effects outside the process: a web request,
   * mail, a record…) starts, once per run (later ones await the same answer): a host that has
   * not recorded the process yet records it here, so no effect ever outlives an unrecorded one.
   */
  beforeActivity?: () => Promise<void>
  /** A connection by id, secrets in clear (docs/connections.md); PotokError when absent or unreadable. Components never write it to variables. */
  getConnection?: (id: string) => Promise<ConnectionInfo>

  // Catalogs and records (docs/catalogs.md): plain async functions with JSON/binary arguments, so a
  // worker thread can call them on the main thread by name. Errors are PotokErrors with a code.
  /** A catalog (CATALOG_NOT_FOUND when there is none). */
  getCatalog?: (catalogId: string) => Promise<Catalog>
  /** A record (RECORD_NOT_FOUND / CATALOG_NOT_FOUND), only `fields` when given. */
  getRecord?: (ref: { catalogId: string; recordId: string; fields?: string[] }) => Promise<CatalogRecord>
  findRecords?: (query: RecordQuery & { catalogId: string }) => Promise<RecordPage>
  /** Writes run the catalog's data-change events; `origin` is the process writing (depth bound). */
  createRecord?: (write: { catalogId: string; values: RecordValues; origin?: ProcessInfo }) => Promise<CatalogRecord>
  updateRecord?: (write: { catalogId: string; recordId: string; values: RecordValues; origin?: ProcessInfo }) => Promise<CatalogRecord>
  deleteRecord?: (write: { catalogId: string; recordId: string; origin?: ProcessInfo }) => Promise<void>
  /** Stores a file (≤ MAX_FILE_BYTES); its file-field value `{ id, title, mimeType, size, url }`. */
  storeFile?: (file: { name: string; contentType?: string; data: Uint8Array }) => Promise<{ id: string; title: string; mimeType: string; size: number; url: string }>
  /** Stores a file (≤ MAX_FILE_BYTES) as the value of a record's file field (replacing it); the updated record. */
  uploadRecordFile?: (upload: { catalogId: string; recordId: string; fieldId: string; name: string; contentType?: string; data: Uint8Array; origin?: ProcessInfo }) => Promise<CatalogRecord>
  /** The bytes of a file in a record's file field (`index` in the field's list, default 0). */
  readRecordFile?: (ref: { catalogId: string; recordId: string; fieldId: string; index?: number }) => Promise<{ name: string; contentType: string; data: Uint8Array }>
}

/** A connection as components get it (structured-clonable: it may cross a worker boundary). */
export interface ConnectionInfo {
  id: string
  type: string
  config: Record<string, unknown>
  secrets: Record<string, string>
}

export interface ChildProcessRequest {
  scenarioId: string
  input: Variables
  mode: 'sync' | 'async'
  parent: ProcessInfo
  /**
   * A `sync` child of a parent that can park: the child is run durably and the parent does not
   * wait in memory. `key` names the parent's step (node and step index) — the same when the parent
   * runs the step again after a wake or a crash, so the same child is found, never a second one.
   */
  park?: { key: string }
}

export interface ChildProcessResult {
  processId: string
  status: ProcessStatus
  output?: Variables
  error?: ProcessError | null
  /** A parked `sync` child (`request.park`) has not ended yet: the parent parks until it does. */
  waiting?: boolean
}

/**
 * A component: one module in `components/`, the whole of a node type — schema, display names,
 * behaviour, graph rules, BPMN mapping. The engine names no component: it works from what each
 * declares here. `sync` components run inside a state's entry action (no await, no signal
 * needed); `async` ones are invoked promise actors; `control` and `boundary` ones say how they
 * compile through `compile` / `boundary` (see `NodeBuilder`).
 */
export interface Component<C = unknown> {
  type: string
  displayName: { ru: string; en: string }
  kind: 'control' | 'sync' | 'async' | 'boundary'
  /** The console palette's group, as Bpium's (default: from the type and kind, see server/api/components.ts). */
  group?: 'system' | 'actions' | 'data' | 'communications'
  /** zod schema of the node's `config`. */
  config: z.ZodType<C>
  /** Every expression in a config, with its JSON path below `config`: syntax-checked at validation. */
  expressions?: (config: C) => Array<{ path: Array<string | number>; source: string }>
  /** Runs the component; returns the variables it writes, in order. */
  run?: (ctx: ComponentContext<C>) => VariableWrite[] | Promise<VariableWrite[]>
  /**
   * How the node becomes a state of the process machine. Default: `async` components are invoked
   * activities; every other kind is a synchronous step running `run` (if any) that goes on by
   * its edge.
   */
  compile?: (node: CompiledNode<C>, build: NodeBuilder) => NodePlan
  /** Where the node may stand in a graph (default: an activity — edges in, at least one out). */
  graph?: GraphRules
  /** For `kind: 'boundary'`: what makes its activity leave through it. */
  boundary?: BoundaryRule<C>
  /**
   * Its step touches nothing outside the process, so a durable run need not store the state
   * before it (default: true for `sync` components).
   */
  instant?: boolean
  /** Its BPMN element (default: a `serviceTask` with the connector `potok.<type>`). */
  bpmn?: BpmnMapping
}

/** A scenario node as a component's `compile` hook sees it (its config parsed by the schema). */
export interface CompiledNode<C> extends ScenarioNode {
  config: C
}

/** Where a synchronous step goes when its work is done. */
export type Onwards =
  /** By its one outgoing edge (or into the parallel split its edges make). */
  | 'next'
  /** Nowhere: the path ends here (the process, or the parallel branch it runs in). */
  | 'endPath'
  /** The whole process completes here, whatever else runs. */
  | 'endProcess'
  /** By the outgoing edge whose index the work returned as `route`. */
  | 'route'

/** What a synchronous step's work sees. */
export interface StepScope {
  vars: Readonly<Variables>
  /** The error a boundary is catching (null elsewhere). */
  error: ProcessError | null
  /** The index of the first expression that is truthy against the variables (-1: none), in one sandbox call. */
  firstTrue(sources: readonly string[]): number
  /** Runs the component's own `run` (synchronously). */
  run(): VariableWrite[]
}

/** A synchronous step's work: the writes, or also the route taken and whether it handled the caught error. */
export type StepWork = (step: StepScope) => VariableWrite[] | { writes?: VariableWrite[]; route?: number; clearError?: boolean }

/** The narrow API the engine hands a component's `compile` hook. */
export interface NodeBuilder {
  /** The node's outgoing edges, in order. */
  readonly outgoing: ReadonlyArray<Readonly<ScenarioEdge>>
  /** A synchronous step: `work` (default: the component's `run`, if any), then `onwards`. */
  step(work?: StepWork | null, onwards?: Onwards): NodePlan
  /** Waits an ISO 8601 duration, then goes on by its edge; a restored process waits only the rest. */
  wait(duration: string): NodePlan
  /** An invoked activity running the component's `run` (what `async` components are). */
  activity(): NodePlan
}

/** A compiled node's plan: made by `NodeBuilder`, read by the engine only. */
export type NodePlan = { kind: 'step'; work: StepWork | null; onwards: Onwards } | { kind: 'wait'; ms: number } | { kind: 'activity' }

/** A node type's place in a graph; validation reports nodes that break these rules. */
export interface GraphRules {
  /** The process starts here: a scenario has exactly one such node, and no edge leads to it. */
  starts?: boolean
  /** A path ends here: it has no outgoing edge, and a scenario needs at least one such node. */
  ends?: boolean
  /**
   * Takes one of its outgoing edges, by their `condition` / `default: true` (other nodes run all
   * of several outgoing edges at once: a parallel split); branches of a split may merge here,
   * the first to arrive going on.
   */
  chooses?: boolean
  /** With several incoming edges (from one parallel split) it waits for all of them. */
  joins?: boolean
}

/** A boundary node's trigger: its activity failing, or running longer than `timeout(config)` (async activities only). */
export type BoundaryRule<C> = { catches: 'error' } | { timeout: (config: C) => string }

/**
 * A node type's BPMN element (in Bpium's dialect). Import maps the element (and its event
 * definition) back to the type; export writes it.
 */
export interface BpmnMapping {
  element: 'startEvent' | 'endEvent' | 'intermediateCatchEvent' | 'boundaryEvent' | 'exclusiveGateway' | 'parallelGateway'
  /** The element's event definition (none: a plain event; other definitions are ignored with `ignoredEvents` as the reason). */
  event?: 'error' | 'timer'
  /** `timer` events: the config field holding the ISO 8601 duration (`timeDuration`). */
  duration?: string
  /** `error` events: the config fields written as `camunda:errorCodeVariable` / `camunda:errorMessageVariable`. */
  errorVariables?: { code: string; message: string }
  /** The config is written as potok's generic parameters (one per field) in `extensionElements`. */
  params?: boolean
  /** A plain event's import warning for event definitions it ignores: why. */
  ignoredEvents?: string
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
  /** `cancelled` / `interrupted`: the node was running when the process was stopped. */
  status: 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted'
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
  /** Aborting stops the process: status `interrupted` (code from the reason, default `ABORTED`). An AbortSignal or a `StopSource`. */
  signal?: StopSignal
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
   * Called (not awaited) with a resumable snapshot whenever a long synchronous run yields the
   * thread: the worker pool keeps the last one, so a process cut with its worker resumes from it.
   */
  checkpoint?: (snapshot: unknown) => void
  /**
   * Durable runs: when nothing runs but timers and the nearest deadline is more than this many
   * ms away, the process stops once its snapshot is stored and returns status `queued` with
   * `wakeAt` — waiting then holds no slot and no memory; the host resumes it at `wakeAt`.
   */
  parkAfterMs?: number
  /** What the thread's `WorkWatch` is told while this process's code runs (a worker: its job id). */
  watchTag?: number
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
  /** Status `queued`: parked waiting on these processes (children); resume it when one ends. */
  waitingFor?: string[]
}
