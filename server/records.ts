/**
 * Record writes with Bpium's data-change events (docs/catalogs.md, «Изменение данных»): the one path
 * for the API and for scenarios' data actions. A catalog's `events` bind scenarios to `create`,
 * `update`, `delete` in two phases:
 *
 * - `before` («Запрос») runs synchronously before the write; `$status` ≥ 400 refuses it
 *   (RECORD_CHANGE_REFUSED with that status and `$body`), `$body.values` replaces values
 *   being written. A before-scenario that fails refuses the write too (RECORD_EVENT_FAILED).
 * - `after` («Уведомление») is queued durably once the write is committed, as `?async=true` is
 *   (an update that changed no value notifies nobody).
 *
 * Event processes are sub-processes of the write: a change made by an event's scenario may
 * trigger events in turn, one level deeper each time, up to MAX_SUBPROCESS_DEPTH (then the write
 * is refused with SUBPROCESS_DEPTH). Their trigger is `$dataChange` with the record, so the
 * console links them to it.
 */
import { inThreadRunner, newProcessId, PotokError, type ProcessInfo, type ProcessRunner, runtimeLimits, type RuntimeServices, type Variables } from '../runtime/index.ts'
import type { ProcessStore, ProcessTrigger } from '../store/port.ts'
import type { Catalog, CatalogRecord, EventKind, EventPhase, RecordValues } from '../store/records-port.ts'
import { fileValue } from '../store/record-fields.ts'
import type { AsyncProcesses } from './context.ts'

export interface RecordServiceOptions {
  store: ProcessStore
  /** Services event processes get (data actions, sub-processes); read when an event runs. */
  services: () => RuntimeServices
  /** Where `after` processes are queued durably; without it they run here, detached. */
  executor?: () => AsyncProcesses | undefined
  runner?: ProcessRunner
  maxDepth?: number
  maxFileBytes?: number
}

type Change = { kind: EventKind; catalog: Catalog; recordId?: string; values: RecordValues; prevValues?: RecordValues; allValues: RecordValues }

export class RecordService {
  constructor(private readonly options: RecordServiceOptions) {}

  private get records() {
    return this.options.store.records
  }

  async create(catalogId: string, values: RecordValues, origin?: ProcessInfo): Promise<CatalogRecord> {
    const catalog = await this.records.requireCatalog(catalogId)
    let normalized = await this.records.normalize(catalog, values)
    const depth = await this.depthFor(catalog, 'create', origin)
    normalized = await this.before({ kind: 'create', catalog, values: normalized, allValues: normalized }, depth)
    const record = await this.records.createRecord(catalog.id, normalized)
    await this.after({ kind: 'create', catalog, recordId: record.id, values: record.values, allValues: record.values }, depth)
    return record
  }

  async update(catalogId: string, recordId: string, values: RecordValues, origin?: ProcessInfo): Promise<CatalogRecord> {
    const previous = await this.records.requireRecord(catalogId, recordId)
    const catalog = await this.records.requireCatalog(catalogId)
    let normalized = await this.records.normalize(catalog, values)
    const depth = await this.depthFor(catalog, 'update', origin)
    normalized = await this.before({ kind: 'update', catalog, recordId: previous.id, values: normalized, prevValues: previous.values, allValues: { ...previous.values, ...normalized } }, depth)
    const record = await this.records.updateRecord(catalog.id, previous.id, normalized)
    const changed = Object.fromEntries(Object.entries(normalized).filter(([id, value]) => JSON.stringify(value) !== JSON.stringify(previous.values[id])))
    // Nothing changed, nothing to notify: an after-update scenario writing the same values again ends there.
    if (Object.keys(changed).length) await this.after({ kind: 'update', catalog, recordId: record.id, values: changed, prevValues: previous.values, allValues: record.values }, depth)
    return record
  }

  async delete(catalogId: string, recordId: string, origin?: ProcessInfo): Promise<void> {
    const previous = await this.records.requireRecord(catalogId, recordId)
    const catalog = await this.records.requireCatalog(catalogId)
    const depth = await this.depthFor(catalog, 'delete', origin)
    await this.before({ kind: 'delete', catalog, recordId: previous.id, values: previous.values, allValues: previous.values }, depth)
    await this.records.deleteRecord(catalog.id, previous.id)
    await this.after({ kind: 'delete', catalog, recordId: previous.id, values: previous.values, allValues: previous.values }, depth)
  }

