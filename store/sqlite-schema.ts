/**
 * The SQLite layout: tables and indexes, the SQL that writes processes, and how rows map to the
 * port's records. Documents are JSON text; filtered or sorted fields have their own columns.
 * Step rows are keyed by the process's integer `seq` rather than its id: new processes get
 * rising keys, so step inserts append to the B-tree (~1.3× the write rate of random UUID keys).
 *
 * The list indexes end with `started_at`, not `started_at, id`: lists are ordered by
 * `started_at DESC, id DESC`, and SQLite sorts only the rows of one `started_at` by id as it walks
 * such an index (its plan says "USE TEMP B-TREE FOR LAST TERM OF ORDER BY"), stopping at the page's
 * LIMIT as before. Without the 36-character id, each of the four indexes' entries is about half
 * as wide: recording a greet-sized process took ≈ 44–50 → 33 µs of CPU (8 per transaction).
 * They are ascending, walked backwards for the newest first: a new process then lands at the
 * right edge of its part of each index, where SQLite appends to the last page, instead of at the
 * left edge of a descending one, where every few inserts split a page (16 greet records per
 * transaction: 31 → 25 pages written to the WAL per commit, 14 → 12 µs of CPU per record).
 * A database made before keeps the indexes it has (they serve the same queries); dropping one
 * lets the next start create it anew (docs/durability.md, "SQLite: the layout of a process").
 *
 * A process recorded whole (`recordProcess`) keeps its steps in its own row instead
 * (`processes.steps`): one B-tree write fewer for every synchronous process.
 */
