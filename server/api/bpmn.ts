/**
 * BPMN over HTTP (docs/bpmn.md), as plain functions the app routes:
 *
 * | route | function |
 * |---|---|
 * | `POST /api/v1/scenarios/import` (XML body; `?placeholders=true`, `?id=`) | `importRoute(xml, query)` → `{ scenario, report }` |
 * | `GET /api/v1/scenarios/{id}/bpmn` | `exportRoute(scenario)` → the XML |
 *
 * Import converts and does not store: the client saves the scenario it gets (after fixing what
 * the report names) with `POST /api/v1/scenarios`. A document that is refused (not XML, not
 * BPMN, hostile, too large) answers the standard error body (docs/server.md, Errors): 400 `INVALID_BPMN`, 413
 * `BPMN_TOO_LARGE`. `registerBpmnRoutes` wires both behind the admin token.
 *
 * @example
 * const { status, body } = importRoute(await request.text(), new URL(request.url).searchParams)
 */
import type { H3 } from 'h3'
import { FastResponse } from 'srvx'
import { exportBpmn } from '../../bpmn/export.ts'
import { importBpmn, type ImportReport } from '../../bpmn/import.ts'
import { DEFAULT_MAX_BPMN_BYTES } from '../../bpmn/parse.ts'
import { PotokError, type Scenario } from '../../runtime/index.ts'
import { readRawBody } from '../body.ts'
import type { ServerContext } from '../context.ts'
import type { ErrorBody } from '../errors.ts'
import { admin, json, param } from './http.ts'

export const BPMN_CONTENT_TYPE = 'application/xml; charset=utf-8'

export type Query = URLSearchParams | Record<string, string | undefined>

export interface ImportAnswer {
  status: number
  body: { scenario: Scenario; report: ImportReport } | ErrorBody
}

function queryValue(query: Query, name: string): string | undefined {
  return query instanceof URLSearchParams ? (query.get(name) ?? undefined) : query[name]
}

function flag(value: string | undefined): boolean {
  return value === 'true' || value === '1' || value === ''
}

/** Converts a BPMN document (text or bytes, UTF-8) into `{ scenario, report }`; never throws. */
export function importRoute(xml: string | Uint8Array, query: Query = {}, maxBytes = DEFAULT_MAX_BPMN_BYTES): ImportAnswer {
  try {
    if (typeof xml !== 'string' && xml.byteLength > maxBytes) {
      throw new PotokError('BPMN_TOO_LARGE', `the BPMN document is larger than ${maxBytes} bytes`)
    }
    const text = (typeof xml === 'string' ? xml : new TextDecoder().decode(xml)).replace(/^\uFEFF/, '')
    if (!text.trim()) throw new PotokError('INVALID_BPMN', 'a BPMN document is required as the request body')
    const placeholders = queryValue(query, 'placeholders')
    const id = queryValue(query, 'id')
    const result = importBpmn(text, { placeholders: placeholders !== undefined && flag(placeholders), id: id || undefined, limits: { maxBytes } })
    return { status: 200, body: result }
  } catch (error) {
    const known = error instanceof PotokError ? error : new PotokError('INVALID_BPMN', 'the BPMN document could not be read')
    return { status: known.status, body: { error: { code: known.code, message: known.message } } }
  }
}

/** The BPMN XML of a scenario (a stored record's `scenario`), with a download file name. */
export function exportRoute(scenario: Scenario): { status: 200; headers: Record<string, string>; body: string } {
  return { status: 200, headers: { 'content-type': BPMN_CONTENT_TYPE, 'content-disposition': `attachment; filename="${scenario.id}.bpmn"` }, body: exportBpmn(scenario) }
}

/** Both routes on `app`, behind the admin token (for `server/app.ts`). */
export function registerBpmnRoutes(app: H3, ctx: ServerContext): void {
  app.post(
    '/api/v1/scenarios/import',
    admin(ctx, async (event) => {
      const limit = Math.min(ctx.settings.maxBodyBytes, DEFAULT_MAX_BPMN_BYTES)
      const raw = await readRawBody(event.req, limit)
      const { status, body } = importRoute(raw ?? '', event.url.searchParams, limit)
      return json(body, status)
    }),
  )

  app.get(
    '/api/v1/scenarios/:id/bpmn',
    admin(ctx, async (event) => {
      const id = param(event, 'id')
      const record = /^[A-Za-z0-9_-]{1,64}$/.test(id) ? await ctx.store.getScenario(id) : null
      if (!record) throw new PotokError('NOT_FOUND', `there is no scenario "${id}"`)
      const { status, headers, body } = exportRoute(record.scenario as Scenario)
      return new FastResponse(body, { status, headers })
    }),
  )
}
