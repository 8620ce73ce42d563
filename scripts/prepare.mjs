#!/usr/bin/env node
// npm's `prepare` (runs after `npm install` / `npm ci` in a checkout, and before `npm pack`):
// builds dist/ from the sources when the build tools are installed. The published package
// carries dist/ and no sources, so a production install (`npm ci --omit=dev`) needs nothing here.
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const has = (name) => {
  try {
    require.resolve(name)
    return true
  } catch {
    return false
  }
}
const sources = existsSync(new URL('../tsconfig.build.json', import.meta.url))
const built = existsSync(new URL('../dist/cli/main.js', import.meta.url))

if (sources && has('typescript/bin/tsc') && has('vite/package.json')) {
  await import('./build.mjs')
} else if (!built) {
  process.stderr.write('potok: dist/ is missing and cannot be built here (no sources or no dev dependencies): run `npm install` in a checkout, or install the published package\n')
  process.exit(1)
}
