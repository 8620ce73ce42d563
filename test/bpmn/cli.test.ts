/** `potok import` and `potok export`, run as the user runs them: `node bin/potok.mjs …`. */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { canonicalScenario } from '../../bpmn/canonical.ts'
import { parseXml } from '../../bpmn/parse.ts'

const root = fileURLToPath(new URL('../../', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'potok-bpmn-cli-'))

function potok(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, 'bin/potok.mjs'), ...args], { cwd: root, timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr })
    })
  })
}

describe('potok import', () => {
  it('prints the scenario JSON, the report on stderr, exit 0 when everything mapped', async () => {
    const result = await potok('import', 'test/bpmn/fixtures/tilda-form.bpmn')
    expect(result.code).toBe(0)
    const scenario = JSON.parse(result.stdout)
    expect(scenario.id).toBe('tilda-form') // Bpium's Process_1 gives way to the file's name
    expect(scenario.nodes.map((n: { type: string }) => n.type)).toEqual(['start', 'setVariables', 'webRequest', 'setVariables', 'end'])
    expect(result.stderr).toContain('warning: ServiceTask_0lead01: the row for "lead.unused" has no value: left out')
    expect(result.stderr).toContain('ignored: textAnnotation TextAnnotation_0note')
    expect(result.stderr).toContain('scenario "tilda-form": every element mapped; the scenario is valid')
  })

  it('exit 1 naming what could not be mapped, without its parameters; -o writes the file', async () => {
    const out = join(dir, 'unsupported.json')
    const result = await potok('import', 'test/bpmn/fixtures/unsupported.bpmn', '-o', out, '--id', 'mail')
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain('unsupported: ServiceTask_5mail00 «Отправка почты»: connector sendMail')
    expect(result.stderr).not.toContain('connector bpiumAdd') // a data action potok maps (createRecord)
    expect(result.stderr).toContain('invalid: nodes[2].type: unknown component type "bpium:sendMail" (node "ServiceTask_5mail00")')
    const written = readFileSync(out, 'utf8')
    expect(JSON.parse(written).id).toBe('mail')
    for (const text of [result.stderr, written]) expect(text).not.toMatch(/FAKE-SMTP-SECRET|FAKE-API-KEY|robot@example/)
  })

  it('--placeholders gives a valid scenario, still exit 1 (something was not mapped)', async () => {
    const result = await potok('import', 'test/bpmn/fixtures/unsupported.bpmn', '--placeholders')
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('(replaced by a failing placeholder)')
    expect(result.stderr).toContain('2 element(s) not mapped; the scenario is valid')
    const file = join(dir, 'placeholders.json')
    writeFileSync(file, result.stdout)
    expect((await potok('validate', file)).code).toBe(0)
  })

  it('refuses hostile or broken files with exit 2 and a clear message', async () => {
    const evil = join(dir, 'evil.bpmn')
    writeFileSync(evil, '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>')
    const result = await potok('import', evil)
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/evil\.bpmn: the document declares entities in a DOCTYPE/)
    expect((await potok('import', join(dir, 'missing.bpmn'))).stderr).toMatch(/cannot read it \(ENOENT\)/)
  })
})

describe('potok export', () => {
  it('writes BPMN XML on stdout that imports back to the same scenario', async () => {
    const result = await potok('export', 'flows/parallel.json')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<bpmn:definitions /)
    parseXml(result.stdout)
    const file = join(dir, 'parallel.bpmn')
    writeFileSync(file, result.stdout)
    const back = await potok('import', file)
    expect(back.code).toBe(0)
    const flow = JSON.parse(readFileSync(join(root, 'flows/parallel.json'), 'utf8'))
    expect(JSON.parse(back.stdout)).toEqual(canonicalScenario(flow))
  })

  it('-o writes the file; a file that is not a scenario exits 1', async () => {
    const out = join(dir, 'greet.bpmn')
    expect((await potok('export', 'flows/greet.json', '-o', out)).code).toBe(0)
    expect(readFileSync(out, 'utf8')).toContain('<bpmn:process id="greet" name="Greeting" isExecutable="false">')
    const bad = join(dir, 'bad.json')
    writeFileSync(bad, JSON.stringify({ id: 'x', nodes: 'no' }))
    const result = await potok('export', bad)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('nodes')
  })
})
