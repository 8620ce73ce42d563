/**
 * The store port: everything potok keeps — scenarios with immutable versions, the external
 * requests catalog, processes with their steps and snapshots, idempotency records and leases.
 * Two adapters implement it (`sqlite.ts`, `mongo.ts`); nothing outside `store/` knows
 * which one is behind it. `test/store/contract.ts` is the suite both must pass.
 */
import type { RecordStore } from './records.ts'
import type { ProcessError, ProcessStatus, Scenario, StepRecord, Variables } from '../runtime/types.ts'
import type { ConnectionStore } from './connections-port.ts'

/** A stored scenario version. Versions are immutable; saving a changed scenario adds one. */
export interface ScenarioRecord {
  id: string
  version: number
  /** The whole scenario document as saved (its `version` field set). */
  scenario: Scenario
  createdAt: string
}

/** One external request («внешний запрос»): a urlId bound to a scenario (docs/server.md). */
export interface WebRequestRecord {
  id: string
  name: string
  description?: string
  urlId: string
  scenarioId: string
  enabled: boolean
  timeoutMs?: number
  onTimeout?: '504' | 'reset' | 'async'
  cors?: { origins: string[] | '*'; methods?: string[]; headers?: string[]; credentials?: boolean; maxAge?: number }
  auth?: Record<string, unknown>
  rateLimit?: { requests: number; windowMs: number }
  idempotency?: { header?: string; windowMs?: number }
  createdAt: string
  updatedAt: string
}

export interface ProcessTrigger {
  type: '$webRequest' | '$subProcess' | '$manual' | (string & {})
  id?: string | null
  async: boolean
  /** A data-change event's record (`$dataChange`): the console links the process to it. */
  record?: { catalogId: string; recordId?: string; event: string }
  /** Sub-process depth of a process started by a data change or as a durable child (loops are bounded by it). */
  depth?: number
}

/** What the caller of a synchronous process got (the `response` of docs/processes.md). */
export interface StoredResponse {
  status: number
  headers: Record<string, string | string[]>
  /** JSON value, string, or a tagged binary value. */
  body?: unknown
}

/** The process record (docs/processes.md). */
export interface ProcessRecord {
  id: string
  scenario: { id: string; version: number }
  trigger: ProcessTrigger
  status: ProcessStatus
  input: Variables
  output?: Variables | null
  response?: StoredResponse | null
  error?: ProcessError | null
  startedAt: string
  finishedAt?: string | null
  durationMs?: number | null
  /** Latest persisted XState snapshot (JSON). */
  snapshot?: unknown
  replayOf?: string | null
  parentId?: string | null
  /** Lease of the server running it (async processes). */
  lease?: { owner: string; expiresAt: string } | null
  /** Present when read with `{ steps: true }`. */
  steps?: StepRecord[]
  /** In list items only: the values left out for their size (`list-items.ts`); never the snapshot either. */
  omitted?: string[]
  /** Fencing revision: every claim raises it, so writes of an earlier owner are refused. */
  rev?: number
  /** A queued process parked at a timer: not claimed before this time. */
  wakeAt?: string | null
  /** Set by a claim: the process was running under a lease that expired (its server died). */
  reclaimed?: boolean
}

export interface ProcessFilter {
  status?: ProcessStatus | ProcessStatus[]
  scenarioId?: string
  triggerId?: string
  parentId?: string
  /** ISO times: startedAt >= from, startedAt < to. */
  from?: string
  to?: string
  limit?: number
  /** Opaque cursor from a previous page. */
  cursor?: string | null
}

export interface Page<T> {
  items: T[]
  nextCursor: string | null
}

/** Fields a running process updates; `undefined` fields are left as they are. */
export type ProcessPatch = Partial<Pick<ProcessRecord, 'status' | 'output' | 'response' | 'error' | 'finishedAt' | 'durationMs' | 'snapshot' | 'lease'>> & {
  /** Only when a stopped process is resumed on another version of its scenario (same id). */
  scenario?: { id: string; version: number }
}

/** What an owner holds after a claim: every write it makes to the process carries it. */
export interface ProcessLease {
  owner: string
  /** The process's `rev` at the claim. */
  fence: number
}

/** A fenced commit's patch: a process patch plus its wake time (parking at a timer). */
export type CommitPatch = ProcessPatch & { wakeAt?: string | null }

export interface IdempotencyRecord {
  /** `<webRequestId>:<key>` */
  key: string
  processId: string
  response?: StoredResponse | null
  expiresAt: string
}

