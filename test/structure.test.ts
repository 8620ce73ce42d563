/**
 * The layers import only downward (cli/server → processes/bpmn → components/store → runtime),
 * and the server and the CLI use the engine only through its public `runtime/index.ts`. A new
 * import that breaks this fails here, naming the file and what it imports.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** What each layer may import (besides packages and itself). */
const ALLOWED: Record<string, string[]> = {
  runtime: [],
  components: ['runtime'],
  store: ['runtime'],
  processes: ['runtime', 'components', 'store'],
  bpmn: ['runtime', 'components'],
  server: ['runtime', 'components', 'store', 'processes', 'bpmn'],
  cli: ['runtime', 'components', 'store', 'processes', 'bpmn', 'server'],
}

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|mjs)$/.test(entry.name))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)))
}

function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8')
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)import\s+['"]([^'"]+)['"]/g)].map(
    (m) => m[1] ?? m[2] ?? m[3]!,
  )
  return specifiers.filter((s) => s.startsWith('.')).map((s) => relative(ROOT, resolve(ROOT, dirname(file), s)))
}

describe('structure', () => {
  for (const [layer, allowed] of Object.entries(ALLOWED)) {
    test(`${layer}/ imports only ${allowed.length ? allowed.join(', ') : 'itself'}`, () => {
      const wrong: string[] = []
      for (const file of sources(layer)) {
        for (const target of importsOf(file)) {
          const top = target.split('/')[0]!
          if (top !== layer && !allowed.includes(top)) wrong.push(`${file} → ${target}`)
          if ((layer === 'server' || layer === 'cli') && top === 'runtime' && target !== 'runtime/index.ts') {
            wrong.push(`${file} → ${target} (use runtime/index.ts)`)
          }
        }
      }
      expect(wrong).toEqual([])
    })
  }

  test('the import scan sees imports (it would catch one)', () => {
    expect(importsOf('server/serve.ts')).toContain('runtime/index.ts')
    expect(importsOf('cli/main.ts')).toContain('components/index.ts')
  })
})
