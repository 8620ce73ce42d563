/**
 * `/api/v1/catalogs…` (docs/catalogs.md): catalogs (list, create 201, get, replace, delete) and their
 * records (`GET …/records` with Bpium's search parameters answering `{ items, total }`, create
 * 201, get, PATCH merging values, delete). Record writes go through `RecordService`, so the
 * catalog's data-change events run; a `before` event that refuses answers with its `$status`
 * and `$body`.
 */
import type { H3 } from 'h3'
import { PotokError } from '../../runtime/index.ts'
import type { CatalogInput } from '../../store/catalog-schema.ts'
import { catalogNotFound, recordNotFound } from '../../store/records.ts'
import type { ServerContext } from '../context.ts'
import { RecordService } from '../records.ts'
import { admin, json, list, noContent, param, readJson } from './http.ts'
import { recordQueryOf } from './record-query.ts'
import { recordValuesBody } from './record-body.ts'

function objectBody(body: unknown, what: string): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new PotokError('INVALID_BODY', `${what} must be a JSON object`)
  return body as Record<string, unknown>
}

function valuesOf(body: unknown): Record<string, unknown> {
  const object = objectBody(body, 'the body')
  if (!recordValuesBody.safeParse(object).success) throw new PotokError('INVALID_BODY', 'the body must be { "values": { "<fieldId>": value } }')
  // The values as sent (zod's copy would lose keys such as "__proto__", which the field checks name).
  return object.values as Record<string, unknown>
}

/** A refusal by a `before` event answers as the event's scenario said: its status and `$body`. */
async function writing(write: () => Promise<Response>): Promise<Response> {
  try {
    return await write()
  } catch (error) {
    if (error instanceof PotokError && error.code === 'RECORD_CHANGE_REFUSED' && error.details?.body !== null && error.details?.body !== undefined) {
      return json(error.details.body, error.status)
    }
    throw error
  }
}

export function registerCatalogRoutes(app: H3, ctx: ServerContext): void {
  const { store } = ctx
  const service = new RecordService({ store, services: () => ctx.services ?? {}, executor: () => ctx.executor, runner: ctx.runner, maxFileBytes: ctx.settings.maxFileBytes })

  async function assertScenarios(input: CatalogInput): Promise<void> {
    const problems = []
    for (const [i, event] of (input.events ?? []).entries()) {
      if (event?.scenarioId && !(await store.getScenario(event.scenarioId))) problems.push({ path: `events.${i}.scenarioId`, message: `there is no scenario "${event.scenarioId}"` })
    }
    if (problems.length) throw new PotokError('VALIDATION_FAILED', 'the catalog is invalid', { details: { problems } })
  }

  app.get(
    '/api/v1/catalogs',
    admin(ctx, async () => list(await store.records.listCatalogs())),
  )

  app.post(
    '/api/v1/catalogs',
    admin(ctx, async (event) => {
      const input = objectBody(await readJson(event, ctx), 'the catalog') as CatalogInput
      if (input.id !== undefined && (await store.records.getCatalog(String(input.id)))) {
        throw new PotokError('CONFLICT', `catalog "${input.id}" exists; PUT /api/v1/catalogs/${input.id} replaces it`)
      }
      await assertScenarios(input)
      const catalog = await store.records.saveCatalog(input)
      return json(catalog, 201, { location: `/api/v1/catalogs/${catalog.id}` })
    }),
  )

  app.get(
    '/api/v1/catalogs/:id',
    admin(ctx, async (event) => json(await store.records.requireCatalog(param(event, 'id')))),
  )

  app.put(
    '/api/v1/catalogs/:id',
    admin(ctx, async (event) => {
      const id = param(event, 'id')
      const input = { ...objectBody(await readJson(event, ctx), 'the catalog'), id } as CatalogInput
      if (!(await store.records.getCatalog(id))) throw catalogNotFound(id)
      await assertScenarios(input)
      return json(await store.records.saveCatalog(input))
    }),
  )

  app.delete(
    '/api/v1/catalogs/:id',
    admin(ctx, async (event) => {
      const id = param(event, 'id')
      if (!(await store.records.deleteCatalog(id))) throw catalogNotFound(id)
      return noContent()
    }),
  )

  app.get(
    '/api/v1/catalogs/:id/records',
    admin(ctx, async (event) => {
      return json(await store.records.findRecords(param(event, 'id'), recordQueryOf(event.url.searchParams)))
    }),
  )

  app.post(
    '/api/v1/catalogs/:id/records',
    admin(ctx, async (event) => {
      const values = valuesOf(await readJson(event, ctx))
      return writing(async () => {
        const record = await service.create(param(event, 'id'), values)
        return json(record, 201, { location: `/api/v1/catalogs/${record.catalogId}/records/${record.id}` })
      })
    }),
  )

  app.get(
    '/api/v1/catalogs/:id/records/:recordId',
    admin(ctx, async (event) => {
      const record = await store.records.requireRecord(param(event, 'id'), param(event, 'recordId'))
      const fields = recordQueryOf(event.url.searchParams).fields
      return json(fields ? { ...record, values: Object.fromEntries(fields.filter((f) => f in record.values).map((f) => [f, record.values[f]])) } : record)
    }),
  )

  app.patch(
    '/api/v1/catalogs/:id/records/:recordId',
    admin(ctx, async (event) => {
      const values = valuesOf(await readJson(event, ctx))
      return writing(async () => json(await service.update(param(event, 'id'), param(event, 'recordId'), values)))
    }),
  )

  app.delete(
    '/api/v1/catalogs/:id/records/:recordId',
    admin(ctx, async (event) => {
      const catalogId = param(event, 'id')
      const recordId = param(event, 'recordId')
      if (!(await store.records.getRecord(catalogId, recordId))) {
        await store.records.requireCatalog(catalogId)
        throw recordNotFound(catalogId, recordId)
      }
      return writing(async () => {
        await service.delete(catalogId, recordId)
        return noContent()
      })
    }),
  )
}
