/**
 * The h3 application: the public endpoint, the management API, health and metrics. Routes
 * are registered here and implemented one concern per file; every error leaves through
 * `errors.ts` in the standard error shape (docs/server.md), and every answer is counted and logged (without bodies).
 *
 * | route | file |
 * |---|---|
 * | `ANY /api/webrequest/{urlId}[/]` | `webrequest.ts` |
 * | `/api/v1/scenarios…` | `api/scenarios.ts` |
 * | `/api/v1/webrequests…` | `api/webrequests.ts` |
 * | `/api/v1/processes…` | `api/processes.ts` |
 * | `/api/v1/connections…` | `api/connections.ts` |
 * | `POST /api/v1/scenarios/import`, `GET /api/v1/scenarios/{id}/bpmn` | `api/bpmn.ts` |
 * | `POST /api/v1/scenarios/test-run` | `api/test-run.ts` |
 * | `GET /api/v1/components` | `api/components.ts` |
 * | `GET /api/v1/webrequests/last-processes` | `api/last-processes.ts` |
 * | `/api/v1/catalogs…` (catalogs and records) | `api/catalogs.ts` |
 * | `/api/v1/files…` | `api/files.ts` |
 * | `GET /api/v1/openapi.json` | `openapi.ts` |
 * | `GET /healthz` | `health.ts` |
 * | `GET /metrics` | `metrics.ts` (served here) |
 * | `GET /` and the console's pages | `console.ts` (the built app in `console/dist/`) |
 *
 * @example
 * const app = createApp({ store, settings, logger, adminToken, executor })
 * const response = await app.fetch(new Request('http://localhost/healthz'))
 */
import { H3, type H3Event } from 'h3'
import { FastResponse } from 'srvx'
import { PotokError } from '../runtime/index.ts'
import { admin, checkAdmin } from './api/http.ts'
import { registerBpmnRoutes } from './api/bpmn.ts'
import { registerConnectionRoutes } from './api/connections.ts'
import { registerComponentRoutes } from './api/components.ts'
import { registerLastProcessRoutes } from './api/last-processes.ts'
import { registerTestRunRoutes } from './api/test-run.ts'
import { registerCatalogRoutes } from './api/catalogs.ts'
import { registerFileRoutes } from './api/files.ts'
import { registerConsole } from './console.ts'
import { registerProcessRoutes } from './api/processes.ts'
import { registerScenarioRoutes } from './api/scenarios.ts'
import { registerWebRequestRoutes } from './api/webrequests.ts'
import { PendingWrites, type AppDeps, type ServerContext } from './context.ts'
import { errorResponse, toCallerError } from './errors.ts'
import { healthHandler } from './health.ts'
import { logRequest } from './log.ts'
import { createMetrics } from './metrics.ts'
import { openApiHandler } from './openapi.ts'
import { ProcessGate, RateLimiter } from './protect.ts'
import { webRequestHandler } from './webrequest.ts'
import { Redactor, redactingStore } from './redact.ts'
import { AuthFailures } from './auth-failures.ts'

declare module 'h3' {
  interface H3EventContext {
    /** What the request log and metrics say about a web request. */
    potok?: { urlId?: string; processId?: string }
    startedAt?: number
  }
}

/** The state shared by the routes of one app (see `context.ts`). */
export function createServerContext(deps: AppDeps): ServerContext {
  const redactor = deps.redactor ?? new Redactor(deps.settings.redactHeaders, [deps.adminToken])
  return {
    ...deps,
    redactor,
    store: redactingStore(deps.store, redactor),
    authFailures: new AuthFailures(deps.settings.authFailureLimit, deps.settings.authFailureWindowMs),
    metrics: createMetrics(),
    gate: new ProcessGate(deps.settings.maxConcurrentProcesses),
    limiter: new RateLimiter(),
    writes: new PendingWrites(deps.logger),
    adopted: new Set(),
  }
}

/** The h3 app for `deps` (a fresh context). */
export function createApp(deps: AppDeps): H3 {
  return buildApp(createServerContext(deps))
}

/** The h3 app over an existing context (`serve()` keeps the context for its shutdown). */
export function buildApp(ctx: ServerContext): H3 {
  const app = new H3({
    onRequest: (event) => {
      event.context.startedAt = performance.now()
    },
    onResponse: (response, event) => observeAnswer(ctx, response, event),
    onError: (error, event) => {
      const caller = toCallerError(error)
      if (caller.code === 'INTERNAL_ERROR') {
        ctx.logger.error({ err: { message: error.cause instanceof Error ? error.cause.message : error.message, stack: (error.cause as Error)?.stack }, path: event.url.pathname }, 'unhandled error')
      }
      return errorResponse(caller)
    },
    silent: true,
  })

  const endpoint = webRequestHandler(ctx)
  app.all('/api/webrequest/:urlId', endpoint)
  app.all('/api/webrequest/:urlId/', endpoint)

  const health = healthHandler(ctx)
  app.get('/healthz', health)
  app.head('/healthz', health)
  const metrics = async (event: H3Event) => {
    if (!ctx.settings.metricsPublic) checkAdmin(ctx, event.req)
    return new FastResponse(await ctx.metrics.registry.metrics(), { headers: { 'content-type': ctx.metrics.registry.contentType } })
  }
  app.get('/metrics', metrics)
  app.head('/metrics', metrics)

  registerScenarioRoutes(app, ctx)
  registerTestRunRoutes(app, ctx)
  registerComponentRoutes(app, ctx)
  registerLastProcessRoutes(app, ctx)
  registerWebRequestRoutes(app, ctx)
  registerProcessRoutes(app, ctx)
  registerBpmnRoutes(app, ctx)
  registerConnectionRoutes(app, ctx)
  registerCatalogRoutes(app, ctx)
  registerFileRoutes(app, ctx)
  app.get('/api/v1/openapi.json', admin(ctx, openApiHandler()))

  // Anything else under /api/v1: 401 without the token (whether or not the route exists), else 404.
  const unknownApiRoute = admin(ctx, (event) => {
    throw new PotokError('NOT_FOUND', `there is no route ${event.req.method} ${event.url.pathname}`)
  })
  app.all('/api/v1', unknownApiRoute)
  app.all('/api/v1/**', unknownApiRoute)
  registerConsole(app)
  return app
}

/** Counts and logs one answer. */
function observeAnswer(ctx: ServerContext, response: Response, event: H3Event): void {
  const path = event.url.pathname
  const potok = event.context.potok
  const route = path.startsWith('/api/webrequest/') ? 'webrequest' : path.startsWith('/api/') ? 'api' : path === '/healthz' ? 'health' : path === '/metrics' ? 'metrics' : 'other'
  ctx.metrics.requests.inc({ route, webrequest: potok?.urlId ?? '', status: String(response.status) })
  if (ctx.logger.isLevelEnabled('info') || response.status >= 500) {
    const started = event.context.startedAt ?? performance.now()
    logRequest(ctx.logger, {
      method: event.req.method,
      path,
      status: response.status,
      ms: Math.round((performance.now() - started) * 100) / 100,
      ...(potok?.urlId ? { urlId: potok.urlId } : {}),
      ...(potok?.processId ? { processId: potok.processId } : {}),
    })
  }
}
