/**
 * The shared store: MongoDB through the official driver, limited to what FerretDB 1.24 also
 * does (plain CRUD, unique indexes, simple filters and sorts; no transactions, no aggregation,
 * no change streams, no TTL indexes — expired data is pruned explicitly).
 *
 * Two FerretDB facts shape this file (measured against FerretDB 1.24.2, SQLite handler):
 *
 * - Keys starting with `$` are refused ("key must not start with '$' sign"), and process data
 *   holds such keys (`{ "$binary": … }`) as well as arbitrary user keys (dots, `$status`…).
 *   So every user document is stored as JSON text; only fields we filter or sort on are real
 *   fields.
 * - An update (`updateOne`, `findOneAndUpdate`) reads the matching document, then rewrites it
 *   by `_id`: the filter is not a compare-and-set (two concurrent claimers took the same
 *   process ~50% of the time). The only atomic decisions are inserts under a unique `_id`.
 *   State decisions about a process (claim, transition, lease renewal across owners) are
 *   therefore made by inserting revision `<processId>:<rev + 1>` into `revisions`: exactly one
 *   writer wins each revision, then applies it. On real MongoDB (detected at `init`) the same
 *   decisions are compare-and-set updates instead; `mongo-leases.ts` holds both, the fencing of
 *   owners' writes and the durable schedule claims read.
 *
 * Ended processes move to `archive` (`archiveEnded`, run by every executor a few seconds after
 * an end): FerretDB reaches no index from any filter, so every read or write of a process costs
 * in proportion to the collection's size (measured: an update by `_id` 3.9 ms at 500 documents,
 * 57 ms at 10⁴). The hot path — claims, lease renewals, commits, decisions — then works on
 * `processes`, as large as the active processes plus the last seconds' ends, while history
 * grows in `archive`, which is only inserted into (cheap: a unique index serves the check) and
 * read by the API. A document is inserted into its new collection before it is deleted from
 * the old one, so a reader that looks in `processes` first and then in `archive` finds an
 * archived one; one brought back for a resume between the two reads is in neither, and
 * `getProcess` looks in `processes` once more before it answers "not found" (a list taken at that
 * instant may miss it once). When both hold it (a crash between the two writes), the
 * `processes` copy is the newer.
 *
 * Steps are embedded in the process document (`steps.i<index>` = JSON text) rather than kept in
 * a `steps` collection: `recordProcess` — the hot path of a synchronous request — is then one
 * insert, a step upsert is a `$set` of one field in the same update as the patch, and a process
 * with its steps is one read. The step count is bounded by MAX_STEPS, far below 16 MB.
 *
 * @example
 * const store = new MongoStore({ uri: 'mongodb://127.0.0.1:27017/potok' })
 * await store.init()
 */
import { dropLarge, listItem } from './list-items.ts'
import { MongoClient, type Collection, type Db, type Filter, type Sort } from 'mongodb'
import { randomUUID } from 'node:crypto'
import { clock } from '../runtime/clock.ts'
import { PotokError } from '../runtime/errors.ts'
import type { ProcessStatus, Scenario, StepRecord } from '../runtime/types.ts'
import { decodeCursor, pageLimit, toPage } from './cursor.ts'
import { compactSnapshot } from './compact.ts'
import type { IdempotencyRecord, Page, ProcessFilter, ProcessPatch, ProcessRecord, ProcessStore, ScenarioRecord, StoredResponse, WebRequestRecord } from './port.ts'
import {
  idempotencyRecord,
  json,
  patchFields,
  processDoc,
  processRecord,
  scenarioRecord,
  webRequestDoc,
  type IdempotencyDoc,
  type ProcessDoc,
  type RevisionDoc,
  type ScenarioDoc,
  type WebRequestDoc,
} from './mongo-documents.ts'
import { nextScenarioVersion } from './scenario-version.ts'
import { guardStoreErrors } from './store-error.ts'
import type { ConnectionStore } from './connections-port.ts'
import { mongoConnections } from './mongo-connections.ts'
import { MongoRecordTables } from './mongo-records.ts'
import { RecordStore } from './records.ts'
import { MongoLeases, type LeasedFields } from './mongo-leases.ts'
import type { CommitPatch, ProcessLease } from './port.ts'