  /** Stores a file as the value of a file field, replacing what it held (Bpium's «Файл в запись»). */
  async upload(upload: { catalogId: string; recordId: string; fieldId: string; name: string; contentType?: string; data: Uint8Array }, origin?: ProcessInfo): Promise<CatalogRecord> {
    const record = await this.records.requireRecord(upload.catalogId, upload.recordId)
    const catalog = await this.records.requireCatalog(upload.catalogId)
    const field = catalog.fields.find((f) => f.id === String(upload.fieldId))
    if (field?.type !== 'file') {
      throw new PotokError('FIELD_NOT_FOUND', `catalog "${catalog.name}" (${catalog.id}) has no file field "${upload.fieldId}"`, { details: { catalogId: catalog.id, fieldId: upload.fieldId } })
    }
    const file = await this.putFile(upload)
    return this.update(catalog.id, record.id, { [field.id]: [{ id: file.id }] }, origin)
  }

  /** Stores a file on its own (bounded by MAX_FILE_BYTES). */
  async putFile(file: { name: string; contentType?: string; data: Uint8Array }) {
    const max = this.options.maxFileBytes ?? 20 * 1024 * 1024
    if (file.data.byteLength > max) {
      throw new PotokError('FILE_TOO_LARGE', `the file is ${file.data.byteLength} bytes; MAX_FILE_BYTES allows ${max}`, { details: { size: file.data.byteLength, maxFileBytes: max } })
    }
    return this.records.putFile(file)
  }

  /** The bytes of a file in a record's file field. */
  async readFile(ref: { catalogId: string; recordId: string; fieldId: string; index?: number }): Promise<{ name: string; contentType: string; data: Uint8Array }> {
    const record = await this.records.requireRecord(ref.catalogId, ref.recordId)
    const list = record.values[String(ref.fieldId)]
    const entry = Array.isArray(list) ? (list[ref.index ?? 0] as { id?: string } | undefined) : undefined
    const file = entry?.id ? await this.records.getFile(entry.id) : null
    if (!file) {
      throw new PotokError('FILE_NOT_FOUND', `record ${record.id} of catalog ${record.catalogId} has no file at field "${ref.fieldId}" index ${ref.index ?? 0}`, { details: { ...ref } })
    }
    return { name: file.name, contentType: file.contentType, data: file.data }
  }

  /**
   * The depth event processes of this write run at (the writer's + 1), or SUBPROCESS_DEPTH
   * when that is too deep. A process run by the executor does not know its depth: it is kept in
   * its trigger, read here only when the catalog has events for this change.
   */
  private async depthFor(catalog: Catalog, kind: EventKind, origin?: ProcessInfo): Promise<number> {
    if (!catalog.events?.some((e) => e.on === kind)) return 0
    let depth = origin?.depth ?? -1
    if (origin) depth = Math.max(depth, (await this.options.store.getProcess(origin.id))?.trigger.depth ?? 0)
    const next = depth + 1
    const max = this.options.maxDepth ?? runtimeLimits().maxSubprocessDepth
    if (next > max) {
      throw new PotokError(
        'SUBPROCESS_DEPTH',
        `data-change events may nest ${max} deep (MAX_SUBPROCESS_DEPTH): a ${kind} in catalog "${catalog.name}" (${catalog.id}) by process ${origin?.id} would start events at depth ${next} — does an event's scenario change the record it was started for?`,
        { details: { maxDepth: max, catalogId: catalog.id, processId: origin?.id } },
      )
    }
    return next
  }

  /** Runs the `before` events in order; returns the values to write. */
  private async before(change: Change, depth: number): Promise<RecordValues> {
    let values = change.values
    for (const binding of this.bindings(change, 'before')) {
      const scenario = await this.scenario(binding.scenarioId)
      const input = eventInput({ ...change, values }, 'before', binding.index, binding.scenarioId)
      const processId = newProcessId()
      const trigger = triggerOf(change, 'before', depth)
      const result = await (this.options.runner ?? inThreadRunner).start(scenario.scenario, input, { processId, depth, services: this.options.services() })
      await this.options.store.recordProcess(
        {
          id: processId,
          scenario: { id: scenario.id, version: scenario.version },
          trigger,
          status: result.status,
          input,
          output: result.output,
          error: result.error,
          startedAt: result.startedAt,
          finishedAt: result.finishedAt,
          durationMs: result.durationMs,
          snapshot: result.snapshot,
          replayOf: null,
          parentId: null,
          lease: null,
        },
        result.steps,
      )
      if (result.status !== 'completed') {
        const error = result.error ?? { code: 'PROCESS_FAILED', message: 'no error recorded' }
        if (error.code === 'SUBPROCESS_DEPTH') throw new PotokError('SUBPROCESS_DEPTH', error.message, { details: { processId } })
        throw new PotokError('RECORD_EVENT_FAILED', `the before-${change.kind} event's scenario "${binding.scenarioId}" ${result.status} (process ${processId}): ${error.code}: ${error.message}`, {
          details: { processId, scenarioId: binding.scenarioId },
        })
      }
      const status = Number(result.output.$status ?? 200)
      const body = result.output.$body as { message?: unknown; values?: unknown } | undefined
      if (status >= 400) {
        const message = typeof body?.message === 'string' ? body.message : `the before-${change.kind} event's scenario "${binding.scenarioId}" refused the change`
        throw new PotokError('RECORD_CHANGE_REFUSED', message, { status: Math.min(status, 599), details: { processId, body: body ?? null } })
      }
      if (change.kind !== 'delete' && body?.values && typeof body.values === 'object') {
        values = { ...values, ...(await this.records.normalize(change.catalog, body.values as RecordValues)) }
      }
    }
    return values
  }

