/** Issue 11, the command line: bad settings, output piped, import size. */
import { execFile } from 'node:child_process'
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'

const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = join(root, 'bin/potok.mjs')
const dir = mkdtempSync(join(tmpdir(), 'potok-hostile-cli-'))

function potok(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd: root, timeout: 30_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, DATA_DIR: join(dir, 'data'), FLOWS_DIR: join(dir, 'none'), MONGODB_URI: '', LOG_LEVEL: 'silent', ...env } },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr })
      },
    )
  })
}

describe('settings', () => {
  test.each([
    ['PORT', 'abc'],
    ['POTOK_ADMIN_TOKEN', 'short'],
    ['MAX_STEPS', 'lots'],
    ['WEBREQUEST_DENY_PRIVATE', 'ture'],
    ['MAX_SUBPROCESS_DEPTH', '-1'],
    ['ASYNC_CONCURRENCY', '0'],
    ['MAX_PROCESS_DATA_BYTES', '1e3x'],
    ['EXPRESSION_TIMEOUT_MS', 'soon'],
    ['CONVERT_MAX_BYTES', 'big'],
    ['SLICE_MS', '0'],
  ])('serve with %s=%s: one clear line naming it, exit 1', async (name, value) => {
    const result = await potok(['serve'], { PORT: '0', [name]: value })
    expect(result.code).toBe(1)
    const lines = result.stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(new RegExp(`^potok: invalid settings: .*${name}`))
    expect(result.stderr).not.toMatch(/\n\s+at /)
    if (name === 'POTOK_ADMIN_TOKEN') expect(result.stderr).not.toContain(value)
  })

  test('MAX_BODY_BYTES over MAX_PROCESS_DATA_BYTES is refused: a body must fit in the variables', async () => {
    const result = await potok(['serve'], { PORT: '0', MAX_BODY_BYTES: '2000000', MAX_PROCESS_DATA_BYTES: '1000000' })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/MAX_BODY_BYTES: must not exceed MAX_PROCESS_DATA_BYTES/)
  })

  test('potok run applies the validated MAX_STEPS', async () => {
    const file = join(dir, 'loop.json')
    writeFileSync(
      file,
      JSON.stringify({
        id: 'loop',
        nodes: [
          { id: 'start', type: 'start' },
          { id: 'a', type: 'setVariables', config: { assignments: [{ name: 'x', value: '1' }] } },
          { id: 'b', type: 'setVariables', config: { assignments: [{ name: 'y', value: '2' }] } },
          { id: 'end', type: 'end' },
        ],
        edges: [
          { from: 'start', to: 'a' },
          { from: 'a', to: 'b' },
          { from: 'b', to: 'end' },
        ],
      }),
    )
    const limited = await potok(['run', file], { MAX_STEPS: '1' })
    expect(JSON.parse(limited.stdout).error.code).toBe('STEP_LIMIT')
    const bad = await potok(['run', file], { MAX_STEPS: 'lots' })
    expect(bad.code).toBe(1)
    expect(bad.stderr.trim()).toMatch(/^potok: invalid settings: MAX_STEPS/)
  })
})

test('potok run: output over 64 KiB reaches a pipe whole', async () => {
  const file = join(dir, 'big.json')
  writeFileSync(
    file,
    JSON.stringify({
      id: 'big',
      nodes: [
        { id: 'start', type: 'start' },
        { id: 'a', type: 'setVariables', config: { assignments: [{ name: 'big', value: "'x'.repeat(300000)" }] } },
        { id: 'end', type: 'end' },
      ],
      edges: [
        { from: 'start', to: 'a' },
        { from: 'a', to: 'end' },
      ],
    }),
  )
  // A shell pipe, as `potok run … | jq` makes (Node's own child pipes are sockets, which block).
  const piped = await new Promise<{ code: number; stdout: string }>((resolve) => {
    execFile('sh', ['-c', '"$0" "$1" run "$2" | cat', process.execPath, bin, file], { cwd: root, maxBuffer: 8 * 1024 * 1024 }, (error, stdout) => {
      resolve({ code: error ? 1 : 0, stdout })
    })
  })
  expect(piped.code).toBe(0)
  expect(JSON.parse(piped.stdout).output.big).toHaveLength(300000)
}, 30_000)

test('potok import checks the size before reading: a huge or endless file is refused, exit 2', async () => {
  const huge = join(dir, 'huge.bpmn')
  writeFileSync(huge, '')
  truncateSync(huge, 2 * 1024 * 1024 * 1024) // 2 GiB, sparse: reading it whole would fail or take the memory
  const result = await potok(['import', huge])
  expect(result.code).toBe(2)
  expect(result.stderr.trim()).toMatch(/larger than 10485760 bytes/)
  const endless = await potok(['import', '/dev/zero'])
  expect(endless.code).toBe(2)
  expect(endless.stderr.trim()).toMatch(/not a regular file/)
}, 60_000)
