/**
 * Compressed copies of the console's files. `npm run build` writes `.br` and `.gz` beside each
 * compressible asset (see `console/vite.config.ts`); for a file without them (a build made
 * otherwise) the copy is made here with node:zlib on first request and kept in memory, keyed
 * by the file's path, size and time, so each file is compressed once per build.
 *
 * h3's `serveStatic` picks the encoding from `Accept-Encoding` (its `encodings` option) and
 * asks for `<id>.br` / `<id>.gz`; `compressedFile` answers those ids.
 */
import { readFile, stat } from 'node:fs/promises'
import { promisify } from 'node:util'
import { brotliCompress, constants, gzip } from 'node:zlib'

/**
 * The `encodings` option of `serveStatic` for a request: brotli when accepted, else gzip, else
 * none. Only one is offered because serveStatic ranks equal weights by their order in the
 * header, and browsers list gzip before br.
 */
export function encodingsFor(acceptEncoding: string | null): Record<string, string> {
  const accepted = new Map<string, number>()
  for (const part of (acceptEncoding ?? '').toLowerCase().split(',')) {
    const [name = '', ...params] = part.split(';').map((p) => p.trim())
    const q = params.find((p) => p.startsWith('q='))
    accepted.set(name, q ? Number(q.slice(2)) || 0 : 1)
  }
  const weight = (name: string) => accepted.get(name) ?? accepted.get('*') ?? 0
  if (weight('br') > 0) return { br: '.br' }
  if (weight('gzip') > 0) return { gzip: '.gz' }
  return {}
}

/** Text the browser loads: worth compressing (images and fonts are compressed already). */
export const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|map|txt)$/i

/** Below this size compression saves nothing worth a header. */
const MIN_BYTES = 1024

const brotli = promisify(brotliCompress)
const gzipped = promisify(gzip)
/** Buffers as a Response body takes them (an ArrayBuffer-backed view). */
const asBody = (data: Buffer): Uint8Array<ArrayBuffer> => new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength)

const compressors = {
  '.br': async (data: Buffer) => asBody(await brotli(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } })),
  '.gz': async (data: Buffer) => asBody(await gzipped(data, { level: 9 })),
}

export interface CompressedFile {
  encoding: 'br' | 'gzip'
  bytes: Uint8Array<ArrayBuffer>
  mtime: Date
  etag: string
}

const cache = new Map<string, CompressedFile>()
const MAX_CACHED = 200

/**
 * The compressed copy of `file + suffix` (`suffix` `.br` or `.gz`): the one on disk when the
 * build made it, else made now and cached. Null when the source does not exist or is not
 * worth compressing.
 */
export async function compressedFile(file: string, suffix: '.br' | '.gz'): Promise<CompressedFile | null> {
  if (!COMPRESSIBLE.test(file)) return null
  const source = await stat(file).catch(() => null)
  if (!source?.isFile() || source.size < MIN_BYTES) return null
  const encoding = suffix === '.br' ? 'br' : 'gzip'
  const etag = `W/"${source.size.toString(36)}-${source.mtimeMs.toString(36)}-${encoding}"`
  const key = `${file}${suffix}`
  const cached = cache.get(key)
  if (cached?.etag === etag) return cached
  const onDisk = await stat(key).catch(() => null)
  const bytes = onDisk?.isFile() && onDisk.mtimeMs >= source.mtimeMs ? asBody(await readFile(key)) : await compressors[suffix](await readFile(file))
  const made: CompressedFile = { encoding, bytes, mtime: source.mtime, etag }
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!)
  cache.set(key, made)
  return made
}
