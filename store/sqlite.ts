/**
 * The embedded store: one SQLite file (`<DATA_DIR>/potok.sqlite`) through better-sqlite3, WAL
 * journal, `synchronous=NORMAL` (a crash may lose the last commits but never corrupts; ~6× the
 * write rate of FULL, see NOTES.md). Documents are JSON text columns; what is filtered or sorted
 * has its own indexed column. better-sqlite3 is synchronous, so every method runs to the end
 * without interleaving; statements that must be atomic against other connections to the same
 * file (claims, transitions) are single statements or IMMEDIATE transactions.
 *
 * Group commit: the process writes of the hot path (`createProcess`, `updateProcess`,
 * `recordProcess`) issued in the same turn of the event loop share one transaction, each in its
 * own savepoint so a failing one rejects alone. A commit per write costs ~3× more with the
 * indexes processes need. Every other method first commits what is queued, so operations still
 * apply in the order they were called.
 *
 * @example
 * const store = new SqliteStore({ dataDir: './data' })   // or { filename: ':memory:' }
 * await store.init()
 */
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { PotokError } from '../runtime/errors.ts'
import type { ProcessStatus, Scenario, StepRecord } from '../runtime/types.ts'
import { decodeCursor, pageLimit, toPage } from './cursor.ts'
import { compactSnapshot, stepsFromRows } from './compact.ts'
import type { IdempotencyRecord, Page, ProcessFilter, ProcessPatch, ProcessRecord, ProcessStore, ScenarioRecord, StoredResponse, WebRequestRecord } from './port.ts'
import { nextScenarioVersion } from './scenario-version.ts'
import { SQLITE_LIST_COLUMNS, listItem } from './list-items.ts'
import {
  SCHEMA,
  json,
  parse,
  parseOrNull,
  patchParams,
  processValues,
  processRecord,
  scenarioRecord,
  PATCH_SQL,
  ADDED_PROCESS_COLUMNS,
  addMissingColumns,
  PROCESS_COLUMNS,
  RECORD_COLUMNS,
  RECORD_UPDATE,
  ACTIVE,
  type IdempotencyRow,
  type ProcessRow,
  type ScenarioRow,
} from './sqlite-schema.ts'
import { guardStoreErrors } from './store-error.ts'
import type { ConnectionStore } from './connections-port.ts'
import { CONNECTIONS_SCHEMA, sqliteConnections } from './sqlite-connections.ts'
import { RecordStore } from './records.ts'
import { RECORDS_SCHEMA, SqliteRecordTables } from './sqlite-records.ts'
import { SqliteLeases } from './sqlite-leases.ts'
import type { CommitPatch, ProcessLease } from './port.ts'

export interface SqliteStoreOptions {
  /** Directory of `potok.sqlite` (created if missing; the DATA_DIR setting). Default `./data`. */
  dataDir?: string
  /** A file path or `:memory:`; overrides `dataDir`. */
  filename?: string
}

type Statement = Database.Statement<unknown[], unknown>

interface QueuedWrite {
  apply: () => void
  resolve: () => void
  reject: (error: unknown) => void
}

/** Connections live in `sqlite-connections.ts`; their methods are mixed in by the constructor. */
export interface SqliteStore extends ConnectionStore {}

// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the constructor assigns the ConnectionStore methods (sqliteConnections)
export class SqliteStore implements ProcessStore {
  readonly kind = 'sqlite' as const
  readonly filename: string
  #db: Database.Database | null = null
  #sql: ReturnType<SqliteStore['prepare']> | null = null
  /** List statements by filter shape: prepared once per shape. */
  #listStatements = new Map<string, Statement>()
  /** Process writes waiting for the group commit. */
  #queue: QueuedWrite[] = []
  #flushScheduled = false
  /** Catalogs, records and files (`sqlite-records.ts`). */
  readonly records = new RecordStore(new SqliteRecordTables(() => this.db))
  #leases: SqliteLeases | null = null

