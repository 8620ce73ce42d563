/**
 * Leases, fencing and the durable schedule on MongoDB (and FerretDB).
 *
 * Every claim raises a process's `fence`; its owner's writes (steps, lease renewals, the end)
 * name the fence they hold and are refused once another claim raised it.
 *
 * - Real MongoDB: each decision is one atomic update filtered on `_id` and the expected
 *   revision/owner/fence (`updateOne` / compare-and-set), served by the `_id` index.
 * - FerretDB 1.24 (SQLite handler): updates are read-modify-write, and no filter reaches an
 *   index — not even `_id` equality, which is pushed down to SQLite as a `json_extract` that
 *   scans the table (explain: `SCAN`), cheaper than other filters, which are decoded document by
 *   document in FerretDB (~0.7 s at 10⁴ processes). Every read of a process therefore costs in
 *   proportion to the documents in `processes` (the active processes and the last seconds'
 *   ends: `MongoStore.archiveEnded` moves ended ones out), and this file reads as few as it can. A
 *   decision between servers is won by inserting revision `<id>:<rev>` under a unique `_id`
 *   (the loser applies the winner's revision and decides again) — claims, transitions and an
 *   owner's own writes (steps, renewals, the end) alike, so all of them are ordered.
 *
 * The schedule: the `due` collection holds one small document per queued or running process
 * (`at` = when a claimer should look at it: now, a parked timer's deadline, a lease's expiry).
 * Claims read `due` — as small as the number of active processes — instead of the processes
 * collection, which holds every finished process too. An entry is written before the state
 * that needs it and removed after the state that ends it, so a crash leaves at most a stale
 * entry (cleaned by the next claimer that reads it), never a claimable process without one.
 */
import { randomUUID } from 'node:crypto'
import type { Collection, Db, FindOptions } from 'mongodb'
import { clock } from '../runtime/clock.ts'
import { PotokError } from '../runtime/errors.ts'
import type { StepRecord } from '../runtime/types.ts'
import { patchFields, type ProcessDoc, type ProcessFields, type RevisionDoc } from './mongo-documents.ts'
import type { CommitPatch, ProcessLease, ProcessRecord } from './port.ts'

interface DueDoc {
  _id: string
  at: string
  /** Changes with every write, so a stale reader removes only the entry it saw. */
  v: string
}

interface HealthDoc {
  _id: string
  at: string
}

/** Process fields with the fence and wake time. */
export type LeasedFields = ProcessFields & { fence?: number; wakeAt?: string | null }
type LeasedDoc = ProcessDoc & { fence?: number; wakeAt?: string | null }

const LEASE_FIELDS: FindOptions = { projection: { _id: 1, status: 1, leaseOwner: 1, leaseExpiresAt: 1, rev: 1, fence: 1, wakeAt: 1, startedAt: 1 } }
const WITHOUT_STEPS: FindOptions = { projection: { steps: 0 } }
const MAX_ATTEMPTS = 50
const TERMINAL = new Set(['completed', 'failed', 'interrupted', 'cancelled'])

export class MongoLeases {
  readonly #processes: Collection<LeasedDoc>
  readonly #revisions: Collection<RevisionDoc>
  readonly #due: Collection<DueDoc>
  readonly #health: Collection<HealthDoc>
  readonly #serial: <T>(id: string, write: () => Promise<T>) => Promise<T>
  /** True on real MongoDB: a filtered update is a compare-and-set there. */
  atomic = false

  constructor(db: Db, serial: <T>(id: string, write: () => Promise<T>) => Promise<T>) {
    this.#processes = db.collection('processes')
    this.#revisions = db.collection('revisions')
    this.#due = db.collection('due')
    this.#health = db.collection('health')
    this.#serial = serial
  }

  async init(db: Db, options: { atomic?: boolean } = {}): Promise<void> {
    const info = await db.command({ buildInfo: 1 })
    this.atomic = options.atomic ?? !('ferretdbVersion' in info)
    await this.#due.createIndex({ at: 1 }, { name: 'at' })
  }

  /** Puts (or moves) a process on the schedule; called before the state that needs it. */
  async schedule(id: string, at: string): Promise<void> {
    await this.#due.updateOne({ _id: id }, { $set: { at, v: randomUUID() } }, { upsert: true })
  }

  /**
   * Takes a process off the schedule; called after the state that ends it. On FerretDB an
   * update is a read-modify-write of the whole document inside the server, so a write that
   * started before this end and lands after it (another server applying an older revision, the
   * filter checked just before the end was written) can still put the process back to `running`
   * — and with its entry gone, nobody would ever look at it again (two-servers.test.ts saw it
   * under load). There the entry stays, due `ENDED_RECHECK_MS` later: the claimer that reads it
   * then confirms the end and drops it, or finds the process put back and, deciding on it,
   * re-applies the newer revision it collides with. On MongoDB the end is a compare-and-set.
   */
  async unschedule(id: string): Promise<void> {
    if (this.atomic) await this.#due.deleteOne({ _id: id })
    else await this.#due.updateOne({ _id: id }, { $set: { at: new Date(clock.now() + ENDED_RECHECK_MS).toISOString(), v: randomUUID() } })
  }

