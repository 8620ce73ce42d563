/**
 * Processes are never lost: a server running asynchronous processes is killed with SIGKILL
 * mid-way; a new server on the same store finishes every one of them, each exactly once.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, test } from 'vitest'
import { openStore } from '../../runtime/store/index.ts'

const root = fileURLToPath(new URL('../../', import.meta.url))
const TOKEN = 'crash-test-token-0123456789'
const children: ChildProcess[] = []
afterAll(() => { for (const child of children) child.kill('SIGKILL') })

const freePort = () => new Promise<number>((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address() as { port: number }
    probe.close(() => resolve(port))
  })
})

async function startChild(env: Record<string, string>): Promise<{ child: ChildProcess; base: string }> {
  const port = await freePort()
  const child = spawn(process.execPath, [join(root, 'bin/potok.mjs'), 'serve'], {
    cwd: root, env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'silent', MONGODB_URI: env.MONGODB_URI ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let output = ''
  child.stdout!.on('data', (chunk) => { output += chunk })
  child.stderr!.on('data', (chunk) => { output += chunk })
  const base = `http://127.0.0.1:${port}`
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`server exited: ${output}`)
    const ok = await fetch(`${base}/healthz`).then((r) => r.ok, () => false)
    if (ok) return { child, base }
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`server did not start: ${output}`)
}

const ticking = {
  id: 'ticking',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'a', type: 'setVariables', config: { assignments: [{ name: 'ticks', value: '1' }] } },
    { id: 't1', type: 'timer', config: { pause: 'PT0.4S' } },
    { id: 'b', type: 'setVariables', config: { assignments: [{ name: 'ticks', value: 'ticks + 1' }] } },
    { id: 't2', type: 'timer', config: { pause: 'PT0.4S' } },
    { id: 'c', type: 'setVariables', config: { assignments: [{ name: 'ticks', value: 'ticks + 1' }, { name: 'n', value: 'query.n' }] } },
    { id: 'end', type: 'end' },
  ],
  edges: [['start', 'a'], ['a', 't1'], ['t1', 'b'], ['b', 't2'], ['t2', 'c'], ['c', 'end']].map(([from, to]) => ({ from, to })),
  webrequests: [{ urlId: 'ticking', name: 'Ticking' }],
}

describe('crash: SIGKILL mid-way, a new server finishes every process exactly once', () => {
  test('50 asynchronous processes with timers survive a killed server', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'potok-crash-data-'))
    const flowsDir = mkdtempSync(join(tmpdir(), 'potok-crash-flows-'))
    writeFileSync(join(flowsDir, 'ticking.json'), JSON.stringify(ticking))
    const env = { DATA_DIR: dataDir, FLOWS_DIR: flowsDir, POTOK_ADMIN_TOKEN: TOKEN, ASYNC_LEASE_MS: '1500', ASYNC_CONCURRENCY: '16' }

    const first = await startChild(env)
    const ids: string[] = []
    for (let n = 0; n < 50; n++) {
      const response = await fetch(`${first.base}/api/webrequest/ticking?async=true&n=${n}`, { method: 'POST' })
      expect(response.status).toBe(202)
      ids.push(response.headers.get('x-process-id')!)
    }
    await new Promise((r) => setTimeout(r, 600))
    first.child.kill('SIGKILL')
    await new Promise((r) => first.child.once('exit', r))

    const store = await openStore({ dataDir, mongodbUri: '' })
    const before = await store.listProcesses({ limit: 100 })
    expect(before.items.length).toBe(50)
    expect(before.items.filter((p) => p.status === 'completed').length).toBeLessThan(50)
    expect(before.items.some((p) => p.status === 'running')).toBe(true)
    await store.close()

    const second = await startChild(env)
    const deadline = Date.now() + 30_000
    let records: any[] = []
    for (;;) {
      const page = await (await fetch(`${second.base}/api/v1/processes?limit=100`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()
      records = page.items
      if (records.every((p) => p.status === 'completed') || Date.now() > deadline) break
      await new Promise((r) => setTimeout(r, 200))
    }
    expect(records.map((p) => p.status)).toEqual(Array(50).fill('completed'))
    expect(new Set(records.map((p) => p.id))).toEqual(new Set(ids))
    for (const id of ids) {
      const p = await (await fetch(`${second.base}/api/v1/processes/${id}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()
      expect(p.output.ticks).toBe(3)
      expect(p.steps.filter((s: { nodeId: string }) => s.nodeId === 'end')).toHaveLength(1)
      expect(p.steps.map((s: { index: number }) => s.index)).toEqual(p.steps.map((_: unknown, i: number) => i))
      expect(p.lease).toBeNull()
    }
    second.child.kill('SIGTERM')
  }, 90_000)
})
