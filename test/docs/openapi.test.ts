/**
 * `GET /api/v1/openapi.json` against a real server: the document is valid OpenAPI 3.1, names
 * every route the app serves (and no route it does not), and its JSON request bodies are the
 * very zod schemas the routes check bodies with (`z.toJSONSchema`), so it cannot drift from
 * what the server accepts.
 *
 * No OpenAPI validator is installed (and none is added for this): the structure is checked here
 * with zod against the parts of the OpenAPI 3.1 specification the document uses — the document
 * object, paths and path items, operations, parameters, request bodies, responses and
 * components — plus the rules a schema cannot say: every `$ref` resolves, every `{param}` of a
 * path template is declared as a required path parameter (and no other), every security
 * requirement names a declared scheme, and operation ids are unique.
 */
import { z } from 'zod'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { scenarioSchema } from '../../runtime/index.ts'
import { replayBody } from '../../server/api/processes.ts'
import { recordValuesBody } from '../../server/api/record-body.ts'
import { testRunBody } from '../../server/api/test-run.ts'
import { buildApp } from '../../server/app.ts'
import { webRequestInputSchema } from '../../server/catalog.ts'
import { connectionInputSchema } from '../../server/connections/schema.ts'
import { catalogSchema } from '../../store/catalog-schema.ts'
import { startServer, type TestServer } from '../server/helpers.ts'

type Document = { openapi: string; paths: Record<string, Record<string, any>>; components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> } }

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const

// OpenAPI 3.1 (https://spec.openapis.org/oas/v3.1.0), the objects this document uses.
const reference = z.object({ $ref: z.string().startsWith('#/'), summary: z.string().optional(), description: z.string().optional() }).strict()
const mediaType = z.object({ schema: z.unknown().optional(), example: z.unknown().optional(), examples: z.record(z.string(), z.unknown()).optional() }).strict()
const content = z.record(z.string().regex(/^[\w*.+-]+\/[\w*.+-]+$/, 'a media type range'), mediaType)
const parameter = z
  .object({
    name: z.string().min(1),
    in: z.enum(['query', 'header', 'path', 'cookie']),
    description: z.string().optional(),
    required: z.boolean().optional(),
    deprecated: z.boolean().optional(),
    schema: z.unknown().optional(),
    style: z.string().optional(),
    explode: z.boolean().optional(),
  })
  .strict()
  .refine((p) => p.in !== 'path' || p.required === true, { message: 'a path parameter must be required: true' })
const header = z.object({ description: z.string().optional(), required: z.boolean().optional(), schema: z.unknown() }).strict()
const response = z.object({ description: z.string(), headers: z.record(z.string(), z.union([header, reference])).optional(), content: content.optional() }).strict()
const securityRequirement = z.record(z.string(), z.array(z.string()))
const operation = z
  .object({
    tags: z.array(z.string()).optional(),
    summary: z.string().optional(),
    description: z.string().optional(),
    operationId: z.string().optional(),
    parameters: z.array(z.union([parameter, reference])).optional(),
    requestBody: z.union([z.object({ description: z.string().optional(), content, required: z.boolean().optional() }).strict(), reference]).optional(),
    responses: z
      .record(z.string().regex(/^([1-5](\d\d|XX)|default)$/, 'a status code, nXX or default'), z.union([response, reference]))
      .refine((r) => Object.keys(r).length > 0, { message: 'an operation has at least one response' }),
    deprecated: z.boolean().optional(),
    security: z.array(securityRequirement).optional(),
  })
  .strict()
const pathItem = z
  .object({
    summary: z.string().optional(),
    description: z.string().optional(),
    parameters: z.array(z.union([parameter, reference])).optional(),
    ...Object.fromEntries(METHODS.map((m) => [m, operation.optional()])),
  })
  .strict()
