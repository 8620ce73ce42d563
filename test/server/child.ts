/**
 * A potok server in a child process (`bin/potok.mjs serve`), for tests that kill it (SIGKILL),
 * restart it, or run it on a disk that fills up — faults a server in the test's own process
 * could not survive or observe.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const CHILD_TOKEN = 'child-test-token-0123456789'

export interface ChildServer {
  child: ChildProcess
  base: string
  /** What it printed (stdout and stderr). */
  output(): string
  /** Management API call with the admin token. */
  api(method: string, path: string, body?: unknown): Promise<Response>
  /** SIGKILL, and wait for the exit. */
  kill(): Promise<void>
}

const started: ChildProcess[] = []

/** Kills every child server still running (call from afterAll). */
export function killChildren(): void {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
}

/**
 * Starts `potok serve` with `env` and waits until it answers HTTP (`healthy`: until /healthz
 * answers 200; otherwise any answer will do — a server on a full disk answers 503).
 */
export async function startChildServer(env: Record<string, string>, options: { healthy?: boolean } = {}): Promise<ChildServer> {
  // PORT=0: the server binds a port the system picks and prints it (no probed port to race for).
  const child = spawn(process.execPath, [join(ROOT, 'bin/potok.mjs'), 'serve'], {
    cwd: ROOT,
    // One worker thread unless the test says otherwise: the faults here are the server's, not a worker's.
    env: { ...process.env, POTOK_ADMIN_TOKEN: CHILD_TOKEN, LOG_LEVEL: 'silent', MONGODB_URI: '', WORKERS: '1', ...env, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  started.push(child)
  let output = ''
  child.stdout!.on('data', (chunk) => {
    output += chunk
  })
  child.stderr!.on('data', (chunk) => {
    output += chunk
  })
  let base = ''
  const server: ChildServer = {
    child,
    get base() {
      return base
    },
    output: () => output,
    api: (method, path, body) =>
      fetch(base + path, {
        method,
        headers: { authorization: `Bearer ${CHILD_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGKILL')
      await exited
    },
  }
  for (let i = 0; i < 400; i++) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}): ${output}`)
    base ||= /potok listening on (http:\/\/\S+?)\/?\s/.exec(output)?.[1] ?? ''
    if (!base) {
      await new Promise((r) => setTimeout(r, 50))
      continue
    }
    const status = await fetch(`${base}/healthz`).then(
      (r) => r.status,
      () => 0,
    )
    if (status === 200 || (status !== 0 && options.healthy === false)) return server
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`server did not start: ${output}`)
}
