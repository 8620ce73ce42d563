/**
 * The OpenAPI 3.1 document of every route, at `GET /api/v1/openapi.json`. Request and record
 * schemas are generated from the same zod schemas that validate them (zod 4's
 * `z.toJSONSchema()`), so the document cannot drift from what the server accepts.
 */
import { z } from 'zod'
import { scenarioSchema } from '../runtime/index.ts'
import { FastResponse } from 'srvx'
import { processListQuery, replayBody } from './api/processes.ts'
import { testRunBody } from './api/test-run.ts'
import { webRequestInputSchema } from './catalog.ts'
import { connectionPaths, connectionSchemas } from './connections/openapi.ts'
import { recordPaths, recordSchemas } from './openapi-records.ts'

const problemSchema = z.object({ path: z.string(), message: z.string() })
const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
      message: z.string(),
      processId: z.string().optional(),
      details: z.record(z.string(), z.unknown()).optional().describe('e.g. `problems` (422), `retryAfter` (429), `nodeId` (500)'),
    }),
  })
  .describe('every error everywhere (docs/server.md, Errors)')
const scenarioRecordSchema = z.object({ id: z.string(), version: z.number().int().positive(), createdAt: z.string(), scenario: scenarioSchema })
const webRequestRecordSchema = webRequestInputSchema.extend({ id: z.string(), createdAt: z.string(), updatedAt: z.string() }).describe('Secrets (`password`, `token`, `secret`) are answered as "***"')
const processRecordSchema = z
  .object({
    id: z.string(),
    scenario: z.object({ id: z.string(), version: z.number().int() }),
    trigger: z.object({ type: z.string(), id: z.string().nullable().optional(), async: z.boolean() }),
    status: z.enum(['queued', 'running', 'completed', 'failed', 'interrupted', 'cancelled']),
    input: z.record(z.string(), z.unknown()),
    output: z.record(z.string(), z.unknown()).nullable().optional(),
    response: z
      .object({ status: z.number(), headers: z.record(z.string(), z.unknown()), body: z.unknown().optional() })
      .nullable()
      .optional(),
    error: z
      .object({ code: z.string(), message: z.string(), nodeId: z.string().optional(), variables: z.record(z.string(), z.unknown()).optional() })
      .nullable()
      .optional(),
    startedAt: z.string(),
    finishedAt: z.string().nullable().optional(),
    durationMs: z.number().nullable().optional(),
    snapshot: z.unknown().optional(),
    replayOf: z.string().nullable().optional(),
    parentId: z.string().nullable().optional(),
    wakeAt: z.string().nullable().optional().describe('a queued process parked at a timer (or waiting on a child): when it wakes (or looks again)'),
    steps: z
      .array(
        z.object({
          index: z.number(),
          nodeId: z.string(),
          type: z.string(),
          startedAt: z.string(),
          finishedAt: z.string().optional(),
          durationMs: z.number().optional(),
          status: z.enum(['running', 'completed', 'failed', 'cancelled', 'interrupted']),
          error: z.object({ code: z.string(), message: z.string() }).optional(),
        }),
      )
      .optional()
      .describe('with GET /api/v1/processes/{id}'),
    omitted: z
      .array(z.enum(['input', 'output', 'response', 'error']))
      .optional()
      .describe('list items only: values over 64 KiB left out (lists never carry `snapshot`); GET /api/v1/processes/{id} has them'),
  })
  .describe('docs/processes.md; credentials (REDACT_HEADERS) are stored as "***"')
const healthSchema = z.object({
  status: z.literal('ok'),
  store: z.object({ kind: z.enum(['sqlite', 'mongodb']), ok: z.boolean(), read: z.boolean(), write: z.boolean(), pingMs: z.number(), writeMs: z.number() }),
  processes: z.object({ running: z.number(), max: z.number() }),
  async: z.boolean(),
})