import type Database from 'better-sqlite3'
import type { ProcessStatus, Scenario } from '../runtime/types.ts'
import { fullSnapshot, OUTPUT_CHANGES_MARK, outputChanges, outputFrom } from './compact.ts'
import type { ProcessPatch, ProcessRecord, ScenarioRecord } from './port.ts'

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS scenarios (
  id TEXT NOT NULL, version INTEGER NOT NULL, doc TEXT NOT NULL, created_at TEXT NOT NULL,
  PRIMARY KEY (id, version)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS webrequests (
  id TEXT PRIMARY KEY, url_id TEXT NOT NULL UNIQUE, scenario_id TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS webrequests_scenario ON webrequests (scenario_id);
CREATE TABLE IF NOT EXISTS processes (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL,
  scenario_id TEXT NOT NULL, scenario_version INTEGER NOT NULL,
  trigger_id TEXT, parent_id TEXT, replay_of TEXT,
  started_at TEXT NOT NULL, finished_at TEXT, duration_ms REAL,
  lease_owner TEXT, lease_expires_at TEXT,
  trigger TEXT NOT NULL, input TEXT NOT NULL,
  output TEXT, response TEXT, error TEXT, snapshot TEXT);
CREATE INDEX IF NOT EXISTS processes_started ON processes (started_at);
CREATE INDEX IF NOT EXISTS processes_status ON processes (status, started_at);
CREATE INDEX IF NOT EXISTS processes_scenario ON processes (scenario_id, started_at);
CREATE INDEX IF NOT EXISTS processes_trigger ON processes (trigger_id, started_at);
CREATE INDEX IF NOT EXISTS processes_parent ON processes (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS processes_lease ON processes (lease_expires_at) WHERE status = 'running';
CREATE TABLE IF NOT EXISTS steps (
  process_seq INTEGER NOT NULL, idx INTEGER NOT NULL, doc TEXT NOT NULL,
  PRIMARY KEY (process_seq, idx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS idempotency (
  key TEXT PRIMARY KEY, process_id TEXT NOT NULL, response TEXT, expires_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS idempotency_expires ON idempotency (expires_at);
`

/** Columns a patch may set; `set_<name>` = 1 says the patch carries it (undefined = keep). */
export const PATCH_SQL = `UPDATE processes SET
  status = CASE WHEN @set_status THEN @status ELSE status END,
  output = CASE WHEN @set_output THEN @output ELSE output END,
  response = CASE WHEN @set_response THEN @response ELSE response END,
  error = CASE WHEN @set_error THEN @error ELSE error END,
  finished_at = CASE WHEN @set_finished_at THEN @finished_at ELSE finished_at END,
  duration_ms = CASE WHEN @set_duration_ms THEN @duration_ms ELSE duration_ms END,
  snapshot = CASE WHEN @set_snapshot THEN @snapshot ELSE snapshot END,
  scenario_version = CASE WHEN @set_scenario THEN @scenario_version ELSE scenario_version END,
  lease_owner = CASE WHEN @set_lease THEN @lease_owner ELSE lease_owner END,
  lease_expires_at = CASE WHEN @set_lease THEN @lease_expires_at ELSE lease_expires_at END
  WHERE id = @id`

/** A column added to the processes table after its first release, and the statement that adds it. */
export interface AddedColumn {
  column: string
  sql: string
}

/** Columns of a whole record added after the first release (the lease columns: `sqlite-leases.ts`). */
export const ADDED_PROCESS_COLUMNS: readonly AddedColumn[] = [{ column: 'steps', sql: 'ALTER TABLE processes ADD COLUMN steps TEXT' }]

/**
 * Adds to the processes table the columns a database made before lacks (`ALTER TABLE … ADD
 * COLUMN`, instant in SQLite; old rows read the default). Writes nothing when none is missing.
 */
export function addMissingColumns(db: Database.Database, added: readonly AddedColumn[]): void {
  const columns = new Set((db.pragma('table_info(processes)') as Array<{ name: string }>).map((c) => c.name))
  for (const migration of added) if (!columns.has(migration.column)) db.exec(migration.sql)
}

const COLUMNS = [
  'id',
  'status',
  'scenario_id',
  'scenario_version',
  'trigger_id',
  'parent_id',
  'replay_of',
  'started_at',
  'finished_at',
  'duration_ms',
  'lease_owner',
  'lease_expires_at',
  'trigger',
  'input',
  'output',
  'response',
  'error',
  'snapshot',
]
const columnsAndValues = (names: string[]) => `(${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`

export const PROCESS_COLUMNS = columnsAndValues(COLUMNS)
/** A whole record: every column and its steps (`steps`, one JSON array), values as `processValues` gives them and then the steps. */
export const RECORD_COLUMNS = columnsAndValues([...COLUMNS, 'steps'])

/** Every column of a whole record but `id` and `seq`, for recording over an existing row. */
export const RECORD_UPDATE = [...COLUMNS.slice(1), 'steps'].map((column) => `${column} = excluded.${column}`).join(', ')

/** Statuses pruning never deletes. */
export const ACTIVE = `('queued', 'running')`

export interface ProcessRow {
  seq: number
  id: string
  status: ProcessStatus
  scenario_id: string
  scenario_version: number
  trigger_id: string | null
  parent_id: string | null
  replay_of: string | null
  started_at: string
  finished_at: string | null
  duration_ms: number | null
  lease_owner: string | null
  lease_expires_at: string | null
  trigger: string
  input: string
  output: string | null
  response: string | null
  error: string | null
  snapshot: string | null
  /** A whole record's steps (one JSON array); NULL for processes written step by step. */
  steps: string | null
}

export interface ScenarioRow {
  id: string
  version: number
  doc: string
  created_at: string
}

export interface IdempotencyRow {
  key: string
  process_id: string
  response: string | null
  expires_at: string
}

export function scenarioRecord(row: ScenarioRow): ScenarioRecord {
  return { id: row.id, version: row.version, scenario: JSON.parse(row.doc) as Scenario, createdAt: row.created_at }
}

export function json(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value)
}

/** The output column of a record: its changes to the input when that is shorter, else the whole output. */
function outputColumn(input: unknown, output: unknown): string | null {
  if (output === undefined || output === null) return null
  const changes = outputChanges(input, output)
  return changes === null ? JSON.stringify(output) : OUTPUT_CHANGES_MARK + JSON.stringify(changes)
}

/** The whole output of a row (a list row whose input was left out for its size has no output either). */
function outputOf(row: Pick<ProcessRow, 'input' | 'output'>): unknown {
  if (row.output === null || !row.output.startsWith(OUTPUT_CHANGES_MARK)) return parse(row.output)
  return outputFrom(JSON.parse(row.input), JSON.parse(row.output.slice(OUTPUT_CHANGES_MARK.length)) as Record<string, unknown>)
}

export function parse(text: string | null): unknown {
  return text === null ? null : JSON.parse(text)
}

export function parseOrNull<T>(text: string | undefined): T | null {
  return text === undefined ? null : (JSON.parse(text) as T)
}

/**
 * A record's column values in `COLUMNS` order. Bound by position: better-sqlite3 binds named
 * parameters by looking each name up on the object, which took about 3 µs of every record.
 */
export function processValues(record: ProcessRecord): unknown[] {
  return [
    record.id,
    record.status,
    record.scenario.id,
    record.scenario.version,
    record.trigger.id ?? null,
    record.parentId ?? null,
    record.replayOf ?? null,
    record.startedAt,
    record.finishedAt ?? null,
    record.durationMs ?? null,
    record.lease?.owner ?? null,
    record.lease?.expiresAt ?? null,
    JSON.stringify(record.trigger),
    JSON.stringify(record.input ?? {}),
    outputColumn(record.input, record.output),
    json(record.response),
    json(record.error),
    json(record.snapshot),
  ]
}

export function patchParams(id: string, patch: ProcessPatch): Record<string, unknown> {
  const has = (key: keyof ProcessPatch) => (patch[key] === undefined ? 0 : 1)
  return {
    id,
    set_status: has('status'),
    status: patch.status ?? null,
    set_output: has('output'),
    output: json(patch.output),
    set_response: has('response'),
    response: json(patch.response),
    set_error: has('error'),
    error: json(patch.error),
    set_finished_at: has('finishedAt'),
    finished_at: patch.finishedAt ?? null,
    set_duration_ms: has('durationMs'),
    duration_ms: patch.durationMs ?? null,
    set_snapshot: has('snapshot'),
    snapshot: json(patch.snapshot),
    set_scenario: has('scenario'),
    scenario_version: patch.scenario?.version ?? null,
    set_lease: has('lease'),
    lease_owner: patch.lease?.owner ?? null,
    lease_expires_at: patch.lease?.expiresAt ?? null,
  }
}

export function processRecord(row: ProcessRow): ProcessRecord {
  return {
    id: row.id,
    scenario: { id: row.scenario_id, version: row.scenario_version },
    trigger: JSON.parse(row.trigger) as ProcessRecord['trigger'],
    status: row.status,
    input: JSON.parse(row.input) as ProcessRecord['input'],
    output: outputOf(row) as ProcessRecord['output'],
    response: parse(row.response) as ProcessRecord['response'],
    error: parse(row.error) as ProcessRecord['error'],
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms,
    snapshot: fullSnapshot(parse(row.snapshot), outputOf(row)),
    replayOf: row.replay_of,
    parentId: row.parent_id,
    lease: row.lease_owner ? { owner: row.lease_owner, expiresAt: row.lease_expires_at ?? '' } : null,
  }
}