  /** Drops the schedule entries of processes that left `processes` (archived). */
  async forget(ids: string[]): Promise<void> {
    if (ids.length) await this.#due.deleteMany({ _id: { $in: ids } })
  }

  /** Where a new or re-queued process goes on the schedule (null: it needs none). */
  static dueAt(status: string, fields: { wakeAt?: string | null; leaseExpiresAt?: string | null; startedAt?: string }): string | null {
    if (status === 'queued') return fields.wakeAt ?? fields.startedAt ?? new Date(clock.now()).toISOString()
    if (status === 'running') return fields.leaseExpiresAt ?? null
    return null
  }

  /** Claims up to `limit` due processes, oldest due first, one decision each. */
  async claim(owner: string, leaseMs: number, limit: number, toRecord: (doc: LeasedDoc) => ProcessRecord): Promise<ProcessRecord[]> {
    const now = new Date(clock.now()).toISOString()
    const due = await this.#due
      .find({ at: { $lte: now } })
      .sort({ at: 1 })
      .limit(limit * 2 + 4)
      .toArray()
    const claimed: ProcessRecord[] = []
    for (const entry of due) {
      if (claimed.length >= limit) break
      const expiresAt = new Date(clock.now() + leaseMs).toISOString()
      let seen: LeasedDoc | null = null
      // The decision reads the whole process (but its steps): the claimed record comes from it,
      // without another read (on FerretDB each read of a process scans the collection).
      const decided = await this.decide(
        entry._id,
        (doc) => {
          seen = doc
          const time = new Date(clock.now()).toISOString()
          const claimable = (doc.status === 'queued' && (!doc.wakeAt || doc.wakeAt <= time)) || (doc.status === 'running' && !!doc.leaseExpiresAt && doc.leaseExpiresAt < time)
          return claimable ? { status: 'running', leaseOwner: owner, leaseExpiresAt: expiresAt, wakeAt: null, fence: (doc.fence ?? 0) + 1 } : null
        },
        WITHOUT_STEPS,
      )
      if (decided) {
        const before = seen as unknown as LeasedDoc
        const record = toRecord({ ...before, ...decided } as LeasedDoc)
        claimed.push(before.status === 'running' ? { ...record, reclaimed: true } : record)
        await this.#due.updateOne({ _id: entry._id }, { $set: { at: expiresAt, v: randomUUID() } })
        continue
      }
      // Not claimable: move the entry to when it may be, or drop it when the process ended. An
      // entry without its process is young while its creator is inserting the process (the
      // entry goes first): dropped only once it is older than any insert takes.
      const doc = seen as LeasedDoc | null
      if (!doc && Date.parse(entry.at) > clock.now() - ORPHAN_MS) continue
      const next = doc ? MongoLeases.dueAt(doc.status, doc) : null
      if (next) await this.#due.updateOne({ _id: entry._id, v: entry.v }, { $set: { at: next, v: randomUUID() } })
      else await this.#due.deleteOne({ _id: entry._id, v: entry.v })
    }
    return claimed
  }

  /** The fenced write of an owner (see the file comment); false when fenced out. */
  commit(id: string, lease: ProcessLease, patch: CommitPatch, steps: StepRecord[] | undefined, leaseMs: number | undefined): Promise<boolean> {
    return this.#serial(id, () => this.#commit(id, lease, patch, steps, leaseMs))
  }