function schema(type: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(type, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>
  return rest
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const jsonContent = (s: unknown) => ({ 'application/json': { schema: s } })
const listOf = (name: string) => ({ type: 'object', required: ['items', 'nextCursor'], properties: { items: { type: 'array', items: ref(name) }, nextCursor: { type: ['string', 'null'] } } })
const error = (description: string) => ({ description, content: jsonContent(ref('Error')) })
const ok = (description: string, s?: unknown) => (s ? { description, content: jsonContent(s) } : { description })
const guarded = (responses: Record<string, unknown>) => ({ ...responses, 401: error('missing or wrong admin token') })
const idParam = (name: string, description: string) => ({ name, in: 'path', required: true, schema: { type: 'string' }, description })

/** Builds the document (once; it does not change while the server runs). */
export function openApiDocument(): Record<string, unknown> {
  const security = [{ adminToken: [] }]
  const webRequestResponses = {
    '2XX': ok("the scenario's answer: `$status`, `$headers`, `$body`; always `X-Process-Id`"),
    202: ok('`?async=true` (or `onTimeout: "async"` at the deadline): queued; empty body, `X-Process-Id`'),
    204: ok('a CORS preflight answered by potok (external request with `cors`)'),
    400: error('the body says JSON but does not parse (`INVALID_JSON`), nests deeper than `MAX_BODY_DEPTH` (`BODY_TOO_DEEP`), or a malformed multipart body'),
    401: error("the external request's `auth` failed (basic, bearer or hmac)"),
    404: error('unknown or disabled urlId; no process'),
    409: error('an idempotency key whose first request is still running'),
    413: error('body over `MAX_BODY_BYTES`, or input variables over `MAX_PROCESS_DATA_BYTES`; no process'),
    429: error('`rateLimit` exceeded, `MAX_CONCURRENT_PROCESSES` running, or too many wrong credentials from this client (`TOO_MANY_AUTH_FAILURES`); with `Retry-After`'),
    500: error('the process failed, or its output variables have the wrong type (`processId` set)'),
    504: error('the process ran past `timeoutMs` (`TIMEOUT`, `processId` set)'),
  }
  const endpoint = Object.fromEntries(
    ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'].map((method) => [
      method,
      {
        summary: "Start a process of the external request's scenario (any method)",
        tags: ['endpoint'],
        parameters: [
          idParam('urlId', "the external request's urlId"),
          { name: 'async', in: 'query', required: false, schema: { enum: ['true', '1'] }, description: 'answer 202 at once; the process runs asynchronously' },
        ],
        ...(method === 'get' || method === 'head' || method === 'options'
          ? {}
          : { requestBody: { required: false, content: { '*/*': { schema: {} } }, description: 'JSON, form, multipart, text/XML or any bytes (see docs/server.md)' } }),
        responses: webRequestResponses,
      },
    ]),
  )

  return {
    openapi: '3.1.0',
    info: { title: 'potok', version: '1', description: 'Scenarios run by web requests. Management API under /api/v1 needs `Authorization: Bearer <admin token>`.' },
    components: {
      securitySchemes: { adminToken: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: schema(errorBodySchema),
        Problem: schema(problemSchema),
        Scenario: schema(scenarioSchema),
        ScenarioRecord: schema(scenarioRecordSchema),
        WebRequestInput: schema(webRequestInputSchema),
        WebRequest: schema(webRequestRecordSchema),
        Process: schema(processRecordSchema),
        Health: schema(healthSchema),
        ...connectionSchemas,
        ...recordSchemas(),
      },
    },
    paths: {
      '/api/webrequest/{urlId}': endpoint,
      '/healthz': Object.fromEntries(
        ['get', 'head'].map((m) => [
          m,
          {
            summary: 'Health (public)',
            tags: ['operations'],
            responses: { 200: ok('the store answers', ref('Health')), 503: error('the store does not answer, or does not take writes (details say which: read, write, reason)') },
          },
        ]),
      ),
      '/metrics': Object.fromEntries(
        ['get', 'head'].map((m) => [
          m,
          {
            summary: 'Prometheus metrics (admin token, or public with METRICS_PUBLIC=true)',
            tags: ['operations'],
            security,
            responses: guarded({ 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } } }),
          },
        ]),
      ),
      '/api/v1/openapi.json': { get: { summary: 'This document', tags: ['operations'], security, responses: guarded({ 200: ok('OpenAPI 3.1') }) } },
      '/api/v1/scenarios': {
        get: { summary: 'List scenarios (latest versions)', tags: ['scenarios'], security, responses: guarded({ 200: ok('the scenarios', listOf('ScenarioRecord')) }) },
        post: {
          summary: 'Create a scenario (its `webrequests`, if any, are upserted by urlId)',
          tags: ['scenarios'],
          security,
          requestBody: { required: true, content: jsonContent(ref('Scenario')) },
          responses: guarded({
            201: ok('created (version 1)', ref('ScenarioRecord')),
            400: error('not JSON'),
            409: error('the id exists'),
            422: error('invalid: `details.problems` lists every problem by path'),
          }),
        },
      },
      '/api/v1/scenarios/validate': {
        post: {
          summary: 'Validate a scenario without saving it',
          tags: ['scenarios'],
          security,
          requestBody: { required: true, content: jsonContent(ref('Scenario')) },
          responses: guarded({ 200: ok('valid', { type: 'object', properties: { valid: { const: true }, problems: { type: 'array', maxItems: 0 } } }), 422: error('invalid: `details.problems`') }),
        },
      },
      '/api/v1/scenarios/{id}': {
        parameters: [idParam('id', 'scenario id')],
        get: {
          summary: 'Get the latest version (or `?version=N`)',
          tags: ['scenarios'],
          security,
          responses: guarded({ 200: ok('the version', ref('ScenarioRecord')), 404: error('no such scenario') }),
        },
        put: {
          summary: 'Replace: saves a new version when the document changed',
          tags: ['scenarios'],
          security,
          requestBody: { required: true, content: jsonContent(ref('Scenario')) },
          responses: guarded({ 200: ok('the latest version', ref('ScenarioRecord')), 404: error('no such scenario'), 422: error('invalid') }),
        },
        delete: {
          summary: 'Delete every version',
          tags: ['scenarios'],
          security,
          responses: guarded({ 204: ok('deleted'), 404: error('no such scenario'), 409: error('an external request runs it') }),
        },
      },
      '/api/v1/scenarios/import': {
        post: {
          summary: 'Convert a Bpium BPMN file into a scenario (docs/bpmn.md); nothing is stored',
          tags: ['scenarios', 'bpmn'],
          security,
          parameters: [
            { name: 'placeholders', in: 'query', required: false, schema: { enum: ['true', '1', ''] }, description: 'replace unsupported connectors with failing placeholders' },
            { name: 'id', in: 'query', required: false, schema: { type: 'string' }, description: 'the scenario id to give' },
          ],
          requestBody: { required: true, content: { 'application/xml': { schema: { type: 'string' } } } },
          responses: guarded({
            200: ok('`{ scenario, report }`: save the scenario with POST /api/v1/scenarios', {
              type: 'object',
              required: ['scenario', 'report'],
              properties: { scenario: ref('Scenario'), report: { type: 'object' } },
            }),
            400: error('not XML / not BPMN (`INVALID_BPMN`)'),
            413: error('too large (`BPMN_TOO_LARGE`)'),
          }),
        },
      },
      '/api/v1/scenarios/{id}/bpmn': {
        parameters: [idParam('id', 'scenario id')],
        get: {
          summary: 'The latest version as BPMN 2.0 XML with diagram layout',
          tags: ['scenarios', 'bpmn'],
          security,
          responses: guarded({ 200: { description: 'the XML (a download)', content: { 'application/xml': { schema: { type: 'string' } } } }, 404: error('no such scenario') }),
        },
      },
      '/api/v1/scenarios/{id}/versions': {
        parameters: [idParam('id', 'scenario id')],
        get: { summary: 'Every version, oldest first', tags: ['scenarios'], security, responses: guarded({ 200: ok('the versions', listOf('ScenarioRecord')), 404: error('no such scenario') }) },
      },
      '/api/v1/scenarios/{id}/versions/{version}': {
        parameters: [idParam('id', 'scenario id'), idParam('version', 'version number')],
        get: { summary: 'One version', tags: ['scenarios'], security, responses: guarded({ 200: ok('the version', ref('ScenarioRecord')), 404: error('no such version') }) },
      },
      '/api/v1/webrequests': {
        get: {
          summary: 'List external requests',
          tags: ['webrequests'],
          security,
          parameters: [{ name: 'scenarioId', in: 'query', required: false, schema: { type: 'string' } }],
          responses: guarded({ 200: ok('the catalog', listOf('WebRequest')) }),
        },
        post: {
          summary: 'Create an external request',
          tags: ['webrequests'],
          security,
          requestBody: { required: true, content: jsonContent(ref('WebRequestInput')) },
          responses: guarded({ 201: ok('created', ref('WebRequest')), 409: error('urlId or id taken'), 422: error('invalid, or the scenario does not exist') }),
        },
      },
      '/api/v1/processes': {
        get: {
          summary: 'List processes, newest first, cursor-paged',
          tags: ['processes'],
          security,
          parameters: Object.entries((schema(processListQuery).properties ?? {}) as Record<string, unknown>).map(([name, s]) => ({ name, in: 'query', required: false, schema: s })),
          responses: guarded({ 200: ok('a page', listOf('Process')), 400: error('a bad filter') }),
        },
      },
      '/api/v1/processes/{id}': {
        parameters: [idParam('id', 'process id')],
        get: { summary: 'One process with its steps', tags: ['processes'], security, responses: guarded({ 200: ok('the process', ref('Process')), 404: error('no such process') }) },
      },
      '/api/v1/processes/{id}/resume': {
        parameters: [idParam('id', 'process id')],
        post: {
          summary: 'Resume an interrupted or failed process from its last snapshot, on the version it ran or (`current`) the latest one',
          tags: ['processes'],
          security,
          requestBody: { required: false, content: jsonContent(schema(replayBody)) },
          responses: guarded({ 202: ok('resuming', ref('Process')), 404: error('no such process'), 409: error('not resumable (on the current version: the node it stopped at is gone)') }),
        },
      },
      '/api/v1/processes/{id}/replay': {
        parameters: [idParam('id', 'process id')],
        post: {
          summary: 'A new process with the same input (`replayOf` set)',
          tags: ['processes'],
          security,
          requestBody: { required: false, content: jsonContent(schema(replayBody)) },
          responses: guarded({ 201: ok('the new process', ref('Process')), 404: error('no such process') }),
        },
      },
      '/api/v1/processes/{id}/cancel': {
        parameters: [idParam('id', 'process id')],
        post: {
          summary: 'Cancel a queued or running process',
          tags: ['processes'],
          security,
          responses: guarded({ 200: ok('cancelled', ref('Process')), 404: error('no such process'), 409: error('already finished') }),
        },
      },
      '/api/v1/scenarios/test-run': {
        post: {
          summary: 'Test run: runs a scenario document (saved or not) on a sample request and stores the process (trigger `$test`)',
          tags: ['scenarios', 'processes'],
          security,
          requestBody: { required: true, content: jsonContent(schema(testRunBody)) },
          responses: guarded({
            201: ok('the stored process with its steps; `response` is what a caller would have got', ref('Process')),
            400: error('a bad sample request'),
            422: error('the scenario is invalid: `details.problems`'),
          }),
        },
      },
      '/api/v1/components': {
        get: {
          summary: 'Every registered component: type, display names, kind, palette group and the JSON Schema of its config',
          tags: ['components'],
          security,
          responses: guarded({
            200: ok('the registry', {
              type: 'object',
              properties: {
                items: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['type', 'displayName', 'kind', 'group', 'configSchema'],
                    properties: {
                      type: { type: 'string' },
                      displayName: { type: 'object', properties: { ru: { type: 'string' }, en: { type: 'string' } } },
                      kind: { enum: ['control', 'sync', 'async', 'boundary'] },
                      group: { enum: ['system', 'actions', 'data', 'communications'] },
                      configSchema: { type: 'object' },
                    },
                  },
                },
                nextCursor: { type: 'null' },
              },
            }),
          }),
        },
      },
      '/api/v1/webrequests/last-processes': {
        get: {
          summary: 'The newest process of every external request (or of `?ids=a,b`), in one answer',
          tags: ['webrequests', 'processes'],
          security,
          parameters: [{ name: 'ids', in: 'query', required: false, schema: { type: 'string' }, description: 'comma-separated external request ids' }],
          responses: guarded({
            200: ok('`{ items: [{ webRequestId, process }] }`; `process` is null when none ran', {
              type: 'object',
              properties: { items: { type: 'array', items: { type: 'object', properties: { webRequestId: { type: 'string' }, process: { anyOf: [ref('Process'), { type: 'null' }] } } } } },
            }),
          }),
        },
      },
      '/api/v1/webrequests/{id}': {
        parameters: [idParam('id', 'external request id')],
        get: { summary: 'Get one', tags: ['webrequests'], security, responses: guarded({ 200: ok('the record', ref('WebRequest')), 404: error('not found') }) },
        put: {
          summary: 'Replace the whole record ("***" keeps a stored secret)',
          tags: ['webrequests'],
          security,
          requestBody: { required: true, content: jsonContent(ref('WebRequestInput')) },
          responses: guarded({ 200: ok('replaced', ref('WebRequest')), 404: error('not found'), 409: error('urlId taken'), 422: error('invalid') }),
        },
        delete: { summary: 'Delete', tags: ['webrequests'], security, responses: guarded({ 204: ok('deleted'), 404: error('not found') }) },
      },
      ...connectionPaths(security),
      ...recordPaths(),
    },
  }
}

/** The handler of `/api/v1/openapi.json` (the document is built on first use). */
export function openApiHandler() {
  let body: string | undefined
  return () => {
    body ??= JSON.stringify(openApiDocument())
    return new FastResponse(body, { headers: { 'content-type': 'application/json; charset=utf-8' } })
  }
}
