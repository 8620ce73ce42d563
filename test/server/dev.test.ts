/**
 * `potok dev`, run as a user runs it: the console and the endpoints on listhen, the addresses
 * printed, and a scenario file saved in FLOWS_DIR serving as a new version without a restart —
 * while a broken save is reported and the previous version keeps serving.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, expect, test } from 'vitest'

const root = fileURLToPath(new URL('../../', import.meta.url))
const TOKEN = 'dev-test-token-0123456789'
const children: ChildProcess[] = []
afterAll(() => {
  for (const child of children) child.kill('SIGKILL')
})

function startDev(env: Record<string, string>) {
  const child = spawn(process.execPath, [join(root, 'bin/potok.mjs'), 'dev', '--port', '0'], {
    cwd: root,
    env: { ...process.env, ...env, HOST: '127.0.0.1', POTOK_ADMIN_TOKEN: TOKEN, MONGODB_URI: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  const output = { out: '', err: '' }
  child.stdout!.on('data', (chunk) => {
    output.out += chunk
  })
  child.stderr!.on('data', (chunk) => {
    output.err += chunk
  })
  return { child, output }
}

async function until<T>(what: string, probe: () => T | undefined | false, output: { out: string; err: string }, ms = 20_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const value = probe()
    if (value) return value
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; stdout: ${output.out} stderr: ${output.err}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

test('serves the flows, prints the addresses, and reloads a saved scenario file as a new version', async () => {
  const flowsDir = mkdtempSync(join(tmpdir(), 'potok-dev-flows-'))
  const dataDir = mkdtempSync(join(tmpdir(), 'potok-dev-data-'))
  const greet = JSON.parse(readFileSync(join(root, 'flows/greet.json'), 'utf8'))
  writeFileSync(join(flowsDir, 'greet.json'), JSON.stringify(greet, null, 2))
  const { output } = startDev({ FLOWS_DIR: flowsDir, DATA_DIR: dataDir })

  const base = await until('the console address', () => /console:\s+(http:\/\/\S+\/)/.exec(output.out)?.[1], output)
  expect(output.out).toContain(`${base}api/webrequest/greet`)
  expect(output.out).toContain(`watching:   ${flowsDir}`)
  const first = await fetch(`${base}api/webrequest/greet`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"Ada","n":1}' })
  expect(first.status).toBe(201)
  expect((await fetch(base)).headers.get('content-type')).toContain('text/html')

  // Saved with another status: the next request runs the new version.
  greet.nodes.find((n: { id: string }) => n.id === 'vars').config.assignments[0].value = '202'
  writeFileSync(join(flowsDir, 'greet.json'), JSON.stringify(greet, null, 2))
  await until('the reload line', () => /reloaded greet \(version 2\)/.test(output.out), output)
  const second = await fetch(`${base}api/webrequest/greet`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"Ada","n":1}' })
  expect(second.status).toBe(202)
  const versions = await fetch(`${base}api/v1/scenarios/greet/versions`, { headers: { authorization: `Bearer ${TOKEN}` } }).then((r) => r.json())
  expect(versions.items.map((v: { version: number }) => v.version).sort()).toEqual([1, 2])

  // A broken save is reported; version 2 keeps serving.
  writeFileSync(join(flowsDir, 'greet.json'), '{ "id": "greet", "nodes": [')
  await until('the problem report', () => /not valid JSON/.test(output.err), output)
  expect(output.err).toContain('previous versions keep serving')
  const third = await fetch(`${base}api/webrequest/greet`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"Ada","n":1}' })
  expect(third.status).toBe(202)
}, 60_000)
