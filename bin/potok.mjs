#!/usr/bin/env node
// potok's command line: the JavaScript built into dist/ (`npm run build`, run by `npm install`
// in a checkout and shipped in the package). A source checkout that was never built runs the
// TypeScript sources through tsx, a development dependency.
import { existsSync } from 'node:fs'

const built = new URL('../dist/cli/main.js', import.meta.url)
if (existsSync(built)) {
  await import(built.href)
} else {
  let register
  try {
    ;({ register } = await import('tsx/esm/api'))
  } catch {
    process.stderr.write('potok: dist/ is missing and tsx is not installed; run `npm run build` (or `npm install`) first\n')
    process.exit(1)
  }
  register()
  await import('../cli/main.ts')
}