const securityScheme = z.discriminatedUnion('type', [
  z.object({ type: z.literal('http'), scheme: z.string(), bearerFormat: z.string().optional(), description: z.string().optional() }).strict(),
  z.object({ type: z.literal('apiKey'), name: z.string(), in: z.enum(['query', 'header', 'cookie']), description: z.string().optional() }).strict(),
])
const jsonSchema = z.union([z.record(z.string(), z.unknown()), z.boolean()])
const openApi31 = z
  .object({
    openapi: z.string().regex(/^3\.1\.\d+$/),
    info: z.object({ title: z.string().min(1), version: z.string().min(1), description: z.string().optional(), summary: z.string().optional() }).strict(),
    servers: z.array(z.object({ url: z.string() })).optional(),
    paths: z.record(z.string().startsWith('/'), pathItem),
    components: z
      .object({ schemas: z.record(z.string().regex(/^[A-Za-z0-9._-]+$/), jsonSchema).optional(), securitySchemes: z.record(z.string().regex(/^[A-Za-z0-9._-]+$/), securityScheme).optional() })
      .strict()
      .optional(),
    security: z.array(securityRequirement).optional(),
    tags: z.array(z.object({ name: z.string(), description: z.string().optional() })).optional(),
  })
  .strict()

/** Every `$ref` in the document (with where it is). */
function refsOf(value: unknown, at = '#'): Array<{ ref: string; at: string }> {
  if (Array.isArray(value)) return value.flatMap((item, i) => refsOf(item, `${at}/${i}`))
  if (!value || typeof value !== 'object') return []
  return Object.entries(value).flatMap(([key, item]) => (key === '$ref' && typeof item === 'string' ? [{ ref: item, at }] : refsOf(item, `${at}/${key}`)))
}

function resolvePointer(document: unknown, ref: string): unknown {
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), document)
}

const fromZod = (type: z.ZodType) => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(type, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>
  return rest
}

/** The zod schema each JSON request body is checked with by its route. */
const REQUEST_BODIES: Record<string, z.ZodType> = {
  'post /api/v1/scenarios': scenarioSchema,
  'post /api/v1/scenarios/validate': scenarioSchema,
  'put /api/v1/scenarios/{id}': scenarioSchema,
  'post /api/v1/scenarios/test-run': testRunBody,
  'post /api/v1/webrequests': webRequestInputSchema,
  'put /api/v1/webrequests/{id}': webRequestInputSchema,
  'post /api/v1/processes/{id}/resume': replayBody,
  'post /api/v1/processes/{id}/replay': replayBody,
  'post /api/v1/connections': connectionInputSchema,
  'put /api/v1/connections/{id}': connectionInputSchema,
  'post /api/v1/catalogs': catalogSchema,
  'put /api/v1/catalogs/{id}': catalogSchema,
  'post /api/v1/catalogs/{id}/records': recordValuesBody,
  'patch /api/v1/catalogs/{id}/records/{recordId}': recordValuesBody,
}

let server: TestServer
let doc: Document

beforeAll(async () => {
  server = await startServer()
  const answer = await server.api('GET', '/api/v1/openapi.json')
  expect(answer.status).toBe(200)
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/)
  doc = (await answer.json()) as Document
})
afterAll(async () => {
  await server?.close()
})

const operations = () => Object.entries(doc.paths).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((method) => ({ path, method, item, op: item[method] })))

