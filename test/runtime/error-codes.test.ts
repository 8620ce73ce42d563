/**
 * The error catalogue (runtime/error-codes.ts) is the one place an error code gets its HTTP
 * status. These tests read the source: every code potok throws is in the catalogue, no throw
 * site chooses its own status, no catalogue entry is stale, and docs/errors.md is the catalogue.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, test } from 'vitest'
import { ERROR_CODES, errorCodeEntry, PotokError, statusOf, toPotokError } from '../../runtime/index.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const LAYERS = ['runtime', 'components', 'store', 'processes', 'bpmn', 'server', 'cli']
const CATALOGUE = 'runtime/error-codes.ts'

function sources(): Array<{ file: string; text: string }> {
  return LAYERS.flatMap((dir) =>
    readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
      .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name) && !entry.parentPath.includes('node_modules'))
      .map((entry) => relative(ROOT, join(entry.parentPath, entry.name))),
  ).map((file) => ({ file, text: readFileSync(join(ROOT, file), 'utf8') }))
}

interface ThrowSite {
  at: string
  code?: string
  passesStatus: boolean
}

/** Every `new PotokError(…)`: its code when written as a literal, and whether it passes `status`. */
function throwSites(file: string, text: string): ThrowSite[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const sites: ThrowSite[] = []
  const visit = (node: ts.Node): void => {
    if (ts.isNewExpression(node) && node.expression.getText(source) === 'PotokError') {
      const [code, , options] = node.arguments ?? []
      const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1
      const passesStatus = !!options && (!ts.isObjectLiteralExpression(options) || options.properties.some((p) => p.name?.getText(source) === 'status' || ts.isSpreadAssignment(p)))
      sites.push({ at: `${file}:${line}`, ...(code && ts.isStringLiteralLike(code) ? { code: code.text } : {}), passesStatus })
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return sites
}

const files = sources()
const sites = files.flatMap(({ file, text }) => throwSites(file, text))

describe('the error catalogue', () => {
  test('the scan sees the throw sites (it would catch a missing code)', () => {
    expect(sites.length).toBeGreaterThan(200)
    expect(sites.filter((s) => s.code === 'NOT_FOUND').length).toBeGreaterThan(5)
    const invented = throwSites('x.ts', "throw new PotokError('NO_SUCH_CODE_ANYWHERE', 'm', { status: 418 })")
    expect(invented).toEqual([{ at: 'x.ts:1', code: 'NO_SUCH_CODE_ANYWHERE', passesStatus: true }])
  })

  test('every code thrown in the source is in the catalogue', () => {
    const literal = sites.filter((s) => s.code !== undefined && !errorCodeEntry(s.code)).map((s) => `${s.at} ${s.code}`)
    // Error objects written out (a process's recorded error, a watchdog's verdict) too.
    const written = files.flatMap(({ file, text }) => [...text.matchAll(/\{\s*code:\s*['"]([A-Z][A-Z0-9_]*)['"],\s*message:/g)].filter((m) => !errorCodeEntry(m[1]!)).map((m) => `${file} ${m[1]}`))
    expect([...literal, ...written]).toEqual([])
  })

  test('no throw site chooses its own status: only relayed ones pass it on', () => {
    // A site passes a status only when it relays someone else's answer: a code it did not
    // choose (a failed process's, h3's, the worker's) or a code the catalogue marks relayed.
    const own = sites.filter((s) => s.passesStatus && s.code !== undefined && !errorCodeEntry(s.code)?.relayed)
    expect(own.map((s) => `${s.at} ${s.code}`)).toEqual([])
  })

  test('every catalogue code is produced somewhere (no stale entry)', () => {
    const elsewhere = files
      .filter(({ file }) => file !== CATALOGUE)
      .map(({ text }) => text)
      .join('\n')
    const stale = Object.keys(ERROR_CODES).filter((code) => !elsewhere.includes(`'${code}'`) && !elsewhere.includes(`"${code}"`))
    expect(stale).toEqual([])
  })

  test('entries are SCREAMING_SNAKE codes with an error status and a one-line meaning', () => {
    for (const [code, entry] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]*$/)
      expect(Number.isInteger(entry.status) && entry.status >= 400 && entry.status <= 599, code).toBe(true)
      expect(entry.meaning, code).toMatch(/^[A-Z$].{10,200}$/)
      expect(entry.meaning, code).not.toMatch(/\n|\|/)
    }
  })

  test('a PotokError takes its status from its code; a code not in the catalogue is 500', () => {
    expect(new PotokError('NOT_FOUND', 'gone').status).toBe(404)
    expect(new PotokError('STORE_FULL', 'full').status).toBe(507)
    expect(new PotokError('TIMEOUT', 'late').status).toBe(504)
    expect(new PotokError('MY_SCENARIOS_OWN_CODE', 'custom').status).toBe(500)
    expect(statusOf('toString')).toBe(500)
    expect(statusOf('constructor')).toBe(500)
    expect(new PotokError('RECORD_CHANGE_REFUSED', 'no', { status: 409 }).status).toBe(409)
  })

  test('a foreign error keeps its code but answers 500, whatever the code', () => {
    expect(toPotokError(Object.assign(new Error('from a library'), { code: 'NOT_FOUND' }))).toMatchObject({ code: 'NOT_FOUND', status: 500 })
    expect(toPotokError(new Error('plain'))).toMatchObject({ code: 'ACTIVITY_ERROR', status: 500 })
  })
})

describe('docs/errors.md', () => {
  const doc = readFileSync(join(ROOT, 'docs/errors.md'), 'utf8')

  test('its table is the catalogue, row for row', () => {
    const rows = doc.split('\n').filter((line) => /^\| `[A-Z]/.test(line))
    const expected = Object.entries(ERROR_CODES).map(([code, entry]) => {
      const relayed = (entry as { relayed?: string }).relayed
      return `| \`${code}\` | ${relayed ? `${relayed}, else ${entry.status}` : entry.status} | ${entry.meaning} |`
    })
    // On a difference, paste the expected rows into docs/errors.md.
    expect(rows).toEqual(expected)
  })
})
