/**
 * `/api/v1/files` (docs/catalogs.md): the files of records' file fields, kept in the store. `POST` stores
 * the raw body (name from `?name=`, type from Content-Type; at most MAX_FILE_BYTES, 413 beyond)
 * and answers 201 with `{ id, name, contentType, size, createdAt }` — the `id` goes into a file
 * field as `[{ "id": "…" }]`; `GET /api/v1/files/{id}` answers the bytes.
 */
import type { H3 } from 'h3'
import { FastResponse } from 'srvx'
import { PotokError } from '../../runtime/index.ts'
import { readRawBody } from '../body.ts'
import type { ServerContext } from '../context.ts'
import { RecordService } from '../records.ts'
import { admin, json, param } from './http.ts'

export function registerFileRoutes(app: H3, ctx: ServerContext): void {
  const service = new RecordService({ store: ctx.store, services: () => ctx.services ?? {}, maxFileBytes: ctx.settings.maxFileBytes })

  app.post(
    '/api/v1/files',
    admin(ctx, async (event) => {
      const limit = ctx.settings.maxFileBytes
      let data: Buffer | null
      try {
        data = await readRawBody(event.req, limit)
      } catch (error) {
        if ((error as PotokError).status === 413) throw new PotokError('FILE_TOO_LARGE', `the file is larger than MAX_FILE_BYTES (${limit} bytes)`, { details: { maxFileBytes: limit } })
        throw error
      }
      if (!data?.length) throw new PotokError('INVALID_BODY', "the body (the file's bytes) is empty")
      const name = event.url.searchParams.get('name') || 'file'
      const contentType = event.req.headers.get('content-type')?.split(';')[0].trim() || 'application/octet-stream'
      const file = await service.putFile({ name, contentType, data: new Uint8Array(data) })
      return json(file, 201, { location: `/api/v1/files/${file.id}` })
    }),
  )

  app.get(
    '/api/v1/files/:id',
    admin(ctx, async (event) => {
      const id = param(event, 'id')
      const file = await ctx.store.records.getFile(id)
      if (!file) throw new PotokError('FILE_NOT_FOUND', `there is no file "${id}"`)
      return new FastResponse(file.data as Uint8Array<ArrayBuffer>, {
        headers: {
          'content-type': file.contentType,
          'content-length': String(file.data.byteLength),
          'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`,
          'x-content-type-options': 'nosniff',
        },
      })
    }),
  )
}
