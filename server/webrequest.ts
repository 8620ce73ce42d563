/**
 * The public endpoint `/api/webrequest/{urlId}` (SPEC §1): finds the external request, applies
 * its CORS and protection, reads the body, builds the input variables, and runs the scenario —
 * synchronously (the caller waits for `$status/$headers/$body`, or for the `respond`
 * component), or asynchronously with `?async=true` (stored `queued`, then 202).
 *
 * Order of checks, cheapest first and none of them creating a process: unknown/disabled urlId
 * (404) → CORS preflight (answered here) → too many wrong credentials (429) → basic/bearer auth
 * (401) → rate limit (429) → body (413/400) → hmac signature (401) → running processes (429,
 * the slot taken only once the body is in) → input size (413) → idempotency replay.
 * Credentials are redacted from what is stored about the process (`redact.ts`).
 */
import { createHash, randomUUID } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import type { H3Event } from 'h3'
import { FastResponse } from 'srvx'
import { inThreadRunner, PotokError, type ProcessResult, type RuntimeServices, type Variables } from '../runtime/index.ts'
import type { HostedProcess } from '../processes/executor.ts'
import type { ProcessRecord, ProcessTrigger, ScenarioRecord, StoredResponse, WebRequestRecord } from '../store/port.ts'
import { readRequestBody } from './body.ts'
import type { WebRequestAuth } from './catalog.ts'
import type { ServerContext } from './context.ts'
import { corsHeaders, isPreflightRequest, preflightResponse } from './cors.ts'
import { errorBody, errorResponse, toCallerError } from './errors.ts'
import { assertInputFits, buildInputVariables } from './input.ts'
import { clientOf } from './auth-failures.ts'
import { adminUserId } from './admin-token.ts'
import { challengeOf, checkRequestAuth, hmacSecretOf, verifyHmac } from './protect.ts'
import { storedToResponse, toHttpResponse, type HttpAnswer } from './response.ts'
import { finishedRecord } from '../store/process-record.ts'

const URL_ID = /^[A-Za-z0-9_-]{1,128}$/
/** Step types whose time is spent in the expression sandbox (the `potok_sandbox_seconds_total` metric). */
const SANDBOX_STEPS = new Set(['setVariables', 'exclusiveGateway', 'code', 'parser', 'errorEnd'])

/** What one request carries through the steps below. */
interface Call {
  event: H3Event
  request: Request
  webRequest: WebRequestRecord
  scenario: ScenarioRecord
  /** CORS headers for every answer (empty without a `cors` setting). */
  extra: Record<string, string>
  processId: string
  input: Variables
  /** `<webRequestId>:<key>` when the answer is to be kept for idempotent repeats. */
  idempotencyKey?: string
}

/** The h3 handler of `/api/webrequest/:urlId`. */
export function webRequestHandler(ctx: ServerContext) {
  return (event: H3Event): Promise<Response> => handleWebRequest(ctx, event)
}