  /** Queues the `after` events. */
  private async after(change: Change, depth: number): Promise<void> {
    for (const binding of this.bindings(change, 'after')) {
      const scenario = await this.scenario(binding.scenarioId)
      const input = eventInput(change, 'after', binding.index, binding.scenarioId)
      const trigger = triggerOf(change, 'after', depth)
      const executor = this.options.executor?.()
      if (executor) {
        await executor.enqueue({ scenario, input, trigger })
      } else {
        ;(this.options.runner ?? inThreadRunner).start(scenario.scenario, input, { depth, services: this.options.services() }).catch(() => {
          /* detached: nothing records it without an executor */
        })
      }
    }
  }

  private bindings(change: Change, phase: EventPhase) {
    return (change.catalog.events ?? []).map((event, index) => ({ ...event, index })).filter((e) => e.on === change.kind && e.phase === phase)
  }

  private async scenario(id: string) {
    const scenario = await this.options.store.getScenario(id)
    if (!scenario) throw new PotokError('SCENARIO_NOT_FOUND', `a data-change event names scenario "${id}", which does not exist`, { details: { scenarioId: id } })
    return scenario
  }
}

/** Bpium's input variables of a data-change event. */
function eventInput(change: Change, phase: EventPhase, index: number, scenarioId: string): Variables {
  return {
    event: { id: `${change.catalog.id}.${index}`, type: `$record.${phase}.${change.kind}`, async: phase === 'after' },
    script: { id: scenarioId },
    user: { id: null },
    catalogId: change.catalog.id,
    ...(change.recordId !== undefined ? { recordId: change.recordId } : {}),
    values: change.values,
    ...(change.prevValues ? { prevValues: change.prevValues } : {}),
    allValues: change.allValues,
  }
}

function triggerOf(change: Change, phase: EventPhase, depth: number): ProcessTrigger {
  return {
    type: '$dataChange',
    id: change.recordId ? `${change.catalog.id}/${change.recordId}` : change.catalog.id,
    async: phase === 'after',
    record: { catalogId: change.catalog.id, ...(change.recordId ? { recordId: change.recordId } : {}), event: `${phase}.${change.kind}` },
    depth,
  }
}

/** The catalogs-and-records functions of `RuntimeServices`, over a `RecordService`. */
export function recordServices(service: RecordService, store: ProcessStore): RuntimeServices {
  return {
    getCatalog: (catalogId) => store.records.requireCatalog(String(catalogId)),
    getRecord: async ({ catalogId, recordId, fields }) => {
      const record = await store.records.requireRecord(String(catalogId), String(recordId))
      if (!fields?.length) return record
      return {
        ...record,
        values: Object.fromEntries(
          fields
            .map(String)
            .filter((id) => id in record.values)
            .map((id) => [id, record.values[id]]),
        ),
      }
    },
    findRecords: ({ catalogId, ...query }) => store.records.findRecords(String(catalogId), query),
    createRecord: ({ catalogId, values, origin }) => service.create(String(catalogId), values, origin),
    updateRecord: ({ catalogId, recordId, values, origin }) => service.update(String(catalogId), String(recordId), values, origin),
    deleteRecord: ({ catalogId, recordId, origin }) => service.delete(String(catalogId), String(recordId), origin),
    uploadRecordFile: ({ origin, ...upload }) => service.upload(upload, origin),
    storeFile: async (file) => fileValue(await service.putFile(file)),
    readRecordFile: (ref) => service.readFile(ref),
  }
}
