/**
 * Reading a request body into the `body` input variable (docs/server.md), streaming: the size limit
 * is enforced while the bytes arrive (→ 413, the rest is never read), multipart goes straight
 * into busboy chunk by chunk (the raw upload is never held whole, files are base64-encoded as
 * they stream), and an HMAC of the raw bytes can be computed on the way (hmac auth).
 *
 * | Content-Type                          | `body`                                              |
 * |---------------------------------------|-----------------------------------------------------|
 * | `application/json`, `*\/*+json`        | the parsed value (bad JSON → 400 `INVALID_JSON`)    |
 * | `application/x-www-form-urlencoded`   | object; a repeated key gives an array               |
 * | `multipart/form-data`                 | fields; files `{ filename, contentType, size, data }` (base64) |
 * | `text/*`, `application/xml`, `*\/*+xml` | string (decoded with the charset parameter)        |
 * | anything else, or none                | binary value `{ $binary, contentType }`             |
 * | no body at all                        | `{}`                                                |
 *
 * @example
 * const { value } = await readRequestBody(event.req, { limit: 10 * 1024 * 1024 })
 */
import { createHmac } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import busboy from 'busboy'
import { PotokError, toBinary } from '../runtime/index.ts'
import { paramsObject } from './input.ts'
import { assertJsonDepth } from './json-depth.ts'

export interface ReadBodyOptions {
  /** Largest body accepted, in bytes (`MAX_BODY_BYTES`). */
  limit: number
  /** When set, the HMAC-SHA256 of the raw body is computed with this secret while it streams. */
  hmacSecret?: string
  /** Deepest nesting of a JSON body (`MAX_BODY_DEPTH`; 400 `BODY_TOO_DEEP` beyond). */
  maxDepth?: number
}

export interface RequestBody {
  /** The `body` input variable. */
  value: unknown
  /** Size of the raw body in bytes. */
  bytes: number
  /** HMAC-SHA256 of the raw body (only with `hmacSecret`). */
  hmac?: Buffer
}

type BodyKind = 'json' | 'form' | 'multipart' | 'text' | 'binary'

/** Which `body` form a Content-Type gives. */
export function bodyKind(contentType: string | null): BodyKind {
  const type = mediaType(contentType)
  if (type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'))) return 'json'
  if (type === 'application/x-www-form-urlencoded') return 'form'
  if (type === 'multipart/form-data') return 'multipart'
  if (type.startsWith('text/') || type === 'application/xml' || type.endsWith('+xml')) return 'text'
  return 'binary'
}

/** Reads and decodes the body of `request`; see the table above. */
export async function readRequestBody(request: Request, options: ReadBodyOptions): Promise<RequestBody> {
  const hmac = options.hmacSecret === undefined ? undefined : createHmac('sha256', options.hmacSecret)
  if (!hasBody(request, options.limit)) return { value: {}, bytes: 0, hmac: hmac?.digest() }
  const contentType = request.headers.get('content-type')
  const kind = bodyKind(contentType)
  const multipart = kind === 'multipart' ? multipartParser(contentType!) : null
  const chunks: Buffer[] = []
  const bytes = await streamBody(request, options.limit, (chunk) => {
    hmac?.update(chunk)
    if (multipart) multipart.write(chunk)
    else chunks.push(chunk)
  })
  const digest = hmac?.digest()
  if (multipart) return { value: await multipart.end(), bytes, hmac: digest }
  if (bytes === 0) return { value: {}, bytes, hmac: digest }
  const raw = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, bytes)
  if (kind === 'json' && options.maxDepth !== undefined) assertJsonDepth(raw, options.maxDepth)
  return { value: decode(kind, raw, contentType), bytes, hmac: digest }
}

/** The raw bytes of a body (null when there is none), with the same streaming limit. */
export async function readRawBody(request: Request, limit: number): Promise<Buffer | null> {
  if (!hasBody(request, limit)) return null
  const chunks: Buffer[] = []
  const bytes = await streamBody(request, limit, (chunk) => chunks.push(chunk))
  return Buffer.concat(chunks, bytes)
}

/** Whether a body follows the headers; 413 at once when Content-Length is over the limit. */
function hasBody(request: Request, limit: number): boolean {
  const declared = request.headers.get('content-length')
  const present = nodeRequestOf(request) ? request.headers.has('transfer-encoding') || (declared !== null && declared !== '0') : request.body !== null
  if (present && declared !== null && Number(declared) > limit) throw tooLarge(limit)
  return present
}

/** Streams the body's chunks to `onChunk`, counting them against `limit`; resolves to the size. */
async function streamBody(request: Request, limit: number, onChunk: (chunk: Buffer) => void): Promise<number> {
  let bytes = 0
  const counted = (chunk: Buffer) => {
    bytes += chunk.length
    if (bytes > limit) throw tooLarge(limit)
    onChunk(chunk)
  }
  const node = nodeRequestOf(request)
  if (node) await readNodeStream(node, counted)
  else await readWebStream(request.body!, counted)
  return bytes
}

function decode(kind: BodyKind, raw: Buffer, contentType: string | null): unknown {
  switch (kind) {
    case 'json': {
      const text = raw.toString('utf8').replace(/^\uFEFF/, '')
      try {
        return JSON.parse(text)
      } catch (error) {
        throw new PotokError('INVALID_JSON', `the body is not valid JSON: ${(error as Error).message}`)
      }
    }
    case 'form':
      return paramsObject(new URLSearchParams(raw.toString('utf8')))
    case 'text':
      return decodeText(raw, charsetOf(contentType))
    default:
      return toBinary(raw, contentType ?? undefined)
  }
}

