/**
 * `/api/v1/connections` — connections to outside services (docs/connections.md): list, create (201), get,
 * replace (PUT of the whole record), delete. Secrets are answered as `"***"` and `"***"` sent
 * back keeps the stored one; an inline secret needs POTOK_SECRET_KEY (422 without it).
 */
import type { H3 } from 'h3'
import { Connections } from '../connections/connections.ts'
import { parseConnectionInput } from '../connections/schema.ts'
import { secretKeyFromEnv } from '../connections/secretKey.ts'
import type { ServerContext } from '../context.ts'
import { admin, json, list, noContent, param, readJson } from './http.ts'

export function registerConnectionRoutes(app: H3, ctx: ServerContext): void {
  const connections = ctx.connections ?? new Connections(ctx.store, secretKeyFromEnv())

  app.get(
    '/api/v1/connections',
    admin(ctx, async () => list(await connections.list())),
  )

  app.post(
    '/api/v1/connections',
    admin(ctx, async (event) => {
      const record = await connections.create(parseConnectionInput(await readJson(event, ctx)))
      return json(record, 201, { location: `/api/v1/connections/${record.id}` })
    }),
  )

  app.get(
    '/api/v1/connections/:id',
    admin(ctx, async (event) => json(await connections.get(param(event, 'id')))),
  )

  app.put(
    '/api/v1/connections/:id',
    admin(ctx, async (event) => {
      const id = param(event, 'id')
      const body = await readJson(event, ctx)
      const input = parseConnectionInput(body && typeof body === 'object' && !Array.isArray(body) ? { ...body, id } : body)
      return json(await connections.replace(id, input))
    }),
  )

  app.delete(
    '/api/v1/connections/:id',
    admin(ctx, async (event) => {
      await connections.delete(param(event, 'id'))
      return noContent()
    }),
  )
}
