import { z } from 'zod'
import { PotokError } from '../runtime/errors.ts'
import type { Component } from '../runtime/types.ts'
import { jsonPathMatches, jsonPathProblem } from './parser/jsonPath.ts'
import { regexMatches, regexProblem } from './parser/regex.ts'
import { expr, variablePath } from './schema.ts'

const config = z
  .object({
    data: expr,
    method: z.enum(['jsonpath', 'regex']),
    /** The query as written; or `queryExpression`, an expression giving it at run time (Bpium's «Поисковая строка» may be either). */
    query: z.string().min(1, 'query is empty').optional(),
    queryExpression: expr.optional(),
    group: z.number().int().nonnegative().default(0),
    return: z.enum(['first', 'last', 'all']).default('first'),
    saveTo: variablePath,
  })
  .strict()
  .superRefine((c, issues) => {
    if ((c.query === undefined) === (c.queryExpression === undefined)) {
      issues.addIssue({ code: 'custom', path: ['query'], message: 'give either query or queryExpression' })
      return
    }
    if (c.query === undefined) return
    const problem = queryProblem(c.method, c.query, c.group)
    if (problem) issues.addIssue({ code: 'custom', path: [problem.path], message: problem.message })
  })
export type ParserConfig = z.infer<typeof config>

function queryProblem(method: ParserConfig['method'], query: string, group: number) {
  return method === 'regex' ? regexProblem(query, group) : jsonPathProblem(query)
}

/** A query computed at run time gets the checks a written one gets at validation. */
function computedQuery(method: ParserConfig['method'], value: unknown, group: number): string {
  if (typeof value !== 'string' || !value) throw new PotokError('PARSER_ERROR', `queryExpression must give a non-empty string, not ${value === null ? 'null' : typeof value}`)
  const problem = queryProblem(method, value, group)
  if (problem) throw new PotokError('PARSER_ERROR', `the computed ${problem.path}: ${problem.message}`)
  return value
}

/**
 * Парсер: extracts from `data` with a JSONPath query (RFC 9535) or a regular expression (RE2
 * syntax, linear time: a pathological pattern cannot hang the server; `/pattern/flags` accepted).
 * The query is written (`query`) or computed (`queryExpression`). `return` picks the first
 * match, the last (both `null` when nothing matches), or all of them as a list; for a regex,
 * `group` chooses the capture group.
 */
export const parser: Component<ParserConfig> = {
  type: 'parser',
  displayName: { ru: 'Парсер', en: 'Parser' },
  kind: 'async',
  group: 'data',
  config,
  expressions: (c) => [{ path: ['data'], source: c.data }, ...(c.queryExpression ? [{ path: ['queryExpression'], source: c.queryExpression }] : [])],
  run: async (ctx) => {
    const c = ctx.config
    const [data, computed] = ctx.evaluateAll(c.queryExpression ? [c.data, c.queryExpression] : [c.data])
    const query = c.query ?? computedQuery(c.method, computed, c.group)
    const matches = c.method === 'regex' ? regexMatches(query, data, c.group, c.return) : jsonPathMatches(query, data)
    const value = c.return === 'all' ? matches : ((c.return === 'first' ? matches[0] : matches[matches.length - 1]) ?? null)
    return [{ path: c.saveTo, value }]
  },
}
