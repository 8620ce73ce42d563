#!/usr/bin/env node
// CI's production-install check, as a user installs potok on a clean machine: `npm pack`, the
// tarball unpacked in a temporary directory with the lockfile, `npm ci --omit=dev`, then
// `npm start` — the server must answer /healthz and run the greeting example, with no
// TypeScript, Vite or tsx installed.
import { execFileSync, spawn } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'potok-prod-'))
const npm = (args, cwd) => execFileSync('npm', args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' })
const fail = (message) => {
  console.error(`production install: ${message}`)
  process.exitCode = 1
}

try {
  const tarball = npm(['pack', '--silent', '--pack-destination', work], root).trim().split('\n').pop()
  execFileSync('tar', ['-xzf', join(work, tarball), '-C', work])
  const app = join(work, 'package')
  cpSync(join(root, 'package-lock.json'), join(app, 'package-lock.json'))
  for (const forbidden of ['runtime', 'server', 'components', 'test', 'tsconfig.json']) {
    if (existsSync(join(app, forbidden))) fail(`the package carries ${forbidden}/ (sources and tests stay out of it)`)
  }
  npm(['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], app)
  for (const dev of ['typescript', 'vite', 'tsx', 'vitest']) {
    if (existsSync(join(app, 'node_modules', dev))) fail(`${dev} was installed by --omit=dev`)
  }
  // PORT=0: the server takes a port the system picks and prints it (no guessed port to collide on).
  const server = spawn('npm', ['start'], {
    cwd: app,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', MONGODB_URI: '', LOG_LEVEL: 'warn', POTOK_ADMIN_TOKEN: 'production-check-token-0123' },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  })
  let printed = ''
  server.stdout.on('data', (chunk) => {
    printed += chunk
    process.stdout.write(chunk)
  })
  try {
    let base = ''
    let healthy = false
    for (let i = 0; i < 200 && !healthy; i++) {
      base ||= /potok listening on (http:\/\/\S+?)\/?\s/.exec(printed)?.[1] ?? ''
      healthy =
        base !== '' &&
        (await fetch(`${base}/healthz`).then(
          (r) => r.ok,
          () => false,
        ))
      if (!healthy) await new Promise((resolve) => setTimeout(resolve, 100))
    }
    if (!healthy) throw new Error('npm start did not answer /healthz within 20 s')
    const answer = await fetch(`${base}/api/webrequest/greet`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"Ada","n":41}' })
    const body = await answer.json()
    if (answer.status !== 201 || body.next !== 42) fail(`greet answered ${answer.status} ${JSON.stringify(body)}`)
    const page = await fetch(`${base}/`)
    if (!(page.headers.get('content-type') ?? '').includes('text/html')) fail('the console is not served')
    if (!process.exitCode) console.log('production install: npm ci --omit=dev && npm start serves greet and the console')
  } finally {
    process.kill(-server.pid, 'SIGTERM')
  }
} catch (error) {
  fail(error.message)
} finally {
  rmSync(work, { recursive: true, force: true })
}
