/**
 * What every management route shares: the admin guard, JSON bodies in and out, and the standard
 * list shape `{ items, nextCursor }`.
 *
 * @example
 * app.get('/api/v1/things', admin(ctx, async () => list(await store.things())))
 */
import type { H3Event } from 'h3'
import { FastResponse } from 'srvx'
import { PotokError } from '../../runtime/index.ts'
import { isAdminRequest } from '../admin-token.ts'
import { readRawBody } from '../body.ts'
import type { ServerContext } from '../context.ts'
import { clientOf } from '../auth-failures.ts'
import { assertJsonDepth } from '../json-depth.ts'

export type ApiHandler = (event: H3Event) => Promise<Response> | Response

/** The 401 every management route answers without a valid token. */
export function unauthorizedAdmin(): PotokError {
  return new PotokError('UNAUTHORIZED', 'the management API needs "Authorization: Bearer <admin token>"')
}

/** Wraps a management route: without the admin token the handler never runs (401). */
export function admin(ctx: ServerContext, handler: ApiHandler): ApiHandler {
  return (event) => {
    checkAdmin(ctx, event.req)
    return handler(event)
  }
}

/** 401 without the admin token; 429 for a client that sent wrong credentials too often. */
export function checkAdmin(ctx: ServerContext, request: Request): void {
  const client = clientOf(request)
  ctx.authFailures.check(client)
  if (isAdminRequest(request, ctx.adminToken)) return
  if (request.headers.has('authorization')) ctx.authFailures.fail(client)
  throw unauthorizedAdmin()
}

/** A JSON answer. */
export function json(value: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new FastResponse(JSON.stringify(value), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } })
}

/** The list answer `{ items, nextCursor }` of docs/server.md (the catalogs are not paged: `nextCursor` is always null). */
export function list(items: unknown[], nextCursor: string | null = null): Response {
  return json({ items, nextCursor })
}

export function noContent(): Response {
  return new FastResponse(null, { status: 204 })
}

/** The request's JSON body (any Content-Type); 400 `INVALID_JSON` when it is missing or does not parse. */
export async function readJson(event: H3Event, ctx: ServerContext): Promise<unknown> {
  const raw = await readRawBody(event.req, ctx.settings.maxBodyBytes)
  if (!raw || raw.length === 0) throw new PotokError('INVALID_JSON', 'a JSON body is required')
  assertJsonDepth(raw, ctx.settings.maxBodyDepth)
  try {
    return JSON.parse(raw.toString('utf8').replace(/^\uFEFF/, ''))
  } catch (error) {
    throw new PotokError('INVALID_JSON', `the body is not valid JSON: ${(error as Error).message}`)
  }
}

/** A route parameter, URL-decoded. */
export function param(event: H3Event, name: string): string {
  const value = event.context.params?.[name] ?? ''
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}