async function handleWebRequest(ctx: ServerContext, event: H3Event): Promise<Response> {
  const request = event.req
  const urlId = decodeURIComponentSafe(event.context.params?.urlId ?? '')
  const webRequest = URL_ID.test(urlId) ? await ctx.store.findWebRequestByUrlId(urlId) : null
  if (!webRequest || !webRequest.enabled) {
    throw new PotokError('NOT_FOUND', `there is no enabled external request with urlId "${urlId}"`)
  }
  event.context.potok = { urlId }
  if (webRequest.cors && isPreflightRequest(request)) return preflightResponse(webRequest.cors, request)
  const extra = corsHeaders(webRequest.cors, request)
  const auth = webRequest.auth as WebRequestAuth | undefined
  let entered = false
  let call: Call | undefined
  const protectedByAuth = auth !== undefined && auth.type !== 'none'
  try {
    if (protectedByAuth) ctx.authFailures.check(clientOf(request))
    checkRequestAuth(auth, request)
    if (webRequest.rateLimit) ctx.limiter.take(webRequest.id, webRequest.rateLimit)
    const async = isAsync(event.url.searchParams.get('async'))
    const scenario = await ctx.store.getScenario(webRequest.scenarioId)
    if (!scenario) {
      throw new PotokError('SCENARIO_NOT_FOUND', `external request "${urlId}" runs scenario "${webRequest.scenarioId}", which does not exist`)
    }
    const body = await readRequestBody(request, { limit: ctx.settings.maxBodyBytes, hmacSecret: hmacSecretOf(auth), maxDepth: ctx.settings.maxBodyDepth })
    verifyHmac(auth, request, body.hmac)
    // The slot is taken once the body is in: a slow upload holds its connection, never a process slot.
    if (!async) {
      ctx.gate.enter()
      entered = true
    }
    call = {
      event, request, webRequest, scenario, extra,
      processId: randomUUID(),
      input: buildInputVariables({
        request,
        url: new URL(event.url.href),
        webRequestId: webRequest.id,
        scenarioId: scenario.id,
        async,
        userId: adminUserId(request, ctx.adminToken),
        body: body.value,
        adminToken: ctx.adminToken,
      }),
    }
    ctx.redactor.track(call.processId, request.headers)
    assertInputFits(call.input, body.bytes, ctx.settings.runtime.maxDataBytes)
    const replay = await claimIdempotency(ctx, call)
    if (replay) {
      ctx.redactor.forget(call.processId)
      return replay
    }
    event.context.potok.processId = call.processId
    if (async) return await runAsync(ctx, call)
    entered = false // the process owns the gate slot now; it leaves when the process ends
    return await runSync(ctx, call)
  } catch (error) {
    const caller = toCallerError(error)
    if (call) ctx.redactor.forget(call.processId) // no process was started: nothing of it will be written
    // Wrong credentials count; none at all (a browser's first try) do not.
    const sent = auth?.type === 'hmac' ? request.headers.has(auth.header) : request.headers.has('authorization')
    if (caller.status === 401 && protectedByAuth && sent) ctx.authFailures.fail(clientOf(request))
    if (caller.code === 'INTERNAL_ERROR') ctx.logger.error({ err: { message: (error as Error)?.message, stack: (error as Error)?.stack }, urlId }, 'web request failed')
    // A claimed idempotency key gets this answer too, or repeats would wait for one forever.
    if (call?.idempotencyKey) await keepAnswer(ctx, call, storedError(caller, call.processId), true)
    const challenge = caller.status === 401 ? challengeOf(auth) : undefined
    return errorResponse(caller, { headers: { ...extra, ...(challenge ? { 'www-authenticate': challenge } : {}) } })
  } finally {
    if (entered) ctx.gate.leave()
  }
}

/** Who is calling, for idempotency: a digest of the credentials the request carries (empty without any). */
function callerScope(request: Request): string {
  const credentials = request.headers.get('authorization')
  return credentials ? createHash('sha256').update(credentials).digest('base64url').slice(0, 22) : ''
}

function isAsync(value: string | null): boolean {
  const flag = value?.toLowerCase()
  return flag === 'true' || flag === '1'
}

/**
 * Idempotency: the first request with a key claims it for its process; a repeat within the
 * window gets the stored answer of the first (409 while that one is still running).
 */
async function claimIdempotency(ctx: ServerContext, call: Call): Promise<Response | null> {
  const setting = call.webRequest.idempotency
  if (!setting) return null
  const key = call.request.headers.get(setting.header ?? 'Idempotency-Key')
  if (!key) return null
  if (key.length > 255) throw new PotokError('INVALID_IDEMPOTENCY_KEY', 'the idempotency key is longer than 255 characters')
  // Scoped by the caller: another caller's repeat of a key runs its own process, never reads this answer.
  const storeKey = `${call.webRequest.id}:${callerScope(call.request)}:${key}`
  const expiresAt = new Date(Date.now() + (setting.windowMs ?? 86_400_000)).toISOString()
  const existing = await ctx.store.putIdempotency({ key: storeKey, processId: call.processId, response: null, expiresAt })
  if (!existing) {
    call.idempotencyKey = storeKey
    return null
  }
  if (!existing.response) {
    throw new PotokError('IDEMPOTENCY_IN_PROGRESS', 'a request with this idempotency key is still being processed', {
      details: { processId: existing.processId, retryAfter: 1 },
    })
  }
  return storedToResponse(existing.response, call.request.method, { ...call.extra, 'x-process-id': existing.processId, 'idempotent-replayed': 'true' })
}

