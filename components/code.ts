import { setTimeout as delay } from 'node:timers/promises'
import { z } from 'zod'
import { PotokError, toPotokError } from '../runtime/errors.ts'
import type { Component } from '../runtime/types.ts'
import { expr, identifier, listExpressions, variablePath } from './schema.ts'

/** Longest a `code` node may run: the sandbox holds the event loop while it runs. */
export const MAX_CODE_TIMEOUT_MS = 30_000

const config = z
  .object({
    inputs: z
      .array(z.object({ name: identifier, value: expr }).strict())
      .default([])
      .refine((list) => new Set(list.map((i) => i.name)).size === list.length, 'input names must be unique'),
    // The sandbox runs only bodies with a return statement; without the word there can be none.
    code: z
      .string()
      .min(1, 'code is empty')
      .regex(/\breturn\b/, 'code must return a value (it has no return statement)'),
    saveTo: variablePath.optional(),
    timeoutMs: z.number().int().positive().max(MAX_CODE_TIMEOUT_MS, `at most ${MAX_CODE_TIMEOUT_MS} ms`).default(5000),
  })
  .strict()
export type CodeConfig = z.infer<typeof config>

/**
 * Код: runs a JavaScript function body in the sandbox. It sees only its `inputs` (evaluated in
 * the process scope) plus `_` and `moment`, must `return`, and is stopped after `timeoutMs`;
 * the returned value (JSON; `undefined` becomes `null`) goes to `saveTo`.
 */
export const code: Component<CodeConfig> = {
  type: 'code',
  displayName: { ru: 'Код', en: 'Code' },
  kind: 'async',
  group: 'actions',
  config,
  expressions: (c) => [
    ...listExpressions('inputs', c.inputs),
    // The body is checked as the function expression it runs as; opening it on the same line
    // keeps the line numbers of syntax errors the designer's own.
    { path: ['code'], source: `(function (${c.inputs.map((i) => i.name).join(', ')}) {${c.code}\n})` },
  ],
  run: async (ctx) => {
    const { inputs, code: body, saveTo, timeoutMs } = ctx.config
    const values = ctx.evaluateAll(inputs.map((input) => input.value))
    const scope = Object.fromEntries(inputs.map((input, i) => [input.name, values[i]]))
    let outcome: { value: unknown } | { error: PotokError }
    try {
      outcome = { value: await ctx.runCode(body, scope, timeoutMs) }
    } catch (error) {
      const { message } = toPotokError(error)
      outcome = { error: new PotokError('CODE_ERROR', message.startsWith('code ') ? message : `code failed: ${message}`, { details: { message } }) }
    }
    // The sandbox held the event loop: let a timeout boundary that expired meanwhile fire first
    // (its timer is due before this one), so it wins over the result as the designer expects.
    await delay(0)
    if (ctx.signal.aborted) throw new PotokError('ABORTED', 'the code node was stopped')
    if ('error' in outcome) throw outcome.error
    return saveTo ? [{ path: saveTo, value: outcome.value ?? null }] : []
  },
}