export type { ConnectionRecord, ConnectionStore, StoredSecret } from './connections-port.ts'

/** Connections (docs/connections.md) are part of the store: `connections-port.ts`. */
export interface ProcessStore extends ConnectionStore {}

export interface ProcessStore {
  readonly kind: 'sqlite' | 'mongodb'
  /** Creates tables/collections and indexes. */
  init(): Promise<void>
  close(): Promise<void>
  /** Cheap round trip for /healthz; throws when the database is unreachable. */
  ping(): Promise<void>

  // Scenarios
  /** Saves a new version when the document differs from the latest (else returns the latest). */
  saveScenario(scenario: Scenario): Promise<ScenarioRecord>
  getScenario(id: string, version?: number): Promise<ScenarioRecord | null>
  listScenarios(): Promise<ScenarioRecord[]>
  listScenarioVersions(id: string): Promise<ScenarioRecord[]>
  /** Deletes every version; false when there was none. */
  deleteScenario(id: string): Promise<boolean>

  // External requests catalog
  /** Throws PotokError('CONFLICT', …, {status: 409}) when urlId is taken. */
  createWebRequest(record: WebRequestRecord): Promise<WebRequestRecord>
  /** Whole-record replace; throws CONFLICT on a taken urlId; null when absent. */
  replaceWebRequest(record: WebRequestRecord): Promise<WebRequestRecord | null>
  getWebRequest(id: string): Promise<WebRequestRecord | null>
  findWebRequestByUrlId(urlId: string): Promise<WebRequestRecord | null>
  listWebRequests(filter?: { scenarioId?: string }): Promise<WebRequestRecord[]>
  deleteWebRequest(id: string): Promise<boolean>

  // Processes
  createProcess(record: ProcessRecord): Promise<void>
  updateProcess(id: string, patch: ProcessPatch, steps?: StepRecord[]): Promise<void>
  /** A finished synchronous process in one write (record + steps). */
  recordProcess(record: ProcessRecord, steps: StepRecord[]): Promise<void>
  getProcess(id: string, options?: { steps?: boolean }): Promise<ProcessRecord | null>
  listProcesses(filter: ProcessFilter): Promise<Page<ProcessRecord>>
  /**
   * Atomically applies `patch` when the process is in one of the `from` statuses — and, with
   * `owner`, only while that owner holds its lease; false otherwise.
   */
  transitionProcess(id: string, from: ProcessStatus[], patch: ProcessPatch, owner?: string): Promise<boolean>
  /** Deletes finished processes started before `before`; never queued or running ones. Returns the count. */
  pruneProcesses(before: string): Promise<number>
  /**
   * Housekeeping a store may need after processes end (MongoDB: moving them out of the
   * collection the executor works on); the count handled, a full batch meaning more are left.
   * Every executor calls it at its poll interval.
   */
  archiveEnded?(options?: { endedBefore?: string }): Promise<number>

  // Durable async execution
  /**
   * Claims up to `limit` processes that are `queued`, or `running` with an expired lease, for
   * `owner` (one atomic claim each): status becomes `running`, lease `{ owner, expiresAt: now + leaseMs }`.
   */
  claimProcesses(owner: string, leaseMs: number, limit: number): Promise<ProcessRecord[]>
  /** Extends the leases `owner` holds on `ids`; returns the ids it still holds. */
  renewLeases(owner: string, ids: string[], leaseMs: number): Promise<string[]>
  /**
   * Applies `patch` (and upserts `steps`) only while the process is `running` under `lease`
   * (owner and fence unchanged since the claim): a compare-and-set on its revision, so a stale
   * owner can never move a process on. With `leaseMs` the lease is extended in the same write.
   * False when fenced out.
   */
  commitProcess(id: string, lease: ProcessLease, patch: CommitPatch, steps?: StepRecord[], leaseMs?: number): Promise<boolean>
  /** Writes a small health record: throws when the store cannot take a write now. */
  probeWrite(owner: string): Promise<void>
  /**
   * Makes a `queued` process due now (a parent parked waiting on a child that ended); false
   * when it is not queued, or already due.
   */
  wakeProcess(id: string): Promise<boolean>

  // Idempotency
  /** Inserts when absent (atomic); returns the record already there otherwise (unexpired). */
  putIdempotency(record: IdempotencyRecord): Promise<IdempotencyRecord | null>
  setIdempotencyResponse(key: string, response: StoredResponse): Promise<void>

  /** Catalogs, records and files (docs/catalogs.md; `records.ts`). */
  readonly records: RecordStore
}