/** `?async=true`: stored as `queued` (the executor awaits the write), then 202. */
async function runAsync(ctx: ServerContext, call: Call): Promise<Response> {
  if (!ctx.executor) throw new PotokError('ASYNC_UNAVAILABLE', 'this server runs no asynchronous executor')
  const trigger: ProcessTrigger = { type: '$webRequest', id: call.webRequest.id, async: true }
  const processId = await ctx.executor.enqueue({ scenario: call.scenario, input: call.input, trigger, processId: call.processId })
  await keepAnswer(ctx, call, { status: 202, headers: { 'x-process-id': processId } }, true)
  return accepted(processId, call.extra)
}

/**
 * A synchronous process: the caller waits for the end (or for `respond`). At the deadline the
 * external request's `onTimeout` decides: 504 (default), `reset` (drop the connection), or
 * `async` (202 now; the executor adopts the running process and records it).
 */
async function runSync(ctx: ServerContext, call: Call): Promise<Response> {
  const { webRequest, processId } = call
  const timeoutMs = webRequest.timeoutMs ?? ctx.settings.webrequestTimeoutMs
  const adoptable = webRequest.onTimeout === 'async' && ctx.executor !== undefined
  let early: HttpAnswer | { error: PotokError; stored: StoredResponse } | null = null
  let answer!: (response: Response) => void
  const answered = new Promise<Response>((resolve) => { answer = resolve })

  const services: RuntimeServices = {
    ...ctx.services,
    respond: (vars) => {
      if (early) return
      early = buildAnswer(vars, call)
      answer('response' in early ? early.response : errorAnswer(early.error, call))
    },
  }

  // With onTimeout "async" the process is not stopped at timeoutMs; ASYNC_TIMEOUT_MS bounds it.
  const bound = adoptable ? new AbortController() : null
  const boundTimer = bound
    ? setTimeout(() => bound.abort(new PotokError('TIMEOUT', `the process ran longer than ${ctx.settings.asyncTimeoutMs} ms`)), ctx.settings.asyncTimeoutMs)
    : undefined
  boundTimer?.unref()

  // The gate slot is held until the process's record is queued for writing (so a shutdown
  // waiting on the gate also waits for it), or until the executor adopts the process.
  let held = true
  const release = () => {
    if (!held) return
    held = false
    ctx.gate.leave()
    ctx.metrics.running.dec()
  }
  ctx.metrics.running.inc()
  ctx.gate.expect(timeoutMs)
  // On record before it starts: listed as running, cancellable, never answered without a record.
  let hosted: HostedProcess | null
  try {
    hosted = await recordStart(ctx, call)
  } catch (error) {
    clearTimeout(boundTimer)
    release()
    throw error
  }
  const signals = [hosted?.signal, bound?.signal].filter((signal): signal is AbortSignal => signal !== undefined)
  const running = (ctx.runner ?? inThreadRunner).start(call.scenario.scenario, call.input, {
    processId,
    services,
    ...(signals.length ? { signal: AbortSignal.any(signals) } : {}),
    ...(bound ? {} : { timeoutMs }),
  })

  let adopted = false
  let adoptTimer: ReturnType<typeof setTimeout> | undefined
  if (adoptable) {
    adoptTimer = setTimeout(() => {
      // Adopted even when `respond` answered already (then only the caller's 202 is skipped).
      adopted = true
      const trigger: ProcessTrigger = { type: '$webRequest', id: webRequest.id, async: false }
      ctx.executor!.adopt({ scenario: call.scenario, input: call.input, trigger, processId }, hosted!, running)
      release()
      if (bound) {
        ctx.adopted.add(bound)
        running.finally(() => ctx.adopted.delete(bound)).catch(() => {})
      }
      if (early) return
      Promise.resolve(keepAnswer(ctx, call, { status: 202, headers: { 'x-process-id': processId } }, true))
        .then(() => answer(accepted(processId, call.extra)))
    }, timeoutMs)
  }

  const finished = running.then(async (result) => {
    clearTimeout(adoptTimer)
    if (adopted) return null
    const final = finalAnswer(result, call)
    // After `respond`, the end's variables answer no one: only the early answer can be invalid.
    const responded: Answer = early ?? final
    const stored = responded.stored
    const failure = 'error' in responded ? responded.error : null
    const record = processRecord(call, result, stored, failure)
    observe(ctx, call, record, result)
    if ((hosted?.signal.reason as PotokError | undefined)?.code === 'LEASE_LOST') {
      // Cancelled (or taken over) through the store: the record there is the one that counts.
      hosted?.release()
      return early ? null : errorAnswer(toCallerError(hosted!.signal.reason), call)
    }
    // The end (and the answer kept for idempotent repeats) is committed before the caller hears
    // of it: no answer without a record. When the store cannot take it the caller gets a 503
    // (the write is still retried in the background, so the record ends as the process did).
    const [kept] = await Promise.all([
      storeOrRetry(ctx, `process ${processId}`, () => ctx.store.recordProcess(record, result.steps)),
      early ? undefined : keepAnswer(ctx, call, stored, true),
    ])
    hosted?.release()
    if (early) return null
    if (kept) return errorAnswer(kept, call)
    if (result.status === 'interrupted' && result.error?.code === 'TIMEOUT' && webRequest.onTimeout === 'reset') {
      resetConnection(call.request)
    }
    return 'response' in final ? final.response : errorAnswer(final.error, call)
  }, async (error) => {
    // The runner itself failed (not the scenario): the record taken at the start ends failed,
    // or it would stay running under this server's lease.
    clearTimeout(adoptTimer)
    const caller = toCallerError(error)
    ctx.redactor.forget(processId)
    ctx.logger.error({ err: { message: (error as Error)?.message }, processId }, 'process could not run')
    const now = new Date().toISOString()
    const failed: ProcessResult = {
      processId, status: 'failed', output: call.input, error: { code: caller.code, message: caller.message },
      steps: [], snapshot: null, startedAt: now, finishedAt: now, durationMs: 0,
    }
    await storeOrRetry(ctx, `process ${processId}`, () => ctx.store.recordProcess(processRecord(call, failed, storedError(caller, processId), null), []))
    hosted?.release()
    if (early) return null
    await keepAnswer(ctx, call, storedError(caller, processId), true)
    return errorAnswer(caller, call)
  }).finally(() => {
    clearTimeout(boundTimer)
    release()
  })
  finished.then((response) => { if (response) answer(response) })
  return answered
}

