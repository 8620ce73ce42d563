/**
 * `POST /api/v1/scenarios/test-run`: the console's «Тестовый запуск». Runs a scenario document
 * as sent — saved or not — on a sample request (method, query, headers, body), the way the
 * public endpoint runs a synchronous process: the same body decoding, input variables, runner
 * and answer building; the process is stored with the trigger `{ type: "$test" }`, so it is
 * listed, opened and replayed like any other. Answers the stored process with its steps and
 * the HTTP answer a caller would have got.
 *
 * The stored record names the scenario's latest saved version when the document is that
 * version, and version 0 when it is an unsaved draft (the editor shows the path on its own
 * document; the process page then says the graph was a draft).
 */
import { isDeepStrictEqual } from 'node:util'
import type { H3 } from 'h3'
import { z } from 'zod'
import { inThreadRunner, newProcessId, PotokError, type ProcessResult, type RuntimeServices, type Scenario, type Variables } from '../../runtime/index.ts'
import type { ProcessRecord, StoredResponse } from '../../store/port.ts'
import { readRequestBody } from '../body.ts'
import type { ServerContext } from '../context.ts'
import { errorBody, toCallerError } from '../errors.ts'
import { checkScenarioDocument } from '../flows.ts'
import { buildInputVariables } from '../input.ts'
import { toHttpResponse } from '../response.ts'
import { admin, json, readJson } from './http.ts'
import { finishedRecord } from '../../store/process-record.ts'

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const

/** The sample request the editor keeps per scenario. */
export const sampleRequestSchema = z
  .object({
    method: z.enum(METHODS).default('POST'),
    /** `a=1&b=2`, with or without a leading `?`. */
    query: z.string().max(8192).default(''),
    headers: z.record(z.string().regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, 'must be an HTTP header name'), z.string()).default({}),
    /** The raw body, decoded by its `content-type` as the public endpoint decodes it (JSON when none is given). */
    body: z.string().default(''),
  })
  .strict()

export const testRunBody = z.object({ scenario: z.unknown(), request: sampleRequestSchema.default({ method: 'POST', query: '', headers: {}, body: '' }) }).strict()

export const TEST_TRIGGER = '$test'

export function registerTestRunRoutes(app: H3, ctx: ServerContext): void {
  app.post(
    '/api/v1/scenarios/test-run',
    admin(ctx, async (event) => {
      const parsed = testRunBody.safeParse(await readJson(event, ctx))
      if (!parsed.success) {
        throw new PotokError('BAD_REQUEST', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '), {
          details: { problems: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
        })
      }
      const checked = checkScenarioDocument(parsed.data.scenario)
      if (!checked.ok) {
        throw new PotokError('VALIDATION_FAILED', `the scenario is invalid (${checked.problems.length} problem${checked.problems.length === 1 ? '' : 's'})`, {
          details: { problems: checked.problems },
        })
      }
      const scenario = checked.document.scenario
      const record = await runTest(ctx, scenario, parsed.data.request, event.url.origin)
      const stored = await ctx.store.getProcess(record.id, { steps: true })
      return json(stored ?? record, 201, { location: `/api/v1/processes/${record.id}` })
    }),
  )
}

type SampleRequest = z.infer<typeof sampleRequestSchema>

/** Runs `scenario` on `sample` as a synchronous process and stores it. */
async function runTest(ctx: ServerContext, scenario: Scenario, sample: SampleRequest, origin: string): Promise<ProcessRecord> {
  const query = sample.query.replace(/^\?/, '')
  const url = new URL(`/api/webrequest/${TEST_TRIGGER}${query ? `?${query}` : ''}`, origin)
  const headers = new Headers(sample.headers)
  const hasBody = sample.body !== '' && sample.method !== 'GET' && sample.method !== 'HEAD'
  if (hasBody && !headers.has('content-type')) headers.set('content-type', 'application/json')
  const request = new Request(url, { method: sample.method, headers, body: hasBody ? sample.body : undefined })
  const body = await readRequestBody(request, { limit: ctx.settings.maxBodyBytes })
  const input: Variables = buildInputVariables({ request, url, webRequestId: '', scenarioId: scenario.id, async: false, userId: 'admin', body: body.value })
  input.event = { id: null, type: TEST_TRIGGER, async: false }

  const processId = newProcessId()
  let early: StoredResponse | null = null
  const services: RuntimeServices = {
    ...ctx.services,
    respond: (vars) => {
      early ??= answerOf(vars, sample.method, processId)
    },
  }
  // A test run counts among the running processes, like any synchronous one (429 when full).
  ctx.gate.enter()
  ctx.gate.expect(ctx.settings.webrequestTimeoutMs)
  let result: ProcessResult
  try {
    result = await (ctx.runner ?? inThreadRunner).start(scenario, input, { processId, services, timeoutMs: ctx.settings.webrequestTimeoutMs })
  } finally {
    ctx.gate.leave()
  }
  const record = finishedRecord(result, {
    scenario: { id: scenario.id, version: await versionOf(ctx, scenario) },
    trigger: { type: TEST_TRIGGER, id: null, async: false },
    input,
    response: early ?? finalAnswer(result, sample.method),
  })
  await ctx.store.recordProcess(record, result.steps)
  return { ...record, steps: result.steps }
}

/** The saved version equal to `scenario`, or 0 (an unsaved draft). */
async function versionOf(ctx: ServerContext, scenario: Scenario): Promise<number> {
  const saved = await ctx.store.getScenario(scenario.id)
  // The stored document carries its `version`; the one sent may carry any.
  const plain = (s: Scenario) => JSON.parse(JSON.stringify({ ...s, version: undefined }))
  return saved && isDeepStrictEqual(plain(saved.scenario), plain(scenario)) ? saved.version : 0
}

function answerOf(vars: Readonly<Variables>, method: string, processId: string): StoredResponse {
  try {
    return toHttpResponse(vars, { method, processId }).stored
  } catch (error) {
    const failure = toCallerError(error)
    return { status: failure.status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: errorBody(failure, processId) }
  }
}

function finalAnswer(result: ProcessResult, method: string): StoredResponse {
  if (result.status === 'completed') return answerOf(result.output, method, result.processId)
  const error = result.error ?? { code: 'PROCESS_FAILED', message: `the process ended ${result.status}` }
  const failure = new PotokError(error.code, error.message, { status: error.code === 'TIMEOUT' ? 504 : 500 })
  return { status: failure.status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: errorBody(failure, result.processId) }
}
