import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { flowNames } from './helpers.ts'

const root = fileURLToPath(new URL('../../', import.meta.url))

function potok(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, 'bin/potok.mjs'), ...args], { cwd: root, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr })
    })
  })
}

const dir = mkdtempSync(join(tmpdir(), 'potok-cli-'))

describe('potok CLI', () => {
  test('validate: every example is valid (exit 0)', async () => {
    const result = await potok('validate', ...flowNames().map((n) => `flows/${n}.json`))
    expect(result.stdout).not.toMatch(/invalid/)
    expect(result.code).toBe(0)
  })

  test('validate: an invalid file lists every problem with file and path (exit 1)', async () => {
    const bad = join(dir, 'bad.json')
    writeFileSync(
      bad,
      JSON.stringify({
        id: 'bad',
        nodes: [
          { id: 's', type: 'start' },
          { id: 'x', type: 'nope' },
        ],
        edges: [{ from: 's', to: 'y' }],
      }),
    )
    const notJson = join(dir, 'broken.json')
    writeFileSync(notJson, '{ nope')
    const result = await potok('validate', 'flows/greet.json', bad, notJson)
    expect(result.code).toBe(1)
    expect(result.stdout).toContain(`${bad}: nodes[1].type: unknown component type "nope"`)
    expect(result.stdout).toContain(`${bad}: edges[0].to:`)
    expect(result.stdout).toContain(`${bad}: nodes: a scenario needs at least one end`)
    expect(result.stdout).toContain(`${notJson}: not valid JSON`)
    expect(result.stdout).toContain('flows/greet.json: valid')
  })

  test('run: prints { status, output, error } and exits 0 when completed', async () => {
    const result = await potok('run', 'flows/greet.json', '--input', '{"body":{"name":"Ada","n":1}}')
    expect(result.code).toBe(0)
    const printed = JSON.parse(result.stdout)
    expect(printed.status).toBe('completed')
    expect(printed.error).toBeNull()
    expect(printed.output.$body).toEqual({ greeting: 'Hello, Ada', next: 2 })
  })

  test('run: --input @file.json, and exit 1 with the error when the process fails', async () => {
    const input = join(dir, 'input.json')
    writeFileSync(input, JSON.stringify({ body: {} }))
    const result = await potok('run', 'flows/greet.json', '--input', `@${input}`)
    expect(result.code).toBe(0)
    const failing = join(dir, 'failing.json')
    writeFileSync(
      failing,
      JSON.stringify({
        id: 'failing',
        nodes: [
          { id: 's', type: 'start' },
          { id: 'v', type: 'setVariables', config: { assignments: [{ name: 'x', value: 'nope.y' }] } },
          { id: 'e', type: 'end' },
        ],
        edges: [
          { from: 's', to: 'v' },
          { from: 'v', to: 'e' },
        ],
      }),
    )
    const failed = await potok('run', failing)
    expect(failed.code).toBe(1)
    expect(JSON.parse(failed.stdout)).toMatchObject({ status: 'failed', error: { code: 'UNDEFINED_VARIABLE', nodeId: 'v' } })
  })

  test('run: bad --input is a clear error', async () => {
    const result = await potok('run', 'flows/greet.json', '--input', '{oops')
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/--input is not valid JSON/)
  })
})
