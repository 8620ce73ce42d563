/**
 * The console: the built web app (`console/dist/`, made by `npm run build`) served at `/`
 * with h3's `serveStatic`. Hashed assets (`/assets/*`) are cached for a year; `index.html` is
 * always revalidated; text files go out brotli- or gzip-compressed when the browser accepts it
 * (`console-encoding.ts`). Any other non-API path answers index.html, so the app's own addresses
 * (`/processes/…`) can be reloaded and shared. Paths under `/api/`, `/healthz` and `/metrics`
 * are never the console's: they get the standard 404 error body.
 *
 * @example
 * const app = buildApp(ctx)
 * registerConsole(app)                         // after the API routes
 * await app.fetch(new Request('http://x/processes/42')) // → index.html
 */
import { readFile, stat } from 'node:fs/promises'
import { extname, join, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { HTTPResponse, serveStatic, type H3, type H3Event } from 'h3'
import { PotokError } from '../runtime/index.ts'
import { compressedFile, encodingsFor } from './console-encoding.ts'

export interface ConsoleOptions {
  /** The built app (default: `console/dist/` at the top of the package). */
  dir?: string
}

export const CONSOLE_DIR = fileURLToPath(new URL('../console/dist/', import.meta.url))

/** What the console's pages may load: only this server (nothing from the internet). */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
}

/** Never the console's, in any letter case (`/API/V1/…` is an API path too, never index.html). */
const NOT_CONSOLE = /^\/(api(\/|$)|healthz$|metrics$)/i

/** An h3 handler serving the console (GET and HEAD). */
export function consoleHandler(options: ConsoleOptions = {}) {
  const root = resolve(options.dir ?? CONSOLE_DIR)

  /** The file for an asset id (`/assets/x.js`), or null when it would leave `root`. */
  const fileOf = (id: string): string | null => {
    // serveStatic keeps encoded separators encoded; an id with `%` or `\` is not one of our files.
    if (id.includes('%') || id.includes('\\') || id.includes('\0')) return null
    const file = resolve(join(root, id))
    return file.startsWith(root + sep) ? file : null
  }

  return async (event: H3Event) => {
    const path = event.url.pathname
    if (NOT_CONSOLE.test(path)) throw new PotokError('NOT_FOUND', `there is no route ${event.req.method} ${path}`)
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) event.res.headers.set(name, value)
    // Brotli or gzip when the browser accepts it; caches keep one copy per encoding.
    event.res.headers.set('vary', 'accept-encoding')

    const served = await serveStatic(event, {
      fallthrough: true,
      indexNames: ['/index.html'],
      encodings: encodingsFor(event.req.headers.get('accept-encoding')),
      getMeta: async (id) => {
        const file = fileOf(id)
        if (!file) return undefined
        const suffix = id.endsWith('.br') ? '.br' : id.endsWith('.gz') ? '.gz' : null
        if (suffix) {
          const compressed = await compressedFile(file.slice(0, -suffix.length), suffix)
          return compressed ? { size: compressed.bytes.length, mtime: compressed.mtime, etag: compressed.etag, encoding: compressed.encoding } : undefined
        }
        const info = await stat(file).catch(() => null)
        if (!info?.isFile()) return undefined
        return { size: info.size, mtime: info.mtime, etag: `W/"${info.size.toString(36)}-${info.mtimeMs.toString(36)}"` }
      },
      getContents: async (id) => {
        const file = fileOf(id)!
        const suffix = id.endsWith('.br') ? '.br' : id.endsWith('.gz') ? '.gz' : null
        return suffix ? (await compressedFile(file.slice(0, -suffix.length), suffix))!.bytes : readFile(file)
      },
    })
    if (served) {
      event.res.headers.set('cache-control', path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache')
      return served
    }
    // A missing file with an extension is a real 404; anything else is one of the app's pages.
    if (extname(path)) throw new PotokError('NOT_FOUND', `there is no file ${path}`)
    return indexPage(event, root)
  }
}

async function indexPage(event: H3Event, root: string): Promise<HTTPResponse> {
  event.res.headers.set('cache-control', 'no-cache')
  event.res.headers.set('content-type', 'text/html; charset=utf-8')
  const html = await readFile(join(root, 'index.html')).catch(() => null)
  if (html) return new HTTPResponse(event.req.method === 'HEAD' ? null : html, { status: 200 })
  return new HTTPResponse(event.req.method === 'HEAD' ? null : NOT_BUILT, { status: 503 })
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>potok</title>
<body style="font:15px system-ui,sans-serif;max-width:40em;margin:4em auto;color:#1c2230">
<h1 style="font-size:20px">The potok console is not built</h1>
<p>Run <code>npm run build</code> (it runs on <code>npm install</code>) and reload. The API is served as usual under <code>/api/v1/</code>.</p>`

/** Registers the console on `app` for every GET and HEAD path the API routes do not take. */
export function registerConsole(app: H3, options: ConsoleOptions = {}): void {
  const handler = consoleHandler(options)
  app.get('/', handler)
  app.head('/', handler)
  app.get('/**', handler)
  app.head('/**', handler)
}
