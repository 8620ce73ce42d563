/**
 * `/api/v1/processes` (docs/server.md): the processes catalog — newest first, filtered, cursor-paged —
 * one process with its steps, and resume / replay / cancel.
 */
import type { H3, H3Event } from 'h3'
import { z } from 'zod'
import { PotokError, type ProcessStatus } from '../../runtime/index.ts'
import { cancelStoredProcess, replayStoredProcess, resumeStoredProcess, type ProcessRunner } from '../../processes/lifecycle.ts'
import type { ServerContext } from '../context.ts'
import { readRawBody } from '../body.ts'
import { admin, json, param } from './http.ts'

const STATUSES = ['queued', 'running', 'completed', 'failed', 'interrupted', 'cancelled'] as const

const isoTime = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO 8601 time such as 2026-11-28T10:00:00Z')
  .transform((v) => new Date(v).toISOString())

/** Query parameters of the list: `status` may repeat or be comma-separated. */
export const processListQuery = z
  .object({
    status: z.array(z.enum(STATUSES)).optional(),
    scenarioId: z.string().optional(),
    triggerId: z.string().optional(),
    parentId: z.string().optional(),
    from: isoTime.optional(),
    to: isoTime.optional(),
    limit: z.coerce.number().int().min(1).max(1000).optional(),
    cursor: z.string().optional(),
  })
  .strict()

export const replayBody = z.object({ version: z.enum(['original', 'current']).default('original') }).strict()

function badRequest(error: z.ZodError): PotokError {
  return new PotokError('BAD_REQUEST', error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; '), {
    details: { problems: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
  })
}

function listQuery(event: H3Event) {
  const raw: Record<string, unknown> = {}
  for (const [key, value] of event.url.searchParams) {
    if (key === 'status') raw.status = [...((raw.status as string[]) ?? []), ...value.split(',').filter(Boolean)]
    else raw[key] = value
  }
  const parsed = processListQuery.safeParse(raw)
  if (!parsed.success) throw badRequest(parsed.error)
  return parsed.data
}

async function parseJson(raw: Buffer): Promise<unknown> {
  try {
    return JSON.parse(raw.toString('utf8'))
  } catch (error) {
    throw new PotokError('INVALID_JSON', `the body is not valid JSON: ${(error as Error).message}`)
  }
}

function runner(ctx: ServerContext): ProcessRunner {
  if (!ctx.executor) throw new PotokError('ASYNC_UNAVAILABLE', 'this server runs no asynchronous executor')
  return ctx.executor
}

export function registerProcessRoutes(app: H3, ctx: ServerContext): void {
  const { store } = ctx

  app.get(
    '/api/v1/processes',
    admin(ctx, async (event) => {
      const query = listQuery(event)
      const page = await store.listProcesses({ ...query, status: query.status as ProcessStatus[] | undefined })
      return json(page)
    }),
  )

  app.get(
    '/api/v1/processes/:id',
    admin(ctx, async (event) => {
      const id = param(event, 'id')
      const record = await store.getProcess(id, { steps: true })
      if (!record) throw new PotokError('NOT_FOUND', `process ${id} does not exist`)
      return json(record)
    }),
  )

  app.post(
    '/api/v1/processes/:id/resume',
    admin(ctx, async (event) => {
      // The body is optional: no body resumes on the version the process ran.
      const raw = await readRawBody(event.req, ctx.settings.maxBodyBytes)
      const body = replayBody.safeParse(raw?.length ? await parseJson(raw) : {})
      if (!body.success) throw badRequest(body.error)
      return json(await resumeStoredProcess(store, runner(ctx), param(event, 'id'), body.data.version), 202)
    }),
  )

  app.post(
    '/api/v1/processes/:id/replay',
    admin(ctx, async (event) => {
      // The body is optional: no body replays against the original version.
      const raw = await readRawBody(event.req, ctx.settings.maxBodyBytes)
      const body = replayBody.safeParse(raw?.length ? await parseJson(raw) : {})
      if (!body.success) throw badRequest(body.error)
      const replay = await replayStoredProcess(store, runner(ctx), param(event, 'id'), body.data.version)
      return json(replay, 201, { location: `/api/v1/processes/${replay.id}` })
    }),
  )

  app.post(
    '/api/v1/processes/:id/cancel',
    admin(ctx, async (event) => {
      return json(await cancelStoredProcess(store, param(event, 'id'), ctx.executor))
    }),
  )
}
