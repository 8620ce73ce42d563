/**
 * The project explains itself: no file cites a contract kept outside the repository, and every
 * link in the docs leads somewhere. Fails naming each file, line and what it points at.
 *
 * - No tracked file (but node_modules, dist and lockfiles) names the outside contract or a path
 *   outside the checkout: the rules are stated in `docs/`, in the project's own words.
 * - Every relative link in `README.md` and `docs/*.md` points at a file of the repository, and
 *   an `#anchor` at a heading of that file.
 * - Every `docs/<page>.md` named anywhere (comments cite pages that way) exists, and every page
 *   is linked from the README.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** The repository's files: tracked ones and new ones not ignored (so a file is checked before its commit). */
function repositoryFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' })
  return [...new Set(out.split('\0').filter(Boolean))]
    .filter((file) => !/(^|\/)(node_modules|dist)\//.test(file) && !/(^|\/)(package-lock\.json|pnpm-lock\.yaml|yarn\.lock)$/.test(file))
    .filter((file) => existsSync(join(ROOT, file)) && statSync(join(ROOT, file)).isFile())
}

function textOf(file: string): string | null {
  const bytes = readFileSync(join(ROOT, file))
  return bytes.includes(0) ? null : bytes.toString('utf8') // binary fixtures (xlsx…) are not text
}

// Written in pieces so that this file does not match itself.
const OUTSIDE: Array<[RegExp, string]> = [
  [new RegExp(`SPEC ${'§'}`), 'cites the outside contract by section: say the rule, or link the docs page'],
  [new RegExp(`SPEC${'\\.'}md`), 'names the outside contract file'],
  // A bare section number ("the section-6 body") cites the same contract; an RFC's sections are fine.
  [new RegExp(`(?<!(RFC|SPEC) \\d+ )${'§'} ?\\d`), 'cites a section of the outside contract: say the rule, or link the docs page'],
  [new RegExp(`\\.\\./${'shared'}/`), 'points outside the repository'],
  [new RegExp(`/work/${'shared'}`), 'points outside the repository'],
  [new RegExp(`${'spec'}/(bpium-bpmn|webrequest\\.ru)\\.md`), 'names a file beside the outside contract'],
]

interface Finding {
  file: string
  line: number
  text: string
  why: string
}

function scan(files: string[], rules: Array<[RegExp, string]>): Finding[] {
  const found: Finding[] = []
  for (const file of files) {
    const text = textOf(file)
    if (text === null) continue
    text.split('\n').forEach((line, index) => {
      for (const [pattern, why] of rules) if (pattern.test(line)) found.push({ file, line: index + 1, text: line.trim().slice(0, 160), why })
    })
  }
  return found
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>()
  const seen = new Map<string, number>()
  for (const line of withoutCode(markdown).split('\n')) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)
    if (!heading) continue
    const base = heading[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-')
    const count = seen.get(base) ?? 0
    seen.set(base, count + 1)
    anchors.add(count ? `${base}-${count}` : base)
  }
  return anchors
}

/** The markdown without fenced code blocks and inline code (links shown as code are not links). */
function withoutCode(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, (block) => block.replace(/[^\n]/g, ' '))
}

function linksOf(markdown: string): Array<{ target: string; line: number }> {
  const links: Array<{ target: string; line: number }> = []
  withoutCode(markdown)
    .split('\n')
    .forEach((line, index) => {
      const plain = line.replace(/`[^`]*`/g, (code) => ' '.repeat(code.length))
      for (const m of plain.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ target: m[1]!, line: index + 1 })
    })
  return links
}

function brokenLinks(file: string): Finding[] {
  const found: Finding[] = []
  const source = readFileSync(join(ROOT, file), 'utf8')
  for (const { target, line } of linksOf(source)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue // https:, mailto:…
    const [path, anchor] = target.split('#') as [string, string | undefined]
    const resolved = path ? resolve(ROOT, dirname(file), decodeURIComponent(path)) : join(ROOT, file)
    const inside = resolved === ROOT.replace(/[\\/]$/, '') || resolved.startsWith(ROOT.endsWith(sep) ? ROOT : ROOT + sep)
    if (!inside) {
      found.push({ file, line, text: target, why: 'leads outside the repository' })
      continue
    }
    if (!existsSync(resolved)) {
      found.push({ file, line, text: target, why: `${relative(ROOT, resolved)} does not exist` })
      continue
    }
    if (anchor && resolved.endsWith('.md') && !anchorsOf(readFileSync(resolved, 'utf8')).has(anchor.toLowerCase())) {
      found.push({ file, line, text: target, why: `${relative(ROOT, resolved)} has no heading #${anchor}` })
    }
  }
  return found
}

const report = (findings: Finding[]) => findings.map((f) => `${f.file}:${f.line}: ${f.why}: ${f.text}`)

describe('docs references', () => {
  const files = repositoryFiles()

  test('the repository is scanned (README, docs, sources, tests)', () => {
    expect(files).toEqual(expect.arrayContaining(['README.md', 'docs/server.md', 'runtime/index.ts', 'test/docs/references.test.ts']))
  })

  test('no file cites the outside contract or a path outside the repository', () => {
    expect(report(scan(files, OUTSIDE))).toEqual([])
  })

  test('every relative link in README.md and docs/*.md leads to an existing file (and heading)', () => {
    const pages = [
      'README.md',
      ...readdirSync(join(ROOT, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => `docs/${f}`),
    ]
    expect(report(pages.flatMap(brokenLinks))).toEqual([])
  })

  test('every docs page named in the sources, tests and docs exists', () => {
    const missing: Finding[] = []
    for (const file of files) {
      const text = textOf(file)
      if (text === null) continue
      text.split('\n').forEach((line, index) => {
        for (const m of line.matchAll(/\bdocs\/([\w.-]+\.md)\b/g)) {
          if (!existsSync(join(ROOT, 'docs', m[1]!))) missing.push({ file, line: index + 1, text: m[0], why: 'no such docs page' })
        }
      })
    }
    expect(report(missing)).toEqual([])
  })

  test('every docs page is linked from the README, so a newcomer finds it', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const pages = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md'))
    expect(pages.filter((page) => !linksOf(readme).some((l) => l.target.split('#')[0] === `docs/${page}`))).toEqual([])
  })

  // The checks themselves: each catches what it is meant to catch.
  test('the checks catch a contract citation, an outside path, a broken link and a missing heading', () => {
    const cited = `see SPEC ${'§'}3 and ../${'shared'}/x`
    expect(OUTSIDE.filter(([pattern]) => pattern.test(cited))).toHaveLength(3)
    expect(OUTSIDE.filter(([pattern]) => pattern.test(`answers with the ${'§'}6 body`))).toHaveLength(1)
    expect(OUTSIDE.filter(([pattern]) => pattern.test(`RFC 6265 ${'§'}5.2: a pair`))).toHaveLength(0)
    const markdown = '# One `two`: three\n\n```sh\n[x](nowhere.md)\n```\n[a](server.md#one-two-three) [b](#missing) `[c](skipped.md)`\n'
    expect(anchorsOf(markdown)).toEqual(new Set(['one-two-three']))
    expect(linksOf(markdown).map((l) => l.target)).toEqual(['server.md#one-two-three', '#missing'])
  })
})
