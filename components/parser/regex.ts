/**
 * Regular expressions for `parser`, on RE2 (`re2js`): matching takes time linear in the text, so
 * a pattern such as `(a+)+$` cannot hang the server. The price is RE2's syntax: no lookarounds
 * and no backreferences; such patterns are refused when the scenario is validated.
 */
import { RE2JS } from 're2js'
import { PotokError } from '../../runtime/errors.ts'

export type Pick = 'first' | 'last' | 'all'

const FLAGS: Record<string, number> = { i: RE2JS.CASE_INSENSITIVE, m: RE2JS.MULTILINE, s: RE2JS.DOTALL, g: 0, u: 0 }

/**
 * A query as RE2: a bare pattern, or JavaScript's `/pattern/flags` notation as Bpium's
 * documentation writes it (`"/№(\d+)/"`). Flags `i`, `m`, `s` apply; `g` and `u` change nothing
 * (`return` chooses first, last or all; matching is by code point anyway).
 */
function compile(query: string): RE2JS {
  const literal = /^\/([\s\S]*)\/([A-Za-z]*)$/.exec(query)
  if (!literal || query.length < 2) return RE2JS.compile(query)
  let flags = 0
  for (const flag of literal[2]!) {
    if (!(flag in FLAGS)) throw new Error(`flag "${flag}" is not supported (i, m, s, g, u are)`)
    flags |= FLAGS[flag]!
  }
  return RE2JS.compile(literal[1]!, flags)
}

/** Why `query` cannot be used (for validation), or null. */
export function regexProblem(query: string, group: number): { path: 'query' | 'group'; message: string } | null {
  let pattern: RE2JS
  try {
    pattern = compile(query)
  } catch (error) {
    return { path: 'query', message: `regular expression does not compile: ${(error as Error).message} (RE2 syntax: lookarounds and backreferences are not supported)` }
  }
  if (group > pattern.groupCount()) {
    return { path: 'group', message: `group ${group} does not exist: the expression has ${pattern.groupCount()} capture group(s)` }
  }
  return null
}

/**
 * The text of capture `group` of each match (`first`: at most one); a group that took no part is null.
 * @example regexMatches('id=(\\d+)', 'id=1 id=22', 1, 'all') // ['1', '22']
 */
export function regexMatches(query: string, data: unknown, group: number, pick: Pick): Array<string | null> {
  if (typeof data !== 'string' && typeof data !== 'number' && typeof data !== 'boolean') {
    throw new PotokError('PARSER_ERROR', `a regular expression needs text to search, but data is ${describe(data)}`)
  }
  let pattern: RE2JS
  try {
    pattern = compile(query)
  } catch (error) {
    throw new PotokError('PARSER_ERROR', `regular expression does not compile: ${(error as Error).message}`)
  }
  const text = String(data)
  if (pick === 'first') {
    const match = pattern.exec(text)
    return match ? [match[group] ?? null] : []
  }
  return [...pattern.matchAll(text)].map((match) => match[group] ?? null)
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  return typeof value === 'object' ? 'an object' : String(typeof value)
}