export interface MongoStoreOptions {
  uri: string
  /** Database name; default the URI's path, else `potok`. */
  dbName?: string
  /** How long to look for a server before an operation fails (default 2 s: callers get a 503 soon). */
  serverSelectionTimeoutMS?: number
  /** Force the compare-and-set path of real MongoDB (true) or FerretDB's (false); default: detected. */
  atomicUpdates?: boolean
}

const TERMINAL: ProcessStatus[] = ['completed', 'failed', 'interrupted', 'cancelled']

const ACTIVE: ProcessStatus[] = ['queued', 'running']
const WITHOUT_STEPS = { projection: { steps: 0 } } as const
const NEWEST_FIRST: Sort = { startedAt: -1, _id: -1 }
const MAX_DECISION_ATTEMPTS = 50
/** An ended process is archived this long after its end (a straggling write of it lands on `processes` first). */
const ARCHIVE_AFTER_MS = 5_000
/** Processes archived per `archiveEnded` batch. */
const ARCHIVE_BATCH = 500
/** How long the archiving lock is held at most (a holder that died lets it go this late). */
const ARCHIVE_LOCK_MS = 60_000

/** Connections live in `mongo-connections.ts`; their methods are mixed in by the constructor. */
export interface MongoStore extends ConnectionStore {}

// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the constructor assigns the ConnectionStore methods (mongoConnections)
export class MongoStore implements ProcessStore {
  readonly kind = 'mongodb' as const
  readonly #client: MongoClient
  readonly #db: Db
  readonly #scenarios: Collection<ScenarioDoc>
  readonly #webrequests: Collection<WebRequestDoc>
  readonly #processes: Collection<ProcessDoc>
  /** Ended processes (see the file comment). */
  readonly #archive: Collection<ProcessDoc>
  readonly #revisions: Collection<RevisionDoc>
  /** Housekeeping locks (one document each): see `#exclusive`. */
  readonly #locks: Collection<{ _id: string; owner: string; until: string }>
  readonly #idempotency: Collection<IdempotencyDoc>
  /** Catalogs, records and files (`mongo-records.ts`). */
  readonly records: RecordStore
  readonly #leases: MongoLeases
  readonly #atomicUpdates?: boolean

