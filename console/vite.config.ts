/**
 * Builds the console (a React app) into `console/dist/`, which `server/console.ts`
 * serves at `/`. Run from the repository root: `vite build --config console/vite.config.ts`.
 * `vite --config console/vite.config.ts` serves it with hot reload, proxying the API to
 * a potok server on POTOK_URL (default http://127.0.0.1:3000).
 *
 * The component catalog (display names and kinds) is read from `components/` at build time and
 * handed to the app as the module `virtual:potok-components`, so the console always labels nodes
 * the way the runtime names them, without shipping zod schemas or the sandbox to the browser.
 */
import react from '@vitejs/plugin-react'
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { defineConfig, type Plugin } from 'vite'
import { components } from '../components/index.ts'
import { COMPRESSIBLE } from '../server/console-encoding.ts'

const root = fileURLToPath(new URL('.', import.meta.url))
const api = process.env.POTOK_URL ?? 'http://127.0.0.1:3000'

function componentCatalog(): Plugin {
  const id = 'virtual:potok-components'
  const resolved = `\0${id}`
  return {
    name: 'potok-components',
    resolveId: (source) => (source === id ? resolved : undefined),
    load(source) {
      if (source !== resolved) return undefined
      const catalog = Object.fromEntries([...components.values()].map((c) => [c.type, { displayName: c.displayName, kind: c.kind }]))
      return `export default ${JSON.stringify(catalog)}`
    },
  }
}

/**
 * Writes `.br` (quality 11) and `.gz` (level 9) beside every compressible file of the build, so
 * the server sends them without compressing anything at run time (`server/console-encoding.ts`).
 */
function precompress(): Plugin {
  return {
    name: 'potok-precompress',
    apply: 'build',
    writeBundle(options) {
      const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)]))
      for (const file of walk(options.dir!)) {
        if (!COMPRESSIBLE.test(file) || statSync(file).size < 1024) continue
        const data = readFileSync(file)
        writeFileSync(`${file}.br`, brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } }))
        writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }))
      }
    },
  }
}

export default defineConfig({
  root,
  base: '/',
  plugins: [react(), componentCatalog(), precompress()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2048, rolldownOptions: { checks: { pluginTimings: false } } },
  server: { proxy: { '/api': api, '/healthz': api } },
})
