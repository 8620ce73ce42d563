/**
 * The MongoDB documents and how they map to the port's records. User data (inputs, outputs,
 * snapshots, scenarios, catalog records) is JSON text: FerretDB refuses `$`-prefixed keys such
 * as a binary value's `$binary`, and user keys may hold dots. Fields that are filtered or
 * sorted on are plain fields beside it.
 */
import type { ProcessStatus, Scenario, StepRecord } from '../runtime/types.ts'
import type { IdempotencyRecord, ProcessPatch, ProcessRecord, ScenarioRecord, StoredResponse, WebRequestRecord } from './port.ts'
import { fullSnapshot } from './compact.ts'

export interface ScenarioDoc {
  _id: string
  id: string
  version: number
  doc: string
  createdAt: string
}

export interface WebRequestDoc {
  _id: string
  urlId: string
  scenarioId: string
  doc: string
}

/** Process fields a decision or a patch sets (JSON text for user data). */
export interface ProcessFields {
  status?: ProcessStatus
  output?: string | null
  response?: string | null
  error?: string | null
  finishedAt?: string | null
  durationMs?: number | null
  snapshot?: string | null
  leaseOwner?: string | null
  leaseExpiresAt?: string | null
  rev?: number
  /** Changed only when a stopped process is resumed on a newer version of its scenario. */
  scenarioVersion?: number
}

export interface ProcessDoc extends ProcessFields {
  _id: string
  status: ProcessStatus
  scenarioId: string
  scenarioVersion: number
  triggerId: string | null
  parentId: string | null
  replayOf: string | null
  startedAt: string
  rev: number
  trigger: string
  input: string
  steps?: Record<string, string>
}

export interface RevisionDoc {
  _id: string
  processId: string
  rev: number
  /** JSON of the ProcessFields this revision sets. */
  set: string
}

export interface IdempotencyDoc {
  _id: string
  key: string
  seq: number
  processId: string
  response: string | null
  expiresAt: string
}

export function json(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value)
}

export function parse(text: string | null | undefined): unknown {
  return text === null || text === undefined ? null : JSON.parse(text)
}

export function scenarioRecord(doc: ScenarioDoc): ScenarioRecord {
  return { id: doc.id, version: doc.version, scenario: JSON.parse(doc.doc) as Scenario, createdAt: doc.createdAt }
}

export function webRequestDoc(record: WebRequestRecord): WebRequestDoc {
  return { _id: record.id, urlId: record.urlId, scenarioId: record.scenarioId, doc: JSON.stringify(record) }
}

export function patchFields(patch: ProcessPatch): ProcessFields {
  const fields: ProcessFields = {}
  if (patch.status !== undefined) fields.status = patch.status
  if (patch.output !== undefined) fields.output = json(patch.output)
  if (patch.response !== undefined) fields.response = json(patch.response)
  if (patch.error !== undefined) fields.error = json(patch.error)
  if (patch.finishedAt !== undefined) fields.finishedAt = patch.finishedAt
  if (patch.durationMs !== undefined) fields.durationMs = patch.durationMs
  if (patch.snapshot !== undefined) fields.snapshot = json(patch.snapshot)
  if (patch.scenario !== undefined) fields.scenarioVersion = patch.scenario.version
  if (patch.lease !== undefined) {
    fields.leaseOwner = patch.lease?.owner ?? null
    fields.leaseExpiresAt = patch.lease?.expiresAt ?? null
  }
  return fields
}

export function processDoc(record: ProcessRecord, steps: StepRecord[]): ProcessDoc {
  const stepFields: Record<string, string> = {}
  for (const step of steps) stepFields[`i${step.index}`] = JSON.stringify(step)
  return {
    _id: record.id,
    status: record.status,
    scenarioId: record.scenario.id,
    scenarioVersion: record.scenario.version,
    triggerId: record.trigger.id ?? null,
    parentId: record.parentId ?? null,
    replayOf: record.replayOf ?? null,
    startedAt: record.startedAt,
    finishedAt: record.finishedAt ?? null,
    durationMs: record.durationMs ?? null,
    leaseOwner: record.lease?.owner ?? null,
    leaseExpiresAt: record.lease?.expiresAt ?? null,
    rev: 0,
    trigger: JSON.stringify(record.trigger),
    input: JSON.stringify(record.input ?? {}),
    output: json(record.output),
    response: json(record.response),
    error: json(record.error),
    snapshot: json(record.snapshot),
    steps: stepFields,
  }
}

export function processRecord(doc: ProcessDoc): ProcessRecord {
  return {
    id: doc._id,
    scenario: { id: doc.scenarioId, version: doc.scenarioVersion },
    trigger: JSON.parse(doc.trigger) as ProcessRecord['trigger'],
    status: doc.status,
    input: JSON.parse(doc.input) as ProcessRecord['input'],
    output: parse(doc.output) as ProcessRecord['output'],
    response: parse(doc.response) as ProcessRecord['response'],
    error: parse(doc.error) as ProcessRecord['error'],
    startedAt: doc.startedAt,
    finishedAt: doc.finishedAt ?? null,
    durationMs: doc.durationMs ?? null,
    snapshot: fullSnapshot(parse(doc.snapshot), parse(doc.output)),
    replayOf: doc.replayOf ?? null,
    parentId: doc.parentId ?? null,
    lease: doc.leaseOwner ? { owner: doc.leaseOwner, expiresAt: doc.leaseExpiresAt ?? '' } : null,
  }
}

export function idempotencyRecord(doc: IdempotencyDoc): IdempotencyRecord {
  return { key: doc.key, processId: doc.processId, response: parse(doc.response) as StoredResponse | null, expiresAt: doc.expiresAt }
}
