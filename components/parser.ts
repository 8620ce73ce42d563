import { z } from 'zod'
import type { Component } from '../runtime/types.ts'
import { jsonPathMatches, jsonPathProblem } from './parser/jsonPath.ts'
import { regexMatches, regexProblem } from './parser/regex.ts'
import { expr, variablePath } from './schema.ts'

const config = z.object({
  data: expr,
  method: z.enum(['jsonpath', 'regex']),
  query: z.string().min(1, 'query is empty'),
  group: z.number().int().nonnegative().default(0),
  return: z.enum(['first', 'last', 'all']).default('first'),
  saveTo: variablePath,
}).strict().superRefine((c, issues) => {
  const problem = c.method === 'regex' ? regexProblem(c.query, c.group) : jsonPathProblem(c.query)
  if (problem) issues.addIssue({ code: 'custom', path: [problem.path], message: problem.message })
})
export type ParserConfig = z.infer<typeof config>

/**
 * Парсер: extracts from `data` with a JSONPath query (RFC 9535) or a regular expression (RE2
 * syntax, linear time: a pathological pattern cannot hang the server). `return` picks the first
 * match, the last (both `null` when nothing matches), or all of them as a list; for a regex,
 * `group` chooses the capture group.
 */
export const parser: Component<ParserConfig> = {
  type: 'parser',
  displayName: { ru: 'Парсер', en: 'Parser' },
  kind: 'async',
  config,
  expressions: (c) => [{ path: ['data'], source: c.data }],
  run: async (ctx) => {
    const c = ctx.config
    const data = ctx.evaluate(c.data)
    const matches = c.method === 'regex' ? regexMatches(c.query, data, c.group, c.return) : jsonPathMatches(c.query, data)
    const value = c.return === 'all' ? matches : (c.return === 'first' ? matches[0] : matches[matches.length - 1]) ?? null
    return [{ path: c.saveTo, value }]
  },
}