  constructor(options: SqliteStoreOptions = {}) {
    if (options.filename) {
      this.filename = options.filename
    } else {
      const dir = options.dataDir ?? './data'
      this.filename = join(dir, 'potok.sqlite')
    }
    guardStoreErrors(this)
    Object.assign(
      this,
      sqliteConnections(() => {
        if (!this.#db) throw new PotokError('STORE_ERROR', 'The SQLite store is not open (call init())')
        return this.#db
      }),
    )
  }

  async init(): Promise<void> {
    if (this.#db) return
    if (this.filename !== ':memory:' && !this.filename.startsWith('file:')) {
      // The file holds inline secrets: a new data directory is 0700, the database files 0600
      // (SQLite gives its -wal and -shm files the database file's mode).
      mkdirSync(join(this.filename, '..'), { recursive: true, mode: 0o700 })
      closeSync(openSync(this.filename, 'a', 0o600))
      chmodSync(this.filename, 0o600)
    }
    const db = new Database(this.filename)
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.pragma('busy_timeout = 5000')
    // Statement journals in memory: a write inside the group commit's transaction keeps one, and
    // on a file it spilled to /var/tmp past 64 KB (two thirds of the pwrite calls of a recorded
    // process; greet-sized records, 8 in flight: 71 → 54 µs of CPU each).
    db.pragma('temp_store = MEMORY')
    // Small disks: checkpoint every ~8 MB of WAL and truncate the file back to 8 MB after one,
    // so the WAL stays bounded next to the data (docs/durability.md, "SQLite on small disks", has the measured trade-off).
    db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`)
    db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT}`)
    db.exec(SCHEMA)
    addMissingColumns(db, ADDED_PROCESS_COLUMNS)
    db.exec(CONNECTIONS_SCHEMA)
    db.exec(RECORDS_SCHEMA)
    this.#leases = new SqliteLeases(db)
    this.#db = db
    this.#sql = this.prepare(db)
  }

  async close(): Promise<void> {
    if (this.#db) this.flush()
    this.#db?.close()
    this.#db = null
    this.#sql = null
    this.#leases = null
    this.#listStatements.clear()
  }

  async ping(): Promise<void> {
    this.sql.ping.get()
  }

  /** Statements; commits queued writes first so every operation sees the ones called before it. */
  private get sql(): ReturnType<SqliteStore['prepare']> {
    if (!this.#sql) throw new PotokError('STORE_ERROR', 'The SQLite store is not open (call init())')
    if (this.#queue.length > 0) this.flush()
    return this.#sql
  }

  /** Queues a process write for the group commit; resolves once it is committed. */
  private enqueue(apply: () => void): Promise<void> {
    if (!this.#db) return Promise.reject(new PotokError('STORE_ERROR', 'The SQLite store is not open (call init())'))
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ apply, resolve, reject })
      if (!this.#flushScheduled) {
        this.#flushScheduled = true
        setImmediate(() => this.flush())
      }
    })
  }

  /**
   * Commits every queued write in one transaction. Optimistically without a savepoint per write
   * (one costs ~7 µs of a ~60 µs recorded process); when any write fails, the whole transaction
   * is rolled back and replayed with one savepoint each, so only the failing write fails.
   */
  private flush(): void {
    this.#flushScheduled = false
    const batch = this.#queue
    if (batch.length === 0) return
    this.#queue = []
    const db = this.#db
    if (!db) {
      for (const write of batch) write.reject(new PotokError('STORE_ERROR', 'The SQLite store was closed'))
      return
    }
    /** One transaction of the batch: without savepoints, a failing write rolls it all back (REPLAY). */
    const commit = (savepoints: boolean): Map<QueuedWrite, unknown> => {
      const failures = new Map<QueuedWrite, unknown>()
      db.transaction(() => {
        for (const write of batch) {
          try {
            if (savepoints)
              db.transaction(write.apply)() // nested: a savepoint, rolled back alone on error
            else write.apply()
          } catch (error) {
            if (!savepoints) throw REPLAY
            failures.set(write, error)
          }
        }
      })()
      return failures
    }
    let failures: Map<QueuedWrite, unknown>
    try {
      try {
        failures = commit(false)
      } catch (error) {
        if (error !== REPLAY) throw error
        failures = commit(true)
      }
    } catch (error) {
      // The transaction itself failed (busy, disk full): every write fails with it.
      for (const write of batch) write.reject(error)
      this.#noteWrite(error)
      return
    }
    for (const write of batch) {
      if (failures.has(write)) write.reject(failures.get(write))
      else write.resolve()
      this.#noteWrite(failures.get(write))
    }
  }

  /** Statements without flushing: for writes applied inside the group commit. */
  private get statements(): ReturnType<SqliteStore['prepare']> {
    return this.#sql!
  }

  /**
   * Statements over the catalogs (scenarios, external requests) for the request path. Only
   * process writes are queued for the group commit, so reading a catalog need not commit them
   * first — which would turn every request's write into a transaction of its own.
   */
  private get catalog(): ReturnType<SqliteStore['prepare']> {
    if (!this.#sql) throw new PotokError('STORE_ERROR', 'The SQLite store is not open (call init())')
    return this.#sql
  }

  /** The connection; commits queued writes first, like `sql`. */
  private get db(): Database.Database {
    if (!this.#db) throw new PotokError('STORE_ERROR', 'The SQLite store is not open (call init())')
    if (this.#queue.length > 0) this.flush()
    return this.#db
  }

  private prepare(db: Database.Database) {
    const patch = PATCH_SQL
    return {
      ping: db.prepare('SELECT 1'),
      latestScenario: db.prepare('SELECT * FROM scenarios WHERE id = ? ORDER BY version DESC LIMIT 1'),
      scenarioVersion: db.prepare('SELECT * FROM scenarios WHERE id = ? AND version = ?'),
      latestVersion: db.prepare('SELECT MAX(version) FROM scenarios WHERE id = ?').pluck(),
      insertScenario: db.prepare('INSERT INTO scenarios (id, version, doc, created_at) VALUES (?, ?, ?, ?)'),
      listScenarios: db.prepare(`SELECT s.* FROM scenarios s
        JOIN (SELECT id, MAX(version) AS version FROM scenarios GROUP BY id) latest USING (id, version) ORDER BY s.id`),
      scenarioVersions: db.prepare('SELECT * FROM scenarios WHERE id = ? ORDER BY version'),
      deleteScenario: db.prepare('DELETE FROM scenarios WHERE id = ?'),

      insertWebRequest: db.prepare('INSERT INTO webrequests (id, url_id, scenario_id, doc) VALUES (?, ?, ?, ?)'),
      replaceWebRequest: db.prepare('UPDATE webrequests SET url_id = ?, scenario_id = ?, doc = ? WHERE id = ?'),
      getWebRequest: db.prepare('SELECT doc FROM webrequests WHERE id = ?').pluck(),
      webRequestByUrl: db.prepare('SELECT doc FROM webrequests WHERE url_id = ?').pluck(),
      listWebRequests: db.prepare('SELECT doc FROM webrequests ORDER BY id').pluck(),
      listWebRequestsOf: db.prepare('SELECT doc FROM webrequests WHERE scenario_id = ? ORDER BY id').pluck(),
      deleteWebRequest: db.prepare('DELETE FROM webrequests WHERE id = ?'),

      // No RETURNING on the hot inserts (it cost ~3 µs a record): `seq` is the rowid, `lastInsertRowid`.
      insertProcess: db.prepare(`INSERT INTO processes ${PROCESS_COLUMNS}`),
      // A new process's record: no change when the id is taken (then `rerecordProcess`).
      recordProcess: db.prepare(`INSERT INTO processes ${RECORD_COLUMNS} ON CONFLICT (id) DO NOTHING`),
      // An upsert, not INSERT OR REPLACE: the row keeps its `seq`, which keys its steps.
      rerecordProcess: db
        .prepare(`INSERT INTO processes ${RECORD_COLUMNS}
        ON CONFLICT (id) DO UPDATE SET ${RECORD_UPDATE} RETURNING seq`)
        .pluck(),
      patchProcess: db.prepare(`${patch} RETURNING seq`).pluck(),
      transitionProcess: db.prepare(`${patch} AND status IN (SELECT value FROM json_each(@from))
        AND (@owner IS NULL OR lease_owner = @owner)`),
      getProcess: db.prepare('SELECT * FROM processes WHERE id = ?'),
      upsertStep: db.prepare(`INSERT INTO steps (process_seq, idx, doc) VALUES (?, ?, ?)
        ON CONFLICT (process_seq, idx) DO UPDATE SET doc = excluded.doc`),
      steps: db.prepare('SELECT doc FROM steps WHERE process_seq = ? ORDER BY idx').pluck(),
      deleteSteps: db.prepare('DELETE FROM steps WHERE process_seq = ?'),
      pruneSteps: db.prepare(`DELETE FROM steps WHERE process_seq IN
        (SELECT seq FROM processes WHERE started_at < ? AND status NOT IN ${ACTIVE})`),
      pruneProcesses: db.prepare(`DELETE FROM processes WHERE started_at < ? AND status NOT IN ${ACTIVE}`),
      pruneIdempotency: db.prepare('DELETE FROM idempotency WHERE expires_at < ?'),

      putIdempotency: db.prepare(`INSERT INTO idempotency (key, process_id, response, expires_at)
        VALUES (@key, @process_id, @response, @expires_at)
        ON CONFLICT (key) DO UPDATE SET process_id = excluded.process_id, response = excluded.response,
          expires_at = excluded.expires_at
        WHERE idempotency.expires_at <= @now`),
      getIdempotency: db.prepare('SELECT * FROM idempotency WHERE key = ?'),
      setIdempotencyResponse: db.prepare('UPDATE idempotency SET response = ? WHERE key = ?'),
    }
  }

  // Scenarios

  async saveScenario(scenario: Scenario): Promise<ScenarioRecord> {
    const save = this.db.transaction((): ScenarioRecord => {
      const latestRow = this.sql.latestScenario.get(scenario.id) as ScenarioRow | undefined
      const latest = latestRow ? scenarioRecord(latestRow) : null
      const record = nextScenarioVersion(latest, scenario)
      if (!record) return latest!
      this.sql.insertScenario.run(record.id, record.version, JSON.stringify(record.scenario), record.createdAt)
      return record
    })
    return save.immediate()
  }

  /**
   * A version is immutable, so its parsed record is kept (bounded): the request path reads only
   * the latest version number, and the runtime finds its compiled machine by the same object.
   * Callers must not mutate the record.
   */
  readonly #versions = new Map<string, ScenarioRecord>()

  async getScenario(id: string, version?: number): Promise<ScenarioRecord | null> {
    const wanted = version ?? (this.catalog.latestVersion.get(id) as number | undefined)
    if (wanted === undefined) return null
    const key = `${id}@${wanted}`
    const known = this.#versions.get(key)
    if (known) return known
    const row = this.catalog.scenarioVersion.get(id, wanted) as ScenarioRow | undefined
    if (!row) return null
    const record = scenarioRecord(row)
    if (this.#versions.size >= 1000) this.#versions.delete(this.#versions.keys().next().value!)
    this.#versions.set(key, record)
    return record
  }

  async listScenarios(): Promise<ScenarioRecord[]> {
    return (this.sql.listScenarios.all() as ScenarioRow[]).map(scenarioRecord)
  }

  async listScenarioVersions(id: string): Promise<ScenarioRecord[]> {
    return (this.sql.scenarioVersions.all(id) as ScenarioRow[]).map(scenarioRecord)
  }

  async deleteScenario(id: string): Promise<boolean> {
    for (const key of this.#versions.keys()) if (key.startsWith(`${id}@`)) this.#versions.delete(key)
    return this.sql.deleteScenario.run(id).changes > 0
  }

  // External requests catalog

  async createWebRequest(record: WebRequestRecord): Promise<WebRequestRecord> {
    try {
      this.sql.insertWebRequest.run(record.id, record.urlId, record.scenarioId, JSON.stringify(record))
    } catch (error) {
      throw webRequestConflict(error, record)
    }
    return record
  }

  async replaceWebRequest(record: WebRequestRecord): Promise<WebRequestRecord | null> {
    try {
      const { changes } = this.sql.replaceWebRequest.run(record.urlId, record.scenarioId, JSON.stringify(record), record.id)
      return changes > 0 ? record : null
    } catch (error) {
      throw webRequestConflict(error, record)
    }
  }

  async getWebRequest(id: string): Promise<WebRequestRecord | null> {
    return parseOrNull(this.catalog.getWebRequest.get(id) as string | undefined)
  }

  async findWebRequestByUrlId(urlId: string): Promise<WebRequestRecord | null> {
    return parseOrNull(this.catalog.webRequestByUrl.get(urlId) as string | undefined)
  }

  async listWebRequests(filter: { scenarioId?: string } = {}): Promise<WebRequestRecord[]> {
    const docs = (filter.scenarioId === undefined ? this.sql.listWebRequests.all() : this.sql.listWebRequestsOf.all(filter.scenarioId)) as string[]
    return docs.map((doc) => JSON.parse(doc) as WebRequestRecord)
  }

  async deleteWebRequest(id: string): Promise<boolean> {
    return this.sql.deleteWebRequest.run(id).changes > 0
  }

  // Processes

  async createProcess(record: ProcessRecord): Promise<void> {
    const values = processValues(record)
    await this.enqueue(() => {
      let seq: number
      try {
        seq = Number(this.statements.insertProcess.run(values).lastInsertRowid)
      } catch (error) {
        if (isConstraint(error)) throw new PotokError('CONFLICT', `Process "${record.id}" already exists`)
        throw error
      }
      if (record.steps) this.upsertSteps(seq, record.steps)
    })
  }

  async updateProcess(id: string, patch: ProcessPatch, steps?: StepRecord[]): Promise<void> {
    const params = patchParams(id, patch)
    await this.enqueue(() => {
      const seq = this.statements.patchProcess.get(params) as number | undefined
      if (seq === undefined) throw new PotokError('NOT_FOUND', `Process "${id}" not found`)
      if (steps?.length) this.upsertSteps(seq, steps)
    })
  }

  async recordProcess(record: ProcessRecord, steps: StepRecord[]): Promise<void> {
    // All its steps in its own row, one array (read before any step a later resume adds).
    const values = processValues({ ...record, snapshot: compactSnapshot(record.snapshot, record.output) })
    values.push(steps.length ? JSON.stringify(steps) : null)
    await this.enqueue(() => {
      if (this.statements.recordProcess.run(values).changes > 0) return
      // Recorded before (running): the record is whole, so steps of an earlier write go.
      const seq = this.statements.rerecordProcess.get(values) as number
      this.statements.deleteSteps.run(seq)
    })
  }

  private upsertSteps(processSeq: number, steps: StepRecord[]): void {
    for (const step of steps) this.statements.upsertStep.run(processSeq, step.index, JSON.stringify(step))
  }

  async getProcess(id: string, options: { steps?: boolean } = {}): Promise<ProcessRecord | null> {
    const row = this.sql.getProcess.get(id) as ProcessRow | undefined
    if (!row) return null
    const record = processRecord(row)
    record.wakeAt = (row as { wake_at?: string | null }).wake_at ?? null
    if (options.steps) {
      const rows = this.sql.steps.all(row.seq) as string[]
      record.steps = stepsFromRows(row.steps === null ? rows : [row.steps, ...rows])
    }
    return record
  }

  async listProcesses(filter: ProcessFilter = {}): Promise<Page<ProcessRecord>> {
    const where: string[] = []
    const params: Record<string, unknown> = {}
    const statuses = filter.status === undefined ? undefined : ([] as ProcessStatus[]).concat(filter.status)
    if (statuses?.length === 1) {
      where.push('status = @status')
      params.status = statuses[0]
    } else if (statuses) {
      where.push('status IN (SELECT value FROM json_each(@statuses))')
      params.statuses = JSON.stringify(statuses)
    }
    for (const [key, column] of [
      ['scenarioId', 'scenario_id'],
      ['triggerId', 'trigger_id'],
      ['parentId', 'parent_id'],
    ] as const) {
      if (filter[key] !== undefined) {
        where.push(`${column} = @${key}`)
        params[key] = filter[key]
      }
    }
    if (filter.from !== undefined) {
      where.push('started_at >= @from')
      params.from = filter.from
    }
    if (filter.to !== undefined) {
      where.push('started_at < @to')
      params.to = filter.to
    }
    if (filter.cursor) {
      const cursor = decodeCursor(filter.cursor)
      where.push('(started_at < @cursorStartedAt OR (started_at = @cursorStartedAt AND id < @cursorId))')
      params.cursorStartedAt = cursor.startedAt
      params.cursorId = cursor.id
    }
    const limit = pageLimit(filter.limit)
    params.limit = limit + 1
    const sql = `SELECT ${SQLITE_LIST_COLUMNS} FROM processes${where.length ? ` WHERE ${where.join(' AND ')}` : ''}
      ORDER BY started_at DESC, id DESC LIMIT @limit`
    let statement = this.#listStatements.get(sql)
    if (!statement) {
      statement = this.db.prepare(sql)
      this.#listStatements.set(sql, statement)
    }
    const rows = statement.all(params) as Array<ProcessRow & Record<string, number | null>>
    return toPage(
      rows.map((row) => listItem(processRecord(row), { input: row.input_bytes, output: row.output_bytes, response: row.response_bytes, error: row.error_bytes })),
      limit,
    )
  }

  async transitionProcess(id: string, from: ProcessStatus[], patch: ProcessPatch, owner?: string): Promise<boolean> {
    const params = patchParams(id, patch) as Record<string, unknown>
    params.from = JSON.stringify(from)
    params.owner = owner ?? null
    return this.sql.transitionProcess.run(params).changes > 0
  }

  async pruneProcesses(before: string): Promise<number> {
    // Idempotency records expired before the cut-off can never answer again: pruned alongside.
    const prune = this.db.transaction((): number => {
      this.sql.pruneSteps.run(before)
      const { changes } = this.sql.pruneProcesses.run(before)
      this.sql.pruneIdempotency.run(before)
      return changes
    })
    return prune.immediate()
  }

  // Durable async execution

  async claimProcesses(owner: string, leaseMs: number, limit: number): Promise<ProcessRecord[]> {
    if (limit <= 0) return []
    void this.db // commits queued writes first
    return this.#leases!.claim(owner, leaseMs, limit).sort(byStartedAtAsc)
  }

  async commitProcess(id: string, lease: ProcessLease, patch: CommitPatch, steps?: StepRecord[], leaseMs?: number): Promise<boolean> {
    let committed = false
    await this.enqueue(() => {
      committed = this.#leases!.commit(id, lease, patch, steps, leaseMs, (seq, list) => this.upsertSteps(seq, list))
    })
    return committed
  }

  async wakeProcess(id: string): Promise<boolean> {
    let woken = false
    await this.enqueue(() => {
      woken = this.#leases!.wake(id)
    })
    return woken
  }

  /** Query plans of claims and renewals (tests: every one served by an index). */
  leasePlans(): string[] {
    return this.#leases!.plans()
  }

  async probeWrite(owner: string): Promise<void> {
    void this.db
    // A tiny health row may still fit where process writes no longer do (a full disk leaves
    // room in pages already allocated): a recent refusal of a process write counts too.
    if (this.#fullAt && Date.now() - this.#fullAt < FULL_MEMORY_MS) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' })
    this.#leases!.probeWrite(owner)
  }

  /** When process writes last failed on a full disk (0: the last one succeeded). */
  #fullAt = 0
  #noteWrite(error: unknown): void {
    if (error === undefined) this.#fullAt = 0
    else if ((error as { code?: unknown })?.code === 'SQLITE_FULL') this.#fullAt = Date.now()
  }

  async renewLeases(owner: string, ids: string[], leaseMs: number): Promise<string[]> {
    if (ids.length === 0) return []
    void this.db // commits queued writes first
    return this.#leases!.renew(owner, ids, leaseMs)
  }

  // Idempotency

  async putIdempotency(record: IdempotencyRecord): Promise<IdempotencyRecord | null> {
    const put = this.db.transaction((): IdempotencyRecord | null => {
      const { changes } = this.sql.putIdempotency.run({ key: record.key, process_id: record.processId, response: json(record.response), expires_at: record.expiresAt, now: new Date().toISOString() })
      if (changes > 0) return null
      const row = this.sql.getIdempotency.get(record.key) as IdempotencyRow
      return { key: row.key, processId: row.process_id, response: parse(row.response) as StoredResponse | null, expiresAt: row.expires_at }
    })
    return put.immediate()
  }

  async setIdempotencyResponse(key: string, response: StoredResponse): Promise<void> {
    this.sql.setIdempotencyResponse.run(JSON.stringify(response), key)
  }
}

/** How long a process write refused for a full disk keeps /healthz saying writes are down. */
const FULL_MEMORY_MS = 10_000
/** Thrown inside a batch committed without savepoints when one of its writes fails: the batch is replayed with them. */
const REPLAY = Symbol('replay with savepoints')
/** WAL pages between automatic checkpoints (4 KiB each: ~8 MB). */
const WAL_AUTOCHECKPOINT_PAGES = 2000
/** The WAL file is truncated back to this after a checkpoint. */
const JOURNAL_SIZE_LIMIT = 8 * 1024 * 1024

function byStartedAtAsc(a: ProcessRecord, b: ProcessRecord): number {
  return a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

function isConstraint(error: unknown): error is { code: string } {
  return typeof (error as { code?: unknown })?.code === 'string' && (error as { code: string }).code.startsWith('SQLITE_CONSTRAINT')
}

function webRequestConflict(error: unknown, record: WebRequestRecord): unknown {
  if (!isConstraint(error)) return error
  if (error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new PotokError('CONFLICT', `External request "${record.id}" already exists`, { details: { id: record.id } })
  }
  return new PotokError('CONFLICT', `urlId "${record.urlId}" is already taken`, { details: { urlId: record.urlId } })
}
