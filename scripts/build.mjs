#!/usr/bin/env node
// `npm run build`: the server as JavaScript in dist/ (tsc, one file per source file, `.ts`
// imports rewritten to `.js`), the files the sources read at run time copied beside their
// JavaScript, and the console built by Vite into dist/console/dist.
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
const run = (script, args) => execFileSync(process.execPath, [script, ...args], { cwd: root, stdio: 'inherit' })

const only = process.argv[2] // "server" | "console" | undefined (both)

if (only !== 'console') {
  rmSync(join(root, 'dist'), { recursive: true, force: true, maxRetries: 3 })
  run(require.resolve('typescript/bin/tsc'), ['-p', 'tsconfig.build.json'])
  // Read with readFileSync next to the module that needs them.
  for (const asset of ['runtime/sandbox/prelude.js', 'processes/worker-entry.mjs']) cpSync(join(root, asset), join(root, 'dist', asset))
}
if (only !== 'server') {
  run(join(dirname(require.resolve('vite/package.json')), 'bin/vite.js'), ['build', '--config', 'console/vite.config.ts', '--logLevel', 'warn'])
}
const consoleBuild = join(root, 'console/dist')
if (existsSync(consoleBuild) && existsSync(join(root, 'dist'))) {
  cpSync(consoleBuild, join(root, 'dist/console/dist'), { recursive: true })
}
