/**
 * `/api/v1/scenarios` (docs/server.md): list, create, get, replace (a new immutable version),
 * delete (409 while an external request runs it), versions, and validate. A scenario
 * document may declare `webrequests` (as flow files do); they are upserted by `urlId`.
 * Answers carry the stored record `{ id, version, createdAt, scenario }`.
 */
import type { H3 } from 'h3'
import { PotokError } from '../../runtime/index.ts'
import type { ServerContext } from '../context.ts'
import { checkScenarioDocument, saveScenarioDocument, type ScenarioDocument } from '../flows.ts'
import { admin, json, list, noContent, param, readJson } from './http.ts'

const ID = /^[A-Za-z0-9_-]{1,64}$/

function notFound(id: string): PotokError {
  return new PotokError('NOT_FOUND', `there is no scenario "${id}"`)
}

/** Validates a scenario document; throws 422 `VALIDATION_FAILED` with every problem by path. */
function validDocument(input: unknown): ScenarioDocument {
  const checked = checkScenarioDocument(input)
  if (checked.ok) return checked.document
  throw new PotokError('VALIDATION_FAILED', `the scenario is invalid (${checked.problems.length} problem${checked.problems.length === 1 ? '' : 's'})`, { details: { problems: checked.problems } })
}

/** A PUT body may be the scenario document or a record as GET answers it (`{ scenario: … }`). */
function documentOf(body: unknown): unknown {
  const inner = body as { scenario?: unknown; nodes?: unknown } | null
  return inner && typeof inner === 'object' && inner.nodes === undefined && inner.scenario && typeof inner.scenario === 'object' ? inner.scenario : body
}

function versionParam(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined || value === '') return undefined
  const version = Number(value)
  if (!Number.isInteger(version) || version < 1) throw new PotokError('BAD_REQUEST', `version must be a positive integer, got "${value}"`)
  return version
}

export function registerScenarioRoutes(app: H3, ctx: ServerContext): void {
  const { store } = ctx

  app.get(
    '/api/v1/scenarios',
    admin(ctx, async () => list(await store.listScenarios())),
  )

  app.post(
    '/api/v1/scenarios',
    admin(ctx, async (event) => {
      const document = validDocument(await readJson(event, ctx))
      if (await store.getScenario(document.scenario.id)) {
        throw new PotokError('CONFLICT', `scenario "${document.scenario.id}" exists; PUT /api/v1/scenarios/${document.scenario.id} replaces it`)
      }
      const { record } = await saveScenarioDocument(store, document)
      return json(record, 201, { location: `/api/v1/scenarios/${record.id}` })
    }),
  )

  app.post(
    '/api/v1/scenarios/validate',
    admin(ctx, async (event) => {
      validDocument(await readJson(event, ctx))
      return json({ valid: true, problems: [] })
    }),
  )

  app.get(
    '/api/v1/scenarios/:id',
    admin(ctx, async (event) => {
      const id = param(event, 'id')
      const record = ID.test(id) ? await store.getScenario(id, versionParam(event.url.searchParams.get('version'))) : null
      if (!record) throw notFound(id)
      return json(record)
    }),
  )

  app.put(
    '/api/v1/scenarios/:id',
    admin(ctx, async (event) => {
      const id = param(event, 'id')
      const body = documentOf(await readJson(event, ctx))
      const withId = body && typeof body === 'object' && !Array.isArray(body) && (body as { id?: unknown }).id === undefined ? { ...body, id } : body
      const document = validDocument(withId)
      if (document.scenario.id !== id) {
        throw new PotokError('VALIDATION_FAILED', 'the scenario is invalid', { details: { problems: [{ path: 'id', message: `must be "${id}" (the id in the URL), got "${document.scenario.id}"` }] } })
      }
      if (!(await store.getScenario(id))) throw notFound(id)
      const { record } = await saveScenarioDocument(store, document)
      return json(record)
    }),
  )

  app.delete(
    '/api/v1/scenarios/:id',
    admin(ctx, async (event) => {
      const id = param(event, 'id')
      if (!ID.test(id) || !(await store.getScenario(id))) throw notFound(id)
      const users = await store.listWebRequests({ scenarioId: id })
      if (users.length) {
        throw new PotokError(
          'CONFLICT',
          `scenario "${id}" is run by external request${users.length > 1 ? 's' : ''} ${users.map((w) => `"${w.urlId}"`).join(', ')}; delete or rebind ${users.length > 1 ? 'them' : 'it'} first`,
          { details: { webrequests: users.map((w) => ({ id: w.id, urlId: w.urlId })) } },
        )
      }
      await store.deleteScenario(id)
      return noContent()
    }),
  )

  app.get(
    '/api/v1/scenarios/:id/versions',
    admin(ctx, async (event) => {
      const id = param(event, 'id')
      const versions = ID.test(id) ? await store.listScenarioVersions(id) : []
      if (!versions.length) throw notFound(id)
      return list(versions)
    }),
  )

  app.get(
    '/api/v1/scenarios/:id/versions/:version',
    admin(ctx, async (event) => {
      const id = param(event, 'id')
      const version = versionParam(param(event, 'version'))
      const record = ID.test(id) ? await store.getScenario(id, version) : null
      if (!record) throw new PotokError('NOT_FOUND', `there is no version ${version} of scenario "${id}"`)
      return json(record)
    }),
  )
}