  constructor(options: MongoStoreOptions) {
    this.#client = new MongoClient(options.uri, { ignoreUndefined: true, serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 2_000, connectTimeoutMS: 2_000, socketTimeoutMS: 30_000 })
    this.#atomicUpdates = options.atomicUpdates
    this.#db = this.#client.db(options.dbName ?? databaseNameOf(options.uri) ?? 'potok')
    this.#scenarios = this.#db.collection('scenarios')
    this.#webrequests = this.#db.collection('webrequests')
    this.#processes = this.#db.collection('processes')
    this.#archive = this.#db.collection('archive')
    this.#locks = this.#db.collection('locks')
    this.#revisions = this.#db.collection('revisions')
    this.#idempotency = this.#db.collection('idempotency')
    this.records = new RecordStore(new MongoRecordTables(this.#db))
    this.#leases = new MongoLeases(this.#db, (id, write) => this.#serial(id, write))
    guardStoreErrors(this)
    Object.assign(this, mongoConnections(this.#db))
  }

  /**
   * Writes to one process document, one at a time within this store. FerretDB rewrites the
   * whole document on every update, so a lease renewal racing a step write could otherwise
   * drop the step (or the other way round); each server's writes to a process are serialised
   * here, and decisions between servers go through `decide`.
   */
  readonly #writing = new Map<string, Promise<unknown>>()
  #serial<T>(id: string, write: () => Promise<T>): Promise<T> {
    const previous = this.#writing.get(id) ?? Promise.resolve()
    const next = previous.then(write, write)
    const settled = next.then(
      () => {},
      () => {},
    )
    this.#writing.set(id, settled)
    settled.then(() => {
      if (this.#writing.get(id) === settled) this.#writing.delete(id)
    })
    return next
  }

  get databaseName(): string {
    return this.#db.databaseName
  }

  async init(): Promise<void> {
    await this.#client.connect()
    await this.#scenarios.createIndex({ id: 1, version: 1 }, { unique: true, name: 'id_version' })
    await this.#webrequests.createIndex({ urlId: 1 }, { unique: true, name: 'urlId' })
    await this.#webrequests.createIndex({ scenarioId: 1 }, { name: 'scenarioId' })
    await this.#processes.createIndex({ startedAt: -1, _id: -1 }, { name: 'startedAt' })
    await this.#processes.createIndex({ status: 1, startedAt: -1 }, { name: 'status_startedAt' })
    await this.#processes.createIndex({ scenarioId: 1, startedAt: -1 }, { name: 'scenario_startedAt' })
    await this.#processes.createIndex({ triggerId: 1, startedAt: -1 }, { name: 'trigger_startedAt' })
    await this.#processes.createIndex({ parentId: 1 }, { name: 'parentId' })
    await this.#processes.createIndex({ leaseExpiresAt: 1 }, { name: 'leaseExpiresAt' })
    await this.#archive.createIndex({ startedAt: -1, _id: -1 }, { name: 'startedAt' })
    await this.#archive.createIndex({ status: 1, startedAt: -1 }, { name: 'status_startedAt' })
    await this.#archive.createIndex({ scenarioId: 1, startedAt: -1 }, { name: 'scenario_startedAt' })
    await this.#archive.createIndex({ triggerId: 1, startedAt: -1 }, { name: 'trigger_startedAt' })
    await this.#archive.createIndex({ parentId: 1 }, { name: 'parentId' })
    await this.#revisions.createIndex({ processId: 1 }, { name: 'processId' })
    await this.#idempotency.createIndex({ key: 1, seq: 1 }, { unique: true, name: 'key_seq' })
    await this.#idempotency.createIndex({ expiresAt: 1 }, { name: 'expiresAt' })
    await this.records.init()
    await this.#leases.init(this.#db, { atomic: this.#atomicUpdates })
  }

  /** True when decisions are compare-and-set updates (real MongoDB), false on FerretDB. */
  get atomicUpdates(): boolean {
    return this.#leases.atomic
  }

  async close(): Promise<void> {
    await this.#client.close()
  }

  async ping(): Promise<void> {
    await this.#db.command({ ping: 1 })
  }

  /** Drops the whole database (tests). */
  async dropDatabase(): Promise<void> {
    await this.#db.dropDatabase()
  }

  // Scenarios

  async saveScenario(scenario: Scenario): Promise<ScenarioRecord> {
    for (let attempt = 0; attempt < MAX_DECISION_ATTEMPTS; attempt++) {
      const latest = await this.getScenario(scenario.id)
      const record = nextScenarioVersion(latest, scenario)
      if (!record) return latest!
      try {
        await this.#scenarios.insertOne({ _id: `${record.id}:${record.version}`, id: record.id, version: record.version, doc: JSON.stringify(record.scenario), createdAt: record.createdAt })
        return record
      } catch (error) {
        if (!isDuplicateKey(error)) throw error
        // Another writer saved this version first: compare against it.
      }
    }
    throw contention(`scenario "${scenario.id}"`)
  }

  async getScenario(id: string, version?: number): Promise<ScenarioRecord | null> {
    const doc = version === undefined ? await this.#scenarios.findOne({ id }, { sort: { version: -1 } }) : await this.#scenarios.findOne({ _id: `${id}:${version}` })
    return doc ? scenarioRecord(doc) : null
  }

  async listScenarios(): Promise<ScenarioRecord[]> {
    // Latest version per id without an aggregation: read the (id, version) pairs, then the winners.
    const pairs = await this.#scenarios.find({}, { projection: { id: 1, version: 1 } }).toArray()
    const latest = new Map<string, number>()
    for (const { id, version } of pairs) latest.set(id, Math.max(version, latest.get(id) ?? 0))
    if (latest.size === 0) return []
    const ids = [...latest].map(([id, version]) => `${id}:${version}`)
    const docs = await this.#scenarios
      .find({ _id: { $in: ids } })
      .sort({ id: 1 })
      .toArray()
    return docs.map(scenarioRecord)
  }

  async listScenarioVersions(id: string): Promise<ScenarioRecord[]> {
    const docs = await this.#scenarios.find({ id }).sort({ version: 1 }).toArray()
    return docs.map(scenarioRecord)
  }

  async deleteScenario(id: string): Promise<boolean> {
    const { deletedCount } = await this.#scenarios.deleteMany({ id })
    return deletedCount > 0
  }

  // External requests catalog

  async createWebRequest(record: WebRequestRecord): Promise<WebRequestRecord> {
    try {
      await this.#webrequests.insertOne(webRequestDoc(record))
      return record
    } catch (error) {
      if (!isDuplicateKey(error)) throw error
      // FerretDB's duplicate-key error does not name the index: look which key is taken.
      if (await this.#webrequests.findOne({ _id: record.id }, { projection: { _id: 1 } })) {
        throw new PotokError('CONFLICT', `External request "${record.id}" already exists`, { details: { id: record.id } })
      }
      throw urlIdTaken(record.urlId)
    }
  }

  async replaceWebRequest(record: WebRequestRecord): Promise<WebRequestRecord | null> {
    try {
      const { matchedCount } = await this.#webrequests.replaceOne({ _id: record.id }, webRequestDoc(record))
      return matchedCount > 0 ? record : null
    } catch (error) {
      if (isDuplicateKey(error)) throw urlIdTaken(record.urlId)
      throw error
    }
  }

  async getWebRequest(id: string): Promise<WebRequestRecord | null> {
    const doc = await this.#webrequests.findOne({ _id: id })
    return doc ? (JSON.parse(doc.doc) as WebRequestRecord) : null
  }

  async findWebRequestByUrlId(urlId: string): Promise<WebRequestRecord | null> {
    const doc = await this.#webrequests.findOne({ urlId })
    return doc ? (JSON.parse(doc.doc) as WebRequestRecord) : null
  }

  async listWebRequests(filter: { scenarioId?: string } = {}): Promise<WebRequestRecord[]> {
    const query: Filter<WebRequestDoc> = filter.scenarioId === undefined ? {} : { scenarioId: filter.scenarioId }
    const docs = await this.#webrequests.find(query).sort({ _id: 1 }).toArray()
    return docs.map((doc) => JSON.parse(doc.doc) as WebRequestRecord)
  }

  async deleteWebRequest(id: string): Promise<boolean> {
    const { deletedCount } = await this.#webrequests.deleteOne({ _id: id })
    return deletedCount > 0
  }

  // Processes

  async createProcess(record: ProcessRecord): Promise<void> {
    const due = MongoLeases.dueAt(record.status, { wakeAt: record.wakeAt, leaseExpiresAt: record.lease?.expiresAt, startedAt: record.startedAt })
    if (due) await this.#leases.schedule(record.id, due)
    try {
      await this.#processes.insertOne(processDoc(record, record.steps ?? []))
    } catch (error) {
      if (isDuplicateKey(error)) throw new PotokError('CONFLICT', `Process "${record.id}" already exists`)
      throw error
    }
    // A sub-process's id comes from its parent and step, so a re-run of the parent asks for it
    // again, perhaps after it ended and was archived: looked for there too (after the insert,
    // so a move in between is seen: the archive copy is written before the other is deleted).
    if (record.parentId && (await this.#archive.findOne({ _id: record.id }, { projection: { _id: 1 } }))) {
      await this.#processes.deleteOne({ _id: record.id })
      throw new PotokError('CONFLICT', `Process "${record.id}" already exists`)
    }
  }

  updateProcess(id: string, patch: ProcessPatch, steps?: StepRecord[]): Promise<void> {
    return this.#serial(id, () => this.#updateProcess(id, patch, steps))
  }

  async #updateProcess(id: string, patch: ProcessPatch, steps?: StepRecord[]): Promise<void> {
    const set: Record<string, unknown> = { ...patchFields(patch) }
    for (const step of steps ?? []) set[`steps.i${step.index}`] = JSON.stringify(step)
    const write = async (collection: Collection<ProcessDoc>) =>
      Object.keys(set).length === 0 ? (await collection.findOne({ _id: id }, { projection: { _id: 1 } })) !== null : (await collection.updateOne({ _id: id }, { $set: set })).matchedCount > 0
    // An ended process may have been archived (its open steps closed after a cancel, say).
    const found = (await write(this.#processes)) || (await write(this.#archive))
    if (!found) throw new PotokError('NOT_FOUND', `Process "${id}" not found`)
  }

  recordProcess(record: ProcessRecord, steps: StepRecord[]): Promise<void> {
    return this.#serial(record.id, () => this.#recordProcess(record, steps))
  }

  async #recordProcess(record: ProcessRecord, steps: StepRecord[]): Promise<void> {
    // Usually a new process: one insert (FerretDB inserts ~6× faster than it upserts). When it
    // exists already (created queued, or resumed), an update that keeps its decided `rev`.
    const doc = processDoc({ ...record, snapshot: compactSnapshot(record.snapshot, record.output) }, steps)
    try {
      await this.#processes.insertOne(doc)
    } catch (error) {
      if (!isDuplicateKey(error)) throw error
      const { _id, rev: _rev, ...fields } = doc
      await this.#processes.updateOne({ _id }, { $set: fields })
      // It was on the schedule (created running or queued): it leaves it now that it ended.
      if (TERMINAL.includes(record.status)) await this.#leases.unschedule(record.id)
    }
  }

  async getProcess(id: string, options: { steps?: boolean } = {}): Promise<ProcessRecord | null> {
    const read = (collection: Collection<ProcessDoc>) => (options.steps ? collection.findOne({ _id: id }) : collection.findOne({ _id: id }, WITHOUT_STEPS))
    // The third read only for a miss: a resume may have brought it back between the first two.
    const doc = (await read(this.#processes)) ?? (await read(this.#archive)) ?? (await read(this.#processes))
    if (!doc) return null
    const record = processRecord(doc)
    record.wakeAt = (doc as { wakeAt?: string | null }).wakeAt ?? null
    if (options.steps) {
      record.steps = Object.values(doc.steps ?? {})
        .map((text) => JSON.parse(text) as StepRecord)
        .sort((a, b) => a.index - b.index)
    }
    return record
  }

  async listProcesses(filter: ProcessFilter = {}): Promise<Page<ProcessRecord>> {
    const query: Filter<ProcessDoc> = {}
    if (filter.status !== undefined) {
      const statuses = ([] as ProcessStatus[]).concat(filter.status)
      query.status = statuses.length === 1 ? statuses[0] : { $in: statuses }
    }
    if (filter.scenarioId !== undefined) query.scenarioId = filter.scenarioId
    if (filter.triggerId !== undefined) query.triggerId = filter.triggerId
    if (filter.parentId !== undefined) query.parentId = filter.parentId
    if (filter.from !== undefined || filter.to !== undefined) {
      query.startedAt = { ...(filter.from !== undefined ? { $gte: filter.from } : {}), ...(filter.to !== undefined ? { $lt: filter.to } : {}) }
    }
    if (filter.cursor) {
      const cursor = decodeCursor(filter.cursor)
      query.$or = [{ startedAt: { $lt: cursor.startedAt } }, { startedAt: cursor.startedAt, _id: { $lt: cursor.id } }]
    }
    const limit = pageLimit(filter.limit)
    const page = (collection: Collection<ProcessDoc>) =>
      collection
        .find(query, { projection: { steps: 0, snapshot: 0 } })
        .sort(NEWEST_FIRST)
        .limit(limit + 1)
        .toArray()
    // In this order: a process moved to the archive meanwhile is in one read or in both, never
    // in neither (a move inserts its archive copy before it deletes the working one).
    const active = await page(this.#processes)
    const archived = await page(this.#archive)
    // A process in both counts once, as its working copy: one read before its move ended, or an
    // archive copy left behind by a cut restore, which must not answer a filter its working copy
    // (in `processes`, perhaps not matching it) no longer meets.
    const shadowed = new Set(active.map((doc) => doc._id))
    if (archived.length) {
      for (const doc of await this.#processes.find({ _id: { $in: archived.map((doc) => doc._id) } }, { projection: { _id: 1 } }).toArray()) shadowed.add(doc._id)
    }
    const docs = mergeNewestFirst(active, archived, shadowed).slice(0, limit + 1)
    return toPage(
      docs.map((found) => {
        const { doc, bytes } = dropLarge(found as unknown as Record<string, unknown>)
        return listItem(processRecord(doc as unknown as typeof found), bytes)
      }),
      limit,
    )
  }

  async transitionProcess(id: string, from: ProcessStatus[], patch: ProcessPatch, owner?: string): Promise<boolean> {
    // From an end (a resume): the process comes back from the archive to be decided on.
    if (from.some((status) => TERMINAL.includes(status))) await this.#restore(id)
    const set: LeasedFields = patchFields(patch)
    const allowed = (doc: ProcessDoc) => from.includes(doc.status) && (owner === undefined || doc.leaseOwner === owner)
    if (patch.status === 'queued') set.wakeAt = null
    const due = patch.status ? MongoLeases.dueAt(patch.status, { leaseExpiresAt: set.leaseExpiresAt }) : null
    if (due) await this.#leases.schedule(id, due)
    const done = (await this.#leases.decide(id, (doc) => (allowed(doc) ? set : null))) !== null
    if (done && patch.status && TERMINAL.includes(patch.status)) await this.#leases.unschedule(id)
    return done
  }

  async pruneProcesses(before: string): Promise<number> {
    const query: Filter<ProcessDoc> = { startedAt: { $lt: before }, status: { $nin: ACTIVE } }
    let pruned = 0
    for (const collection of [this.#processes, this.#archive]) {
      for (;;) {
        const batch = await collection
          .find(query, { projection: { _id: 1 } })
          .limit(500)
          .toArray()
        if (batch.length === 0) break
        const ids = batch.map((doc) => doc._id)
        const { deletedCount } = await collection.deleteMany({ ...query, _id: { $in: ids } })
        await this.#revisions.deleteMany({ processId: { $in: ids } })
        pruned += deletedCount
        if (batch.length < 500) break
      }
    }
    // Idempotency records expired before the cut-off can never answer again: pruned alongside.
    await this.#idempotency.deleteMany({ expiresAt: { $lt: before } })
    return pruned
  }

  /**
   * Moves processes that ended before `endedBefore` (default: a few seconds ago) from
   * `processes` to `archive`, at most a batch; the count moved. Each is inserted into the
   * archive first (replacing an older copy of a process resumed since), then deleted from
   * `processes` only if it is still ended — one resumed in between stays, and is moved after
   * its next end. Its schedule entry and revisions go with it: nothing decides on an archived
   * process, and a straggling write to it finds no document to change.
   */
  async archiveEnded(options: { endedBefore?: string } = {}): Promise<number> {
    const cutoff = options.endedBefore ?? new Date(clock.now() - ARCHIVE_AFTER_MS).toISOString()
    // One server at a time: two moving the same batch would each find the other's copies in the
    // archive and replace them, and a replace there scans the archive on FerretDB.
    return (await this.#exclusive('archive', ARCHIVE_LOCK_MS, () => this.#archiveBatch(cutoff))) ?? 0
  }

  async #archiveBatch(cutoff: string): Promise<number> {
    const batch = await this.#processes
      .find({ status: { $in: TERMINAL }, $or: [{ finishedAt: { $lt: cutoff } }, { finishedAt: null }] })
      .limit(ARCHIVE_BATCH)
      .toArray()
    if (batch.length === 0) return 0
    for (const doc of batch) {
      try {
        await this.#archive.insertOne(doc)
      } catch (error) {
        if (!isDuplicateKey(error)) throw error
        await this.#archive.replaceOne({ _id: doc._id }, doc)
      }
    }
    const ids = batch.map((doc) => doc._id)
    const { deletedCount } = await this.#processes.deleteMany({ _id: { $in: ids }, status: { $in: TERMINAL } })
    let moved = ids
    if (deletedCount < ids.length) {
      const stayed = new Set((await this.#processes.find({ _id: { $in: ids } }, { projection: { _id: 1 } }).toArray()).map((doc) => doc._id))
      moved = ids.filter((id) => !stayed.has(id))
    }
    await this.#leases.forget(moved)
    await this.#revisions.deleteMany({ processId: { $in: moved } })
    return moved.length
  }

  /**
   * Runs `work` unless another store holds the lock `name` (a document under a unique `_id` in
   * the small `locks` collection, taken over once its holder let it expire); null when held.
   */
  async #exclusive<T>(name: string, ttlMs: number, work: () => Promise<T>): Promise<T | null> {
    const owner = randomUUID()
    const take = async () => {
      try {
        await this.#locks.insertOne({ _id: name, owner, until: new Date(clock.now() + ttlMs).toISOString() })
        return true
      } catch (error) {
        if (!isDuplicateKey(error)) throw error
        return false
      }
    }
    if (!(await take())) {
      const held = await this.#locks.findOne({ _id: name })
      if (held && held.until > new Date(clock.now()).toISOString()) return null
      if (held) await this.#locks.deleteOne({ _id: name, owner: held.owner }) // its holder died
      if (!(await take())) return null
    }
    try {
      return await work()
    } finally {
      await this.#locks.deleteOne({ _id: name, owner }).catch(() => {})
    }
  }

  /** Brings an archived process back into `processes` (to be resumed); nothing when it is there or nowhere. */
  async #restore(id: string): Promise<void> {
    if (await this.#processes.findOne({ _id: id }, { projection: { _id: 1 } })) return
    const doc = await this.#archive.findOne({ _id: id })
    if (!doc) return
    try {
      await this.#processes.insertOne(doc)
    } catch (error) {
      if (!isDuplicateKey(error)) throw error // restored by another writer meanwhile
    }
    await this.#archive.deleteOne({ _id: id })
  }

  // Durable async execution

  async claimProcesses(owner: string, leaseMs: number, limit: number): Promise<ProcessRecord[]> {
    if (limit <= 0) return []
    return this.#leases.claim(owner, leaseMs, limit, (doc) => ({ ...processRecord(doc), rev: doc.fence ?? 0, wakeAt: doc.wakeAt ?? null }))
  }

  async renewLeases(owner: string, ids: string[], leaseMs: number): Promise<string[]> {
    const held = await Promise.all(ids.map((id) => this.#leases.renew(id, owner, leaseMs)))
    return ids.filter((_, index) => held[index])
  }

  commitProcess(id: string, lease: ProcessLease, patch: CommitPatch, steps?: StepRecord[], leaseMs?: number): Promise<boolean> {
    return this.#leases.commit(id, lease, patch, steps, leaseMs)
  }

  wakeProcess(id: string): Promise<boolean> {
    return this.#leases.wake(id)
  }

  async probeWrite(owner: string): Promise<void> {
    await this.#leases.probeWrite(owner)
  }

  // Idempotency
  // A key's records are generations `<key>#<seq>`: reusing an expired key inserts the next
  // generation, so of two concurrent callers exactly one wins (insert under a unique _id).

  async putIdempotency(record: IdempotencyRecord): Promise<IdempotencyRecord | null> {
    for (let attempt = 0; attempt < MAX_DECISION_ATTEMPTS; attempt++) {
      const latest = await this.latestIdempotency(record.key)
      if (latest && latest.expiresAt > new Date().toISOString()) return idempotencyRecord(latest)
      const seq = latest ? latest.seq + 1 : 0
      try {
        await this.#idempotency.insertOne({ _id: `${record.key}#${seq}`, key: record.key, seq, processId: record.processId, response: json(record.response), expiresAt: record.expiresAt })
        return null
      } catch (error) {
        if (!isDuplicateKey(error)) throw error
      }
    }
    throw contention(`idempotency key "${record.key}"`)
  }

  async setIdempotencyResponse(key: string, response: StoredResponse): Promise<void> {
    const latest = await this.latestIdempotency(key)
    if (latest) await this.#idempotency.updateOne({ _id: latest._id }, { $set: { response: JSON.stringify(response) } })
  }

  private latestIdempotency(key: string): Promise<IdempotencyDoc | null> {
    return this.#idempotency.findOne({ key }, { sort: { seq: -1 } })
  }
}

/** Two pages, each newest first, as one (by start, then id); a process also in `processes` counts only as its copy there. */
function mergeNewestFirst(active: ProcessDoc[], archived: ProcessDoc[], shadowed: ReadonlySet<string>): ProcessDoc[] {
  const all = [...active, ...archived.filter((doc) => !shadowed.has(doc._id))]
  return all.sort((a, b) => (a.startedAt === b.startedAt ? (a._id < b._id ? 1 : a._id > b._id ? -1 : 0) : a.startedAt < b.startedAt ? 1 : -1))
}

/** The database named in a MongoDB URI's path, if any. */
export function databaseNameOf(uri: string): string | undefined {
  const match = /^mongodb(?:\+srv)?:\/\/[^/]*\/([^?]*)/.exec(uri)
  const name = match?.[1] ? decodeURIComponent(match[1]) : ''
  return name || undefined
}

/**
 * A unique index refused the write. FerretDB 1.24 answers an insert with 11000 like MongoDB,
 * but an update or replace with InternalError (1) "UNIQUE constraint failed".
 */
function isDuplicateKey(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
  if (code === 11000 || code === 11001) return true
  return code === 1 && typeof message === 'string' && message.includes('UNIQUE constraint failed')
}

function contention(what: string): PotokError {
  return new PotokError('STORE_CONTENTION', `Too many concurrent writers on ${what}; try again`)
}

function urlIdTaken(urlId: string): PotokError {
  return new PotokError('CONFLICT', `urlId "${urlId}" is already taken`, { details: { urlId } })
}
