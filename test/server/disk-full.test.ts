/**
 * SQLite on a small disk that fills up (a real 20 MB tmpfs): the WAL stays bounded, every
 * caller either gets an answer whose process is on record or a clear 507/503 (never a 2xx for a
 * process that was not stored), /healthz says writes are down while reads work, the server
 * restarts on the full disk (loading unchanged FLOWS_DIR writes nothing), and it takes writes
 * again once space is freed.
 */
import { execFileSync } from 'node:child_process'
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { ROOT, killChildren, startChildServer, type ChildServer } from './child.ts'
import { isErrorBody } from './helpers.ts'

const mountPoint = mkdtempSync(join(tmpdir(), 'potok-small-disk-'))
let mounted = false
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=20m', 'tmpfs', mountPoint], { stdio: 'pipe' })
  mounted = true
} catch (error) {
  console.warn(`[server] disk-full test skipped: cannot mount a 20 MB tmpfs at ${mountPoint} (needs root): ${(error as Error).message.split('\n')[0]}`)
}

afterAll(() => {
  killChildren()
  if (mounted) execFileSync('umount', ['-l', mountPoint], { stdio: 'pipe' })
  rmSync(mountPoint, { recursive: true, force: true })
})

/** Writes zeros into `file` until the disk is full. */
function fill(file: string): void {
  const fd = openSync(file, 'w')
  const chunk = Buffer.alloc(256 * 1024)
  try {
    for (;;) writeSync(fd, chunk)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error
  } finally {
    closeSync(fd)
  }
}

const greet = (server: ChildServer, n: number, async = false) =>
  fetch(`${server.base}/api/webrequest/greet${async ? '?async=true' : ''}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: `n${n}`, n, pad: 'x'.repeat(2000) }),
  })

describe.skipIf(!mounted)('SQLite on a full disk', () => {
  test('no answer without a record, a clear 507, bounded WAL, a restart that needs no write, recovery', async () => {
    const dataDir = join(mountPoint, 'data')
    const flowsDir = join(mountPoint, 'flows')
    mkdirSync(dataDir)
    cpSync(join(ROOT, 'flows'), flowsDir, { recursive: true })
    const env = { DATA_DIR: dataDir, FLOWS_DIR: flowsDir }
    let server = await startChildServer(env)

    // Leave ~3 MB free, then send requests until the store refuses.
    const free = join(mountPoint, 'free-me')
    fill(free)
    truncateSync(free, Math.max(0, statSync(free).size - 3 * 1024 * 1024))

    const answered: string[] = []
    const refused: number[] = []
    for (let n = 0; n < 3000 && refused.length < 20; n++) {
      const response = await greet(server, n, n % 5 === 4)
      if (response.status === 201 || response.status === 202) {
        answered.push(response.headers.get('x-process-id')!)
        await response.arrayBuffer()
      } else {
        expect([503, 507]).toContain(response.status)
        expect(isErrorBody(await response.json())).toBe(true)
        refused.push(response.status)
      }
    }
    expect(refused.length).toBe(20)
    expect(refused).toContain(507)
    // The WAL was checkpointed and truncated along the way instead of taking the disk.
    const wal = join(dataDir, 'potok.sqlite-wal')
    if (existsSync(wal)) expect(statSync(wal).size).toBeLessThan(10 * 1024 * 1024)

    // Reads work, writes do not: /healthz says which.
    const health = await fetch(`${server.base}/healthz`)
    expect(health.status).toBe(503)
    expect((await health.json()).error.details).toMatchObject({ read: true, write: false, reason: 'STORE_FULL' })

    // Every answered process is on record.
    for (const id of answered) expect((await server.api('GET', `/api/v1/processes/${id}`)).status).toBe(200)

    // A restart on the full disk works: unchanged flows are not written again.
    await server.kill()
    server = await startChildServer(env, { healthy: false })
    expect((await server.api('GET', '/api/v1/scenarios')).status).toBe(200)
    for (const id of answered.slice(-5)) expect((await server.api('GET', `/api/v1/processes/${id}`)).status).toBe(200)
    const refusedAfterRestart = await greet(server, 9999)
    expect([503, 507]).toContain(refusedAfterRestart.status)

    // Space freed: writes come back by themselves.
    rmSync(free)
    const back = await greet(server, 10_000)
    expect(back.status).toBe(201)
    expect((await server.api('GET', `/api/v1/processes/${back.headers.get('x-process-id')}`)).status).toBe(200)
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200)
    await server.kill()
  }, 180_000)
})
