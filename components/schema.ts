/** zod pieces shared by component configs (`expr`, `path`, duration; docs/scenarios.md). */
import { z } from 'zod'
import { durationError } from '../runtime/duration.ts'

/** A JavaScript expression evaluated in the sandbox (docs/scenarios.md). Syntax is checked at validation. */
export const expr = z.string().min(1, 'expression is empty').meta({ format: 'expression' })

/** A variable name or dotted path (`a.b.c`), not an expression. */
export const variablePath = z.string().regex(/^[\p{L}_$][\p{L}\p{N}_$]*(\.[\p{L}\p{N}_$]+)*$/u, 'must be a variable name or a dotted path such as order.total')

/** A JavaScript identifier (inputs of `code`). */
export const identifier = z.string().regex(/^[\p{L}_$][\p{L}\p{N}_$]*$/u, 'must be a JavaScript identifier')

/** An ISO 8601 duration such as PT10S. */
export const isoDuration = z.string().superRefine((value, ctx) => {
  const problem = durationError(value)
  if (problem) ctx.addIssue({ code: 'custom', message: problem })
})

/** An ordered `name = expression` list. */
export const namedExpressions = z.array(z.object({ name: z.string().min(1), value: expr }).strict())

export const noConfig = z.object({}).strict().optional()

/** The expressions of a `namedExpressions` list under `key`, with their config paths. */
export function listExpressions(key: string, list: ReadonlyArray<{ value: string }> | undefined) {
  return (list ?? []).map((item, index) => ({ path: [key, index, 'value'], source: item.value }))
}
