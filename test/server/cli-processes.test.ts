import { execFile } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, test } from 'vitest'
import { ProcessExecutor } from '../../processes/executor.ts'
import { openStore } from '../../store/index.ts'
import type { ProcessStore } from '../../store/port.ts'
import { loadFlow } from '../runtime/helpers.ts'

const root = fileURLToPath(new URL('../../', import.meta.url))
const dataDir = mkdtempSync(join(tmpdir(), 'potok-cli-store-'))

function potok(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, 'bin/potok.mjs'), ...args], { cwd: root, timeout: 30_000, env: { ...process.env, DATA_DIR: dataDir, MONGODB_URI: '' } }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    )
  })
}

let store: ProcessStore
let processId: string
beforeAll(async () => {
  store = await openStore({ dataDir, mongodbUri: '' })
  const version = await store.saveScenario(loadFlow('greet'))
  const executor = new ProcessExecutor(store, { pollMs: 20 })
  executor.start()
  processId = await executor.enqueue({ scenario: version, input: { body: { name: 'Ada', n: 1 } }, trigger: { type: '$manual', async: true } })
  for (let i = 0; i < 200 && (await store.getProcess(processId))?.status !== 'completed'; i++) await new Promise((r) => setTimeout(r, 20))
  await executor.stop()
  await store.close()
})

describe('potok processes / replay', () => {
  test('processes lists the configured store, filtered by status', async () => {
    const all = await potok('processes')
    expect(all.code).toBe(0)
    expect(all.stdout).toContain(processId)
    expect(all.stdout).toMatch(/completed\s+greet@1/)
    const none = await potok('processes', '--status', 'failed')
    expect(none.stdout.trim()).toBe('no processes')
    const bad = await potok('processes', '--status', 'done')
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/unknown status done/)
  })

  test('replay runs the process again and prints the new one', async () => {
    const result = await potok('replay', processId)
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const printed = JSON.parse(result.stdout)
    expect(printed).toMatchObject({ replayOf: processId, status: 'completed', output: { $body: { greeting: 'Hello, Ada', next: 2 } }, error: null })
    expect(printed.processId).not.toBe(processId)
    const listed = await potok('processes', '--json')
    const lines = listed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines.find((p) => p.id === printed.processId)?.replayOf).toBe(processId)
    expect((await potok('replay', 'nope')).stderr).toMatch(/does not exist/)
  })
})