function decodeText(raw: Buffer, charset: string | undefined): string {
  if (charset) {
    try {
      return new TextDecoder(charset).decode(raw)
    } catch {
      // unknown charset: fall back to UTF-8 below
    }
  }
  return raw.toString('utf8')
}

function mediaType(contentType: string | null): string {
  if (!contentType) return ''
  const semi = contentType.indexOf(';')
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase()
}

function charsetOf(contentType: string | null): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '')
  return match?.[1]
}

function tooLarge(limit: number): PotokError {
  return new PotokError('PAYLOAD_TOO_LARGE', `the request body is over the limit of ${limit} bytes`, { details: { limit } })
}

function clientGone(): PotokError {
  return new PotokError('CLIENT_CLOSED', 'the client closed the connection before the body was read')
}

/** The Node request behind an srvx request, when served by Node. */
function nodeRequestOf(request: Request): IncomingMessage | undefined {
  return (request as { runtime?: { node?: { req?: IncomingMessage } } }).runtime?.node?.req
}

/**
 * Feeds a Node request's chunks to `onChunk`. When `onChunk` throws (limit), reading stops
 * without destroying the socket, so the 413 answer can still be written (with
 * `Connection: close`, which ends the rest of the upload).
 */
function readNodeStream(req: IncomingMessage, onChunk: (chunk: Buffer) => void): Promise<void> {
  if (req.readableEnded) return Promise.resolve()
  if (req.destroyed) return Promise.reject(clientGone())
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
      req.off('close', onClose)
    }
    const onData = (chunk: Buffer) => {
      try {
        onChunk(chunk)
      } catch (error) {
        cleanup()
        req.pause()
        reject(error)
      }
    }
    const onEnd = () => {
      cleanup()
      resolve()
    }
    const onError = () => {
      cleanup()
      reject(clientGone())
    }
    const onClose = () => {
      if (req.complete) return
      cleanup()
      reject(clientGone())
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
    req.on('close', onClose)
  })
}

async function readWebStream(stream: ReadableStream<Uint8Array>, onChunk: (chunk: Buffer) => void): Promise<void> {
  const reader = stream.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      onChunk(Buffer.from(value.buffer, value.byteOffset, value.byteLength))
    }
  } catch (error) {
    await reader.cancel().catch(() => {})
    throw error instanceof PotokError ? error : clientGone()
  }
}

/** A busboy parser fed chunk by chunk; `end()` gives the fields object. */
function multipartParser(contentType: string) {
  let parser: busboy.Busboy
  try {
    parser = busboy({ headers: { 'content-type': contentType }, defParamCharset: 'utf8' })
  } catch (error) {
    throw new PotokError('INVALID_BODY', `the multipart body cannot be read: ${(error as Error).message}`)
  }
  const fields = new Map<string, unknown>()
  const add = (name: string, value: unknown) => {
    const existing = fields.get(name)
    if (existing === undefined) fields.set(name, value)
    else if (Array.isArray(existing)) existing.push(value)
    else fields.set(name, [existing, value])
  }
  let failure: unknown = null
  const pending: Promise<void>[] = []
  parser.on('field', (name, value) => add(name, value))
  parser.on('file', (name, stream, info) => {
    pending.push(
      new Promise((resolve) => {
        const encoder = new Base64Stream()
        stream.on('data', (chunk: Buffer) => encoder.push(chunk))
        stream.on('end', () => {
          add(name, { filename: info.filename ?? null, contentType: info.mimeType, size: encoder.size, data: encoder.end() })
          resolve()
        })
        stream.on('error', (error) => {
          failure ??= error
          resolve()
        })
      }),
    )
  })
  const closed = new Promise<void>((resolve, reject) => {
    parser.on('close', () => resolve())
    parser.on('error', reject)
  })
  closed.catch(() => {})
  const badBody = (error: unknown) => new PotokError('INVALID_BODY', `the multipart body cannot be read: ${(error as Error)?.message ?? error}`)
  return {
    write(chunk: Buffer) {
      if (failure) return
      try {
        parser.write(chunk)
      } catch (error) {
        failure = error
      }
    },
    async end(): Promise<Record<string, unknown>> {
      if (!failure) parser.end()
      try {
        if (!failure) await closed
        await Promise.all(pending)
      } catch (error) {
        failure ??= error
      }
      if (failure) throw badBody(failure)
      return Object.fromEntries(fields)
    },
  }
}

/** Base64 of a byte stream, encoded chunk by chunk (3-byte aligned) so no raw copy is kept. */
class Base64Stream {
  size = 0
  #rest: Buffer = Buffer.alloc(0)
  #text = ''

  push(chunk: Buffer): void {
    this.size += chunk.length
    const data = this.#rest.length ? Buffer.concat([this.#rest, chunk]) : chunk
    const whole = data.length - (data.length % 3)
    this.#text += data.toString('base64', 0, whole)
    this.#rest = Buffer.from(data.subarray(whole))
  }

  end(): string {
    return this.#text + this.#rest.toString('base64')
  }
}