  async #commit(id: string, lease: ProcessLease, patch: CommitPatch, steps: StepRecord[] | undefined, leaseMs: number | undefined): Promise<boolean> {
    const { wakeAt, ...rest } = patch
    const set: Record<string, unknown> = { ...patchFields(rest) }
    if (wakeAt !== undefined) set.wakeAt = wakeAt
    if (leaseMs !== undefined && rest.lease === undefined) set.leaseExpiresAt = new Date(clock.now() + leaseMs).toISOString()
    for (const step of steps ?? []) set[`steps.i${step.index}`] = JSON.stringify(step)
    const status = rest.status
    // A process moved back to the schedule (parked, handed back) is put there first.
    const next = status ? MongoLeases.dueAt(status, { wakeAt: wakeAt ?? null, leaseExpiresAt: null }) : null
    if (next) await this.schedule(id, next)
    let ok: boolean
    if (this.atomic) {
      const { matchedCount } = await this.#processes.updateOne({ _id: id, status: 'running', leaseOwner: lease.owner, fence: lease.fence }, { $set: set })
      ok = matchedCount > 0
    } else {
      ok = await this.#ownerWrite(id, lease, set)
    }
    if (ok && status && TERMINAL.has(status)) await this.unschedule(id)
    return ok
  }

  /** Extends the lease while the owner holds it (any fence); true when it still does. */
  renew(id: string, owner: string, leaseMs: number): Promise<boolean> {
    return this.#serial(id, async () => {
      const leaseExpiresAt = new Date(clock.now() + leaseMs).toISOString()
      if (this.atomic) {
        const { matchedCount } = await this.#processes.updateOne({ _id: id, status: 'running', leaseOwner: owner }, { $set: { leaseExpiresAt } })
        return matchedCount > 0
      }
      return this.#ownerWrite(id, { owner, fence: -1 }, { leaseExpiresAt })
    })
  }

  /**
   * FerretDB: an owner's write is a decision like any other (a revision insert decides it), so
   * it is ordered against every claim however slow the database is. (A read and an update by
   * `_id` while the lease had a margin left was tried: under load one such pair took longer
   * than the margin and a side effect ran twice.) Fence -1: any fence of this owner.
   */
  async #ownerWrite(id: string, lease: ProcessLease, set: Record<string, unknown>): Promise<boolean> {
    const holds = (doc: LeasedDoc) => doc.status === 'running' && doc.leaseOwner === lease.owner && (lease.fence < 0 || (doc.fence ?? 0) === lease.fence)
    return (await this.#decide(id, (current) => (holds(current) ? (set as LeasedFields) : null))) !== null
  }

  /** One decision about a process (claim, transition); null when `choose` refuses. */
  decide(id: string, choose: (doc: LeasedDoc) => LeasedFields | null, read: FindOptions = LEASE_FIELDS): Promise<LeasedFields | null> {
    return this.#serial(id, () => this.#decide(id, choose, read))
  }

  async #decide(id: string, choose: (doc: LeasedDoc) => LeasedFields | null, read: FindOptions = LEASE_FIELDS): Promise<LeasedFields | null> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const doc = await this.#processes.findOne({ _id: id }, read)
      if (!doc) return null
      const fields = choose(doc)
      if (!fields) return null
      const rev = (doc.rev ?? 0) + 1
      const set = { ...fields, rev }
      if (this.atomic) {
        const { matchedCount } = await this.#processes.updateOne({ _id: id, rev: doc.rev ?? 0 }, { $set: set })
        if (matchedCount > 0) return set
        continue
      }
      try {
        await this.#revisions.insertOne({ _id: `${id}:${rev}`, processId: id, rev, set: JSON.stringify(set) })
      } catch (error) {
        if (!isDuplicateKey(error)) throw error
        await this.#applyRevision(id, rev)
        continue
      }
      // The winner writes by `_id` alone: FerretDB pushes only a bare `_id` filter down to
      // SQLite (a `rev` condition beside it made every write scan: 2× slower at 200 processes).
      // A winner's write delayed past a later decision is rare (the later one needs this one
      // applied first); the end's recheck (`unschedule`) repairs it if it happens.
      await this.#processes.updateOne({ _id: id }, { $set: set })
      return set
    }
    throw new PotokError('STORE_CONTENTION', `Too many concurrent writers on process "${id}"; try again`)
  }

  /** Applies a revision another writer won (it may have died before applying it). */
  async #applyRevision(id: string, rev: number): Promise<void> {
    const revision = await this.#revisions.findOne({ _id: `${id}:${rev}` })
    if (!revision) return
    // The revision check is in the update's filter, not in a read before it: the winner may
    // apply a later revision between such a read and this write, which would then undo it
    // (two servers lost a process's completion that way: it stayed `running`, off the schedule).
    await this.#processes.updateOne({ _id: id, rev: { $lt: rev } }, { $set: JSON.parse(revision.set) as LeasedFields })
  }

  /**
   * Makes a queued process due now: the process first, then its schedule entry (a crash between
   * the two leaves the entry at the process's former wake time, when it is woken anyway).
   */
  async wake(id: string): Promise<boolean> {
    const now = new Date(clock.now()).toISOString()
    const woken = await this.decide(id, (doc) => (doc.status === 'queued' && doc.wakeAt && doc.wakeAt > now ? { wakeAt: now } : null))
    if (!woken) return false
    await this.#due.updateOne({ _id: id }, { $set: { at: now, v: randomUUID() } })
    return true
  }

  async probeWrite(owner: string): Promise<void> {
    await this.#health.updateOne({ _id: owner }, { $set: { at: new Date(clock.now()).toISOString() } }, { upsert: true })
  }
}

/** How long after its end a process's schedule entry is looked at once more (FerretDB only). */
const ENDED_RECHECK_MS = 30_000

/** A schedule entry whose process does not exist is dropped after this long. */
const ORPHAN_MS = 60_000

function isDuplicateKey(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
  if (code === 11000 || code === 11001) return true
  return code === 1 && typeof message === 'string' && message.includes('UNIQUE constraint failed')
}
