/**
 * `GET /healthz` (public): 200 `{ status: "ok", store: { kind, ok: true }, … }` when the store
 * answers a ping, 503 with SPEC §6's body (`STORE_UNAVAILABLE`) when it does not.
 */
import type { H3Event } from 'h3'
import { PotokError } from '../runtime/errors.ts'
import type { ServerContext } from './context.ts'
import { json } from './api/http.ts'

export function healthHandler(ctx: ServerContext) {
  return async (_event: H3Event): Promise<Response> => {
    const started = performance.now()
    try {
      await ctx.store.ping()
    } catch (error) {
      throw new PotokError('STORE_UNAVAILABLE', `the ${ctx.store.kind} store does not answer`, {
        status: 503,
        details: { store: ctx.store.kind, retryAfter: 5 },
        cause: error,
      })
    }
    return json({
      status: 'ok',
      store: { kind: ctx.store.kind, ok: true, pingMs: Math.round((performance.now() - started) * 100) / 100 },
      processes: { running: ctx.gate.running, max: ctx.gate.max },
      async: ctx.executor !== undefined,
    })
  }
}
