/**
 * JSONPath for `parser`: RFC 9535 (`jsonpath-rfc9535`, no script evaluation). Its `match()` and
 * `search()` functions run JavaScript's backtracking regexps, which a hostile pattern can make
 * take forever, so queries calling them are refused at validation.
 */
import { query as runQuery, type JsonValue } from 'jsonpath-rfc9535'
import parseJsonPath from 'jsonpath-rfc9535/parser'
import { PotokError } from '../../runtime/errors.ts'

const SAFE_FUNCTIONS = new Set(['length', 'count', 'value'])

/** Why `query` cannot be used (for validation), or null. */
export function jsonPathProblem(query: string): { path: 'query'; message: string } | null {
  let ast: unknown
  try {
    ast = parseJsonPath(query)
  } catch (error) {
    return { path: 'query', message: `JSONPath does not parse: ${(error as Error).message}` }
  }
  const called = functionNames(ast).find((name) => !SAFE_FUNCTIONS.has(name))
  if (called === undefined) return null
  const message =
    called === 'match' || called === 'search'
      ? `JSONPath function ${called}() is not supported (its regular expressions could hang the server); select the values here and match them with a second parser node using method "regex"`
      : `JSONPath function ${called}() does not exist (available: length, count, value)`
  return { path: 'query', message }
}

/**
 * Every value `query` selects in `data` (an object, a list, or JSON text).
 * @example jsonPathMatches('$.a[*].b', { a: [{ b: 1 }, { b: 2 }] }) // [1, 2]
 */
export function jsonPathMatches(query: string, data: unknown): unknown[] {
  let document = data
  if (typeof data === 'string') {
    try {
      document = JSON.parse(data)
    } catch {
      throw new PotokError('PARSER_ERROR', 'data is a string that is not JSON; a JSONPath query needs an object, a list or JSON text')
    }
  }
  try {
    return runQuery(document as JsonValue, query)
  } catch (error) {
    throw new PotokError('PARSER_ERROR', `JSONPath query failed: ${(error as Error).message}`)
  }
}

function functionNames(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(functionNames)
  if (typeof node !== 'object' || node === null) return []
  const own = (node as { type?: unknown }).type === 'FunctionExpr' ? [String((node as { name: unknown }).name)] : []
  return [...own, ...Object.values(node).flatMap(functionNames)]
}