/** 202 with an empty body and `X-Process-Id`. */
function accepted(processId: string, extra: Record<string, string>): Response {
  return new FastResponse(null, { status: 202, headers: { ...extra, 'x-process-id': processId, 'content-length': '0' } })
}

type Answer = HttpAnswer | { error: PotokError; stored: StoredResponse }

/** The answer built from variables (end of process, or `respond`). */
function buildAnswer(vars: Readonly<Variables>, call: Call): Answer {
  try {
    return toHttpResponse(vars, { method: call.request.method, processId: call.processId, extraHeaders: call.extra })
  } catch (error) {
    const failure = toCallerError(error)
    return { error: failure, stored: storedError(failure, call.processId) }
  }
}

/** The caller's answer for a finished process. */
function finalAnswer(result: ProcessResult, call: Call): Answer {
  if (result.status === 'completed') return buildAnswer(result.output, call)
  const error = result.error ?? { code: 'PROCESS_FAILED', message: `the process ended ${result.status}` }
  const timeout = result.status === 'interrupted' && error.code === 'TIMEOUT'
  const failure = new PotokError(error.code, error.message, {
    status: timeout ? 504 : 500,
    details: { status: result.status, ...(error.nodeId ? { nodeId: error.nodeId } : {}) },
  })
  return { error: failure, stored: storedError(failure, call.processId) }
}

function storedError(error: PotokError, processId: string): StoredResponse {
  return {
    status: error.status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'x-process-id': processId },
    body: errorBody(error, processId),
  }
}

