/**
 * `/api/v1/webrequests` — the external requests catalog (docs/server.md): list (`?scenarioId=`),
 * create (201), get, replace (PUT of the whole record), delete. `urlId` is unique (409);
 * the scenario must exist (422); secrets are answered as `"***"`, and `"***"` sent back keeps
 * the stored secret. Changes take effect on the next request — nothing is cached.
 */
import type { H3 } from 'h3'
import { PotokError } from '../../runtime/index.ts'
import type { ProcessStore } from '../../store/port.ts'
import { parseWebRequestInput, publicWebRequest, toWebRequestRecord, type WebRequestInput } from '../catalog.ts'
import type { ServerContext } from '../context.ts'
import { admin, json, list, noContent, param, readJson } from './http.ts'

function notFound(id: string): PotokError {
  return new PotokError('NOT_FOUND', `there is no external request "${id}"`)
}

async function assertScenarioExists(store: ProcessStore, input: WebRequestInput): Promise<void> {
  if (await store.getScenario(input.scenarioId)) return
  throw new PotokError('VALIDATION_FAILED', 'the external request is invalid', { details: { problems: [{ path: 'scenarioId', message: `there is no scenario "${input.scenarioId}"` }] } })
}

export function registerWebRequestRoutes(app: H3, ctx: ServerContext): void {
  const { store } = ctx

  app.get(
    '/api/v1/webrequests',
    admin(ctx, async (event) => {
      const scenarioId = event.url.searchParams.get('scenarioId') ?? undefined
      return list((await store.listWebRequests(scenarioId ? { scenarioId } : {})).map(publicWebRequest))
    }),
  )

  app.post(
    '/api/v1/webrequests',
    admin(ctx, async (event) => {
      const input = parseWebRequestInput(await readJson(event, ctx))
      await assertScenarioExists(store, input)
      if (input.id && (await store.getWebRequest(input.id))) {
        throw new PotokError('CONFLICT', `external request "${input.id}" exists; PUT /api/v1/webrequests/${input.id} replaces it`)
      }
      const record = await store.createWebRequest(toWebRequestRecord(input, null))
      return json(publicWebRequest(record), 201, { location: `/api/v1/webrequests/${record.id}` })
    }),
  )

  app.get(
    '/api/v1/webrequests/:id',
    admin(ctx, async (event) => {
      const id = param(event, 'id')
      const record = await store.getWebRequest(id)
      if (!record) throw notFound(id)
      return json(publicWebRequest(record))
    }),
  )

  app.put(
    '/api/v1/webrequests/:id',
    admin(ctx, async (event) => {
      const id = param(event, 'id')
      const body = await readJson(event, ctx)
      const input = parseWebRequestInput(body && typeof body === 'object' && !Array.isArray(body) ? { ...body, id } : body)
      const existing = await store.getWebRequest(id)
      if (!existing) throw notFound(id)
      await assertScenarioExists(store, input)
      const record = await store.replaceWebRequest(toWebRequestRecord(input, existing))
      if (!record) throw notFound(id)
      return json(publicWebRequest(record))
    }),
  )

  app.delete(
    '/api/v1/webrequests/:id',
    admin(ctx, async (event) => {
      const id = param(event, 'id')
      if (!(await store.deleteWebRequest(id))) throw notFound(id)
      return noContent()
    }),
  )
}