describe('the OpenAPI document', () => {
  test('is OpenAPI 3.1 in structure', () => {
    const checked = openApi31.safeParse(doc)
    expect(checked.success ? [] : checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([])
  })

  test('every $ref resolves', () => {
    const refs = refsOf(doc)
    expect(refs.length).toBeGreaterThan(10)
    expect(refs.filter(({ ref }) => resolvePointer(doc, ref) === undefined).map(({ ref, at }) => `${at}: ${ref}`)).toEqual([])
  })

  test('every path template parameter is declared as a path parameter, and no other', () => {
    const wrong: string[] = []
    for (const { path, method, item, op } of operations()) {
      const inTemplate = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!).sort()
      const declared = [...(item.parameters ?? []), ...(op.parameters ?? [])]
        .filter((p: { in: string }) => p.in === 'path')
        .map((p: { name: string }) => p.name)
        .sort()
      if (JSON.stringify(inTemplate) !== JSON.stringify(declared)) wrong.push(`${method.toUpperCase()} ${path}: template ${inTemplate} / declared ${declared}`)
    }
    expect(wrong).toEqual([])
  })

  test('security requirements name declared schemes; operation ids are unique', () => {
    const schemes = Object.keys(doc.components.securitySchemes)
    const used = operations().flatMap(({ op }) => (op.security ?? []).flatMap((s: Record<string, unknown>) => Object.keys(s)))
    expect(used.length).toBeGreaterThan(0)
    expect(used.filter((name) => !schemes.includes(name))).toEqual([])
    const ids = operations()
      .map(({ op }) => op.operationId)
      .filter(Boolean)
    expect(ids.length).toBe(new Set(ids).size)
  })

  test('documents every route the app serves, and only those', () => {
    const routes = (buildApp(server.context) as unknown as { '~routes': Array<{ route: string; method?: string }> })['~routes']
    const served = routes
      .filter(({ route }) => route !== '/api/v1' && !route.endsWith('/**') && !(route.endsWith('/') && route !== '/')) // catch-alls; trailing-slash twins
      .map(({ route, method }) => ({ path: route.replace(/:([A-Za-z]+)/g, '{$1}'), method: method?.toLowerCase() }))
    const missing = served.filter(({ path, method }) => !doc.paths[path] || (method && !doc.paths[path]![method])).filter(({ path }) => path !== '/') // the console's page, not an API
    expect(missing.map(({ path, method }) => `${method ?? 'ANY'} ${path}`)).toEqual([])
    const extra = operations().filter(({ path, method }) => !served.some((r) => r.path === path && (!r.method || r.method === method || (method === 'head' && r.method === 'get'))))
    expect(extra.map(({ path, method }) => `${method} ${path}`)).toEqual([])
  })

  test('its JSON request bodies are the zod schemas the routes check bodies with', () => {
    const bodies = operations().filter(({ op }) => op.requestBody?.content?.['application/json'])
    expect(bodies.map(({ path, method }) => `${method} ${path}`).sort()).toEqual(Object.keys(REQUEST_BODIES).sort())
    for (const { path, method, op } of bodies) {
      let schema = op.requestBody.content['application/json'].schema
      if (schema.$ref) schema = resolvePointer(doc, schema.$ref)
      expect(schema, `${method} ${path}`).toEqual(fromZod(REQUEST_BODIES[`${method} ${path}`]!))
    }
  })

  test("a route refuses a body its documented schema refuses (the schema is the route's)", async () => {
    // replayBody is strict: an unknown key is refused by the route as by the document.
    expect(fromZod(replayBody)).toMatchObject({ additionalProperties: false })
    // (The body is checked before the process is looked up.)
    expect((await server.api('POST', '/api/v1/processes/any/replay', { version: 'original', extra: 1 })).status).toBe(400)
    expect((await server.api('POST', '/api/v1/processes/any/replay', { version: 'newest' })).status).toBe(400)
    // record values must be an object, as RecordValues says
    expect(fromZod(recordValuesBody)).toMatchObject({ required: ['values'], properties: { values: { type: 'object' } } })
    const catalogs = (await (await server.api('GET', '/api/v1/catalogs')).json()) as { items: Array<{ id: string }> }
    const catalogId = catalogs.items[0]!.id
    const refused = await server.api('POST', `/api/v1/catalogs/${catalogId}/records`, { values: ['not', 'an', 'object'] })
    expect(refused.status).toBe(400)
  })

  test('the structural checks catch what they are for', () => {
    expect(openApi31.safeParse({ openapi: '3.0.0', info: { title: 't', version: '1' }, paths: {} }).success).toBe(false)
    expect(
      openApi31.safeParse({
        openapi: '3.1.0',
        info: { title: 't', version: '1' },
        paths: { '/a/{id}': { get: { responses: { 200: { description: 'x' } }, parameters: [{ name: 'id', in: 'path' }] } } },
      }).success,
    ).toBe(false)
    expect(openApi31.safeParse({ openapi: '3.1.0', info: { title: 't', version: '1' }, paths: { '/a': { get: { responses: { 299: {} } } } } }).success).toBe(false)
    expect(refsOf({ a: { $ref: '#/x/y' }, b: [{ $ref: '#/z' }] }).map((r) => r.ref)).toEqual(['#/x/y', '#/z'])
    expect(resolvePointer({ x: { 'a/b': 1 } }, '#/x/a~1b')).toBe(1)
  })
})