function errorAnswer(error: PotokError, call: Call): Response {
  return errorResponse(error, { processId: call.processId, headers: call.extra })
}

/** SPEC §5's record of a finished synchronous process: one store write. */
function processRecord(call: Call, result: ProcessResult, response: StoredResponse, outputError: PotokError | null): ProcessRecord {
  // A completed process whose output variables could not become an answer is recorded failed.
  const invalidOutput = result.status === 'completed' && outputError !== null
  return finishedRecord(result, {
    scenario: { id: call.scenario.id, version: call.scenario.version },
    trigger: { type: '$webRequest', id: call.webRequest.id, async: false },
    input: call.input,
    response,
    ...(invalidOutput ? { status: 'failed' as const, error: { code: outputError.code, message: outputError.message, variables: result.output } } : {}),
  })
}

/** Keeps the caller's answer for idempotent repeats (now, or after the answer). */
function keepAnswer(ctx: ServerContext, call: Call, stored: StoredResponse, now = false): Promise<void> | undefined {
  const key = call.idempotencyKey
  if (!key) return undefined
  // The caller's credentials, wherever the answer copied them, are not kept for repeats either.
  const redacted = ctx.redactor.redact(stored, call.processId)
  const write = () => ctx.store.setIdempotencyResponse(key, redacted)
  if (now) return storeOrRetry(ctx, `idempotency ${key}`, write).then(() => undefined)
  ctx.writes.later(`idempotency ${key}`, write)
  return undefined
}

/**
 * Writes now; when the store fails, hands the write to the background retries instead and
 * returns the caller's error (a 503, or 507 when the disk is full).
 */
async function storeOrRetry(ctx: ServerContext, what: string, write: () => Promise<void>): Promise<PotokError | undefined> {
  try {
    await write()
    return undefined
  } catch (error) {
    ctx.logger.warn({ err: { message: (error as Error)?.message }, what }, 'store write failed; retrying in the background')
    ctx.writes.later(what, write)
    return unstored(error)
  }
}

/** The caller's error when its process could not be recorded. */
function unstored(error: unknown): PotokError {
  const cause = toCallerError(error)
  if (cause.status === 507 || cause.status === 503) return cause
  return new PotokError('STORE_UNAVAILABLE', 'the process could not be recorded; try again later', { details: { retryAfter: 5 } })
}

/**
 * Records a synchronous process `running` before it starts: hosted under the executor's lease
 * (renewed while it runs; another server records it `interrupted` if this one dies), or plainly
 * when this server runs no executor.
 */
async function recordStart(ctx: ServerContext, call: Call): Promise<HostedProcess | null> {
  const trigger: ProcessTrigger = { type: '$webRequest', id: call.webRequest.id, async: false }
  const startedAt = new Date().toISOString()
  try {
    if (ctx.executor) return await ctx.executor.host({ scenario: call.scenario, input: call.input, trigger, processId: call.processId, startedAt })
    await ctx.store.createProcess({
      id: call.processId, scenario: { id: call.scenario.id, version: call.scenario.version }, trigger,
      status: 'running', input: call.input, startedAt, replayOf: null, parentId: null, lease: null,
    })
    return null
  } catch (error) {
    throw unstored(error)
  }
}

function observe(ctx: ServerContext, call: Call, record: ProcessRecord, result: ProcessResult): void {
  const labels = { scenario: call.scenario.id, status: record.status }
  ctx.metrics.processes.inc(labels)
  ctx.metrics.processDuration.observe(labels, result.durationMs / 1000)
  let sandboxMs = 0
  for (const step of result.steps) if (SANDBOX_STEPS.has(step.type)) sandboxMs += step.durationMs ?? 0
  if (sandboxMs) ctx.metrics.sandboxSeconds.inc({ scenario: call.scenario.id }, sandboxMs / 1000)
}

/** `onTimeout: "reset"` (Bpium's behaviour): the connection is dropped without an answer. */
function resetConnection(request: Request): void {
  const node = (request as { runtime?: { node?: { res?: ServerResponse } } }).runtime?.node
  node?.res?.socket?.destroy()
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}
