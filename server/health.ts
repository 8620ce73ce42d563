/**
 * `GET /healthz` (public): the store must answer a read (ping) and take a write (a small health
 * record, as every process start needs) within a short deadline. 200 `{ status: "ok", store:
 * { kind, ok: true, read: true, write: true, pingMs, writeMs }, … }`; otherwise 503 with the
 * standard error body (`STORE_UNAVAILABLE`) saying which part is down: `details: { store, read, write,
 * reason, retryAfter }` (e.g. a full disk: `read: true, write: false`, reason `STORE_FULL`).
 */
import { hostname } from 'node:os'
import type { H3Event } from 'h3'
import { PotokError, toPotokError } from '../runtime/index.ts'
import type { ServerContext } from './context.ts'
import { json } from './api/http.ts'

/** A health check never waits longer than this for either probe. */
const PROBE_MS = 2000
const OWNER = `${hostname()}:${process.pid}`

export function healthHandler(ctx: ServerContext) {
  return async (_event: H3Event): Promise<Response> => {
    const read = await timed(() => ctx.store.ping())
    const write = read.ok ? await timed(() => ctx.store.probeWrite(OWNER)) : read
    if (!read.ok || !write.ok) {
      const failure = (read.ok ? write : read).error!
      throw new PotokError('STORE_UNAVAILABLE', `the ${ctx.store.kind} store ${read.ok ? 'answers reads but does not take writes' : 'does not answer'}: ${failure.message}`, {
        details: { store: ctx.store.kind, read: read.ok, write: write.ok, reason: failure.code, retryAfter: 5 },
      })
    }
    return json({
      status: 'ok',
      store: { kind: ctx.store.kind, ok: true, read: true, write: true, pingMs: read.ms, writeMs: write.ms },
      processes: { running: ctx.gate.running, max: ctx.gate.max },
      async: ctx.executor !== undefined,
    })
  }
}

async function timed(probe: () => Promise<void>): Promise<{ ok: boolean; ms: number; error?: PotokError }> {
  const started = performance.now()
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    await Promise.race([
      probe(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new PotokError('STORE_TIMEOUT', `no answer within ${PROBE_MS} ms`)), PROBE_MS)
      }),
    ])
    return { ok: true, ms: Math.round((performance.now() - started) * 100) / 100 }
  } catch (error) {
    return { ok: false, ms: Math.round(performance.now() - started), error: toPotokError(error) }
  } finally {
    clearTimeout(timer)
  }
}
