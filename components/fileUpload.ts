import { z } from 'zod'
import { binaryBytes, isBinary } from '../runtime/binary.ts'
import { PotokError } from '../runtime/errors.ts'
import type { Component } from '../runtime/types.ts'
import { idOf, recordService } from './records/common.ts'
import { expr, variablePath } from './schema.ts'
import { send } from './webRequest/send.ts'
import { runtimeLimits } from '../runtime/limits.ts'

const config = z
  .object({
    source: z.union([z.object({ url: expr, name: expr.optional() }).strict(), z.object({ content: expr, name: expr, contentType: expr.optional() }).strict()]),
    /** «Файл в запись»: the record whose file field gets the file (replacing what it held). */
    catalogId: expr.optional(),
    recordId: expr.optional(),
    fieldId: z
      .union([z.string().min(1), z.number()])
      .transform(String)
      .optional(),
    timeoutMs: z.number().int().positive().max(3_600_000).default(60_000),
    /** The file's value `{ id, title, mimeType, size, url }`. */
    saveTo: variablePath.optional(),
    fileIdTo: variablePath.optional(),
    urlTo: variablePath.optional(),
  })
  .strict()
  .refine((c) => [c.catalogId, c.recordId, c.fieldId].every((v) => v === undefined) || [c.catalogId, c.recordId, c.fieldId].every((v) => v !== undefined), {
    message: 'catalogId, recordId and fieldId go together (the record to put the file in), or none of them',
    path: ['fieldId'],
  })
export type FileUploadConfig = z.infer<typeof config>

function expressions(c: FileUploadConfig) {
  const list: Array<{ path: Array<string | number>; source: string }> = []
  if (c.catalogId) list.push({ path: ['catalogId'], source: c.catalogId })
  if (c.recordId) list.push({ path: ['recordId'], source: c.recordId })
  for (const [key, source] of Object.entries(c.source)) if (source) list.push({ path: ['source', key], source })
  return list
}

/**
 * Загрузить файл (`bpiumFileUpload`): stores a file — downloaded from `source.url`, or a binary
 * (or text) value in `source.content` — in the store; with `catalogId`/`recordId`/`fieldId` it
 * becomes the value of that record's file field (replacing the file there, as Bpium does). The
 * file's value `{ id, title, mimeType, size, url }` to `saveTo`, its id to `fileIdTo`, its URL
 * (`/api/v1/files/{id}`, admin token) to `urlTo`. Bounded by MAX_FILE_BYTES (FILE_TOO_LARGE); a
 * download fails like a web request (HTTP_TIMEOUT, HTTP_NETWORK, …, HTTP_STATUS for a non-2xx).
 */
export const fileUpload: Component<FileUploadConfig> = {
  type: 'fileUpload',
  displayName: { ru: 'Загрузить файл', en: 'Upload file' },
  kind: 'async',
  config,
  expressions,
  run: async (ctx) => {
    const c = ctx.config
    const file = 'url' in c.source ? await download(ctx, c.source, c.timeoutMs) : fromContent(ctx, c.source)
    let value: { id: string; url: string }
    if (c.catalogId && c.recordId && c.fieldId) {
      const [catalogId, recordId] = ctx.evaluateAll([c.catalogId, c.recordId])
      const record = await recordService(ctx, 'uploadRecordFile')({ catalogId: idOf(catalogId, 'catalogId'), recordId: idOf(recordId, 'recordId'), fieldId: c.fieldId, ...file, origin: ctx.process })
      value = (record.values[c.fieldId] as Array<{ id: string; url: string }>)[0]
    } else {
      value = await recordService(ctx, 'storeFile')(file)
    }
    return [...(c.saveTo ? [{ path: c.saveTo, value }] : []), ...(c.fileIdTo ? [{ path: c.fileIdTo, value: value.id }] : []), ...(c.urlTo ? [{ path: c.urlTo, value: value.url }] : [])]
  },
}

async function download(ctx: { evaluate(s: string): unknown; signal: AbortSignal }, source: { url: string; name?: string }, timeoutMs: number) {
  const href = String(ctx.evaluate(source.url))
  let url: URL
  try {
    url = new URL(href)
  } catch {
    throw new PotokError('HTTP_INVALID_URL', `source.url must be an absolute http(s) URL, not ${JSON.stringify(href.slice(0, 80))}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new PotokError('HTTP_INVALID_URL', `source.url must be http or https, not ${url.protocol}`)
  const describe = `GET ${url.origin}${url.pathname}`
  const maxBytes = runtimeLimits().fileMaxBytes
  const response = await send({ url, method: 'GET', headers: new Headers(), describe }, { timeoutMs, maxBytes, signal: ctx.signal }).catch((error) => {
    // Cut off at MAX_FILE_BYTES while downloading: the same error as a file the store refuses.
    if ((error as PotokError).code === 'HTTP_TOO_LARGE')
      throw new PotokError('FILE_TOO_LARGE', `${describe}: the file is larger than MAX_FILE_BYTES (${maxBytes} bytes)`, { details: { limit: maxBytes } })
    throw error
  })
  if (response.status < 200 || response.status > 299) throw new PotokError('HTTP_STATUS', `${describe} answered ${response.status}`, { details: { status: response.status } })
  const name = source.name ? String(ctx.evaluate(source.name)) : decodeURIComponent(url.pathname.split('/').pop() || 'file')
  return { name, contentType: response.headers.get('content-type')?.split(';')[0].trim() || 'application/octet-stream', data: response.bytes }
}

function fromContent(ctx: { evaluate(s: string): unknown }, source: { content: string; name: string; contentType?: string }) {
  const content = ctx.evaluate(source.content)
  const name = String(ctx.evaluate(source.name))
  const contentType = source.contentType ? String(ctx.evaluate(source.contentType)) : undefined
  if (isBinary(content)) return { name, contentType: contentType ?? content.contentType, data: new Uint8Array(binaryBytes(content)) }
  if (typeof content === 'string') return { name, contentType: contentType ?? 'text/plain', data: new Uint8Array(Buffer.from(content, 'utf8')) }
  throw new PotokError('FILE_INVALID', `source.content must evaluate to a binary value or text, not ${content === null ? 'null' : typeof content}`)
}
