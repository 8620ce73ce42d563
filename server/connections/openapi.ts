/** The connections part of the OpenAPI document (`server/openapi.ts` merges it in). */
import { z } from 'zod'
import { connectionInputSchema } from './schema.ts'

const schemaOf = (type: z.ZodType) => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(type, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>
  return rest
}
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const content = (schema: unknown) => ({ 'application/json': { schema } })
const answer = (description: string, schema?: unknown) => (schema ? { description, content: content(schema) } : { description })
const failure = (description: string) => answer(description, ref('Error'))
const responses = (list: Record<string, unknown>) => ({ ...list, 401: failure('missing or wrong admin token') })

export const connectionSchemas = {
  ConnectionInput: schemaOf(connectionInputSchema),
  Connection: { ...schemaOf(connectionInputSchema), description: 'As stored, with `id`, `createdAt`, `updatedAt`; every inline secret is answered as "***" ({ "env": "NAME" } references are shown)' },
}

export function connectionPaths(security: unknown[]) {
  const tags = ['connections']
  return {
    '/api/v1/connections': {
      get: {
        summary: 'List connections',
        tags,
        security,
        responses: responses({
          200: answer('the connections', {
            type: 'object',
            required: ['items', 'nextCursor'],
            properties: { items: { type: 'array', items: ref('Connection') }, nextCursor: { type: ['string', 'null'] } },
          }),
        }),
      },
      post: {
        summary: 'Create a connection (an inline secret needs POTOK_SECRET_KEY)',
        tags,
        security,
        requestBody: { required: true, content: content(ref('ConnectionInput')) },
        responses: responses({ 201: answer('created', ref('Connection')), 409: failure('id taken'), 422: failure('invalid, or an inline secret without POTOK_SECRET_KEY') }),
      },
    },
    '/api/v1/connections/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'the connection id' }],
      get: { summary: 'Get one', tags, security, responses: responses({ 200: answer('the connection', ref('Connection')), 404: failure('not found') }) },
      put: {
        summary: 'Replace the whole record ("***" keeps a stored secret)',
        tags,
        security,
        requestBody: { required: true, content: content(ref('ConnectionInput')) },
        responses: responses({ 200: answer('replaced', ref('Connection')), 404: failure('not found'), 422: failure('invalid') }),
      },
      delete: { summary: 'Delete', tags, security, responses: responses({ 204: answer('deleted'), 404: failure('not found') }) },
    },
  }
}
