/**
 * Leases and fencing on SQLite: the `rev` and `wake_at` columns of processes, the claim (queued
 * processes that are due, then running ones whose lease expired — each through its own partial
 * index, oldest first, one statement each inside one IMMEDIATE transaction), fenced commits and
 * the health record `/healthz` writes.
 *
 * Every claim raises a process's `rev`; a commit names the `rev` its owner claimed (the fence)
 * and applies only while it is unchanged, the owner still holds the lease and the process is
 * still running — one UPDATE, so it is a compare-and-set against every other connection.
 */
import type Database from 'better-sqlite3'
import { clock } from '../runtime/clock.ts'
import type { StepRecord } from '../runtime/types.ts'
import type { CommitPatch, ProcessLease, ProcessRecord } from './port.ts'
import { type AddedColumn, addMissingColumns, PATCH_SQL, patchParams, processRecord, type ProcessRow } from './sqlite-schema.ts'

/** Columns added to the processes table (older databases get them on open). */
const MIGRATIONS: AddedColumn[] = [
  { column: 'rev', sql: 'ALTER TABLE processes ADD COLUMN rev INTEGER NOT NULL DEFAULT 0' },
  { column: 'wake_at', sql: 'ALTER TABLE processes ADD COLUMN wake_at TEXT' },
]

const INDEXES = `
CREATE INDEX IF NOT EXISTS processes_due ON processes (coalesce(wake_at, started_at)) WHERE status = 'queued';
CREATE TABLE IF NOT EXISTS health (owner TEXT PRIMARY KEY, at TEXT NOT NULL);
`

type LeaseRow = ProcessRow & { rev: number; wake_at: string | null }

/** A process row with its fence and wake time. */
export function leasedRecord(row: LeaseRow): ProcessRecord {
  return { ...processRecord(row), rev: row.rev, wakeAt: row.wake_at }
}

export class SqliteLeases {
  readonly #db: Database.Database
  readonly #sql: ReturnType<typeof prepare>

  /** Adds what is missing (nothing is written when the schema is current). */
  constructor(db: Database.Database) {
    addMissingColumns(db, MIGRATIONS)
    db.exec(INDEXES)
    this.#db = db
    this.#sql = prepare(db)
  }

  claim(owner: string, leaseMs: number, limit: number): ProcessRecord[] {
    const now = clock.now()
    const params = { owner, now: new Date(now).toISOString(), expires: new Date(now + leaseMs).toISOString() }
    const claim = this.#db.transaction((): ProcessRecord[] => {
      const due = this.#sql.claimDue.all({ ...params, limit }) as LeaseRow[]
      const left = limit - due.length
      const expired = left > 0 ? (this.#sql.claimExpired.all({ ...params, limit: left }) as LeaseRow[]) : []
      return [...due.map(leasedRecord), ...expired.map((row) => ({ ...leasedRecord(row), reclaimed: true }))]
    })
    return claim.immediate()
  }

  /** The fenced write (run inside the store's group commit); false when fenced out. */
  commit(id: string, lease: ProcessLease, patch: CommitPatch, steps: StepRecord[] | undefined, leaseMs: number | undefined, upsertSteps: (seq: number, steps: StepRecord[]) => void): boolean {
    const { wakeAt, ...rest } = patch
    const renewed = leaseMs !== undefined && rest.lease === undefined ? { ...rest, lease: { owner: lease.owner, expiresAt: new Date(clock.now() + leaseMs).toISOString() } } : rest
    const params = { ...patchParams(id, renewed), fence_owner: lease.owner, fence: lease.fence }
    const seq = this.#sql.commit.get(params) as number | undefined
    if (seq === undefined) return false
    if (wakeAt !== undefined) this.#sql.setWakeAt.run(wakeAt, seq)
    if (steps?.length) upsertSteps(seq, steps)
    return true
  }

  wake(id: string): boolean {
    return this.#sql.wake.run({ id, now: new Date(clock.now()).toISOString() }).changes > 0
  }

  renew(owner: string, ids: string[], leaseMs: number): string[] {
    return this.#sql.renew.all({ owner, ids: JSON.stringify(ids), expires: new Date(clock.now() + leaseMs).toISOString() }) as string[]
  }

  /** The query plans of the claims and the renewal (each must be served by an index). */
  plans(): string[] {
    const explain = (statement: Database.Statement) =>
      (this.#db.prepare(`EXPLAIN QUERY PLAN ${statement.source}`).all({ owner: 'x', now: '', expires: '', limit: 1, ids: '[]' }) as Array<{ detail: string }>).map((row) => row.detail).join('; ')
    return [explain(this.#sql.claimDue), explain(this.#sql.claimExpired), explain(this.#sql.renew)]
  }

  probeWrite(owner: string): void {
    this.#sql.probe.run(owner, new Date(clock.now()).toISOString())
  }

  /** The fence and wake time of a process (tests, recovery). */
  leaseOf(id: string): { rev: number; wakeAt: string | null } | null {
    const row = this.#sql.leaseOf.get(id) as { rev: number; wake_at: string | null } | undefined
    return row ? { rev: row.rev, wakeAt: row.wake_at } : null
  }
}

function prepare(db: Database.Database) {
  const claimed = `status = 'running', lease_owner = @owner, lease_expires_at = @expires, rev = rev + 1, wake_at = NULL`
  return {
    claimDue: db.prepare(`UPDATE processes SET ${claimed}
      WHERE seq IN (SELECT seq FROM processes INDEXED BY processes_due WHERE status = 'queued' AND coalesce(wake_at, started_at) <= @now
        ORDER BY coalesce(wake_at, started_at) LIMIT @limit)
      RETURNING *`),
    claimExpired: db.prepare(`UPDATE processes SET ${claimed}
      WHERE seq IN (SELECT seq FROM processes INDEXED BY processes_lease WHERE status = 'running' AND lease_expires_at < @now
        ORDER BY lease_expires_at LIMIT @limit)
      RETURNING *`),
    commit: db.prepare(`${PATCH_SQL} AND status = 'running' AND lease_owner = @fence_owner AND rev = @fence RETURNING seq`).pluck(),
    setWakeAt: db.prepare('UPDATE processes SET wake_at = ? WHERE seq = ?'),
    // By id (`+status` keeps the planner off the status index, which holds every running process).
    renew: db
      .prepare(`UPDATE processes SET lease_expires_at = @expires
      WHERE id IN (SELECT value FROM json_each(@ids)) AND +status = 'running' AND lease_owner = @owner
      RETURNING id`)
      .pluck(),
    wake: db.prepare(`UPDATE processes SET wake_at = @now WHERE id = @id AND status = 'queued' AND coalesce(wake_at, started_at) > @now`),
    probe: db.prepare('INSERT INTO health (owner, at) VALUES (?, ?) ON CONFLICT (owner) DO UPDATE SET at = excluded.at'),
    leaseOf: db.prepare('SELECT rev, wake_at FROM processes WHERE id = ?'),
  }
}
