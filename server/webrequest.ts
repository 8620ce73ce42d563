/**
 * The public endpoint `/api/webrequest/{urlId}` (docs/server.md): finds the external request, applies
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
import { createHash } from 'node:crypto'
import type { H3Event } from 'h3'
import { newProcessId, PotokError } from '../runtime/index.ts'
import type { ProcessTrigger } from '../store/port.ts'
import { readRequestBody } from './body.ts'
import type { WebRequestAuth } from './catalog.ts'
import type { ServerContext } from './context.ts'
import { corsHeaders, isPreflightRequest, preflightResponse } from './cors.ts'
import { errorResponse, toCallerError } from './errors.ts'
import { assertInputFits, buildInputVariables } from './input.ts'
import { clientOf } from './auth-failures.ts'
import { adminUserId } from './admin-token.ts'
import { challengeOf, checkRequestAuth, hmacSecretOf, verifyHmac } from './protect.ts'
import { storedToResponse } from './response.ts'
import { accepted, keepAnswer, storedError, type Call } from './webrequest-answers.ts'
import { runSync } from './webrequest-sync.ts'

const URL_ID = /^[A-Za-z0-9_-]{1,128}$/

/** The h3 handler of `/api/webrequest/:urlId`. */
export function webRequestHandler(ctx: ServerContext) {
  return (event: H3Event): Promise<Response> => handleWebRequest(ctx, event)
}

async function handleWebRequest(ctx: ServerContext, event: H3Event): Promise<Response> {
  const request = event.req
  const urlId = decodeURIComponentSafe(event.context.params?.urlId ?? '')
  const webRequest = URL_ID.test(urlId) ? await ctx.store.findWebRequestByUrlId(urlId) : null
  if (!webRequest?.enabled) {
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
      event,
      request,
      webRequest,
      scenario,
      extra,
      processId: newProcessId(),
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
    throw new PotokError('IDEMPOTENCY_IN_PROGRESS', 'a request with this idempotency key is still being processed', { details: { processId: existing.processId, retryAfter: 1 } })
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

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}
