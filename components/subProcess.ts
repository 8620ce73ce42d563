import { z } from 'zod'
import { PotokError } from '../runtime/errors.ts'
import type { Component, Variables, VariableWrite } from '../runtime/types.ts'
import { applyWrites } from '../runtime/variables.ts'
import { expr, variablePath } from './schema.ts'

const config = z
  .object({
    scenario: expr,
    // the list of `{ name, value }`, or (beyond it) one expression giving the whole input object.
    inputs: z.union([z.array(z.object({ name: variablePath, value: expr }).strict()), expr]).optional(),
    mode: z.enum(['sync', 'async']).default('sync'),
    resultTo: variablePath.optional(),
    processIdTo: variablePath.optional(),
  })
  .strict()
  .refine((c) => c.mode === 'sync' || c.resultTo === undefined, { message: 'an async sub-process has no result to wait for; use processIdTo', path: ['resultTo'] })
export type SubProcessConfig = z.infer<typeof config>

function expressions(c: SubProcessConfig) {
  const list: Array<{ path: Array<string | number>; source: string }> = [{ path: ['scenario'], source: c.scenario }]
  if (typeof c.inputs === 'string') list.push({ path: ['inputs'], source: c.inputs })
  else c.inputs?.forEach((input, i) => list.push({ path: ['inputs', i, 'value'], source: input.value }))
  return list
}

/**
 * Запуск процесса: runs another scenario as a child process (a stored process with `parentId`).
 * `sync` waits for it — its variables go to `resultTo`, and a failed or interrupted child is an
 * error of this node (SUBPROCESS_FAILED); an asynchronous (durable) parent waits parked, holding
 * no slot, and is woken when the child ends; `async` returns at once with the child's id. Nesting
 * deeper than MAX_SUBPROCESS_DEPTH fails with SUBPROCESS_DEPTH.
 */
export const subProcess: Component<SubProcessConfig> = {
  type: 'subProcess',
  displayName: { ru: 'Запуск процесса', en: 'Sub-process' },
  kind: 'async',
  group: 'actions',
  config,
  expressions,
  run: async (ctx) => {
    const c = ctx.config
    const startChild = ctx.services.startChild
    if (!startChild) throw new PotokError('SUBPROCESS_UNAVAILABLE', 'sub-processes cannot be started here: the host provides no child process service')
    const [scenarioId, ...values] = ctx.evaluateAll(expressions(c).map((e) => e.source))
    if (typeof scenarioId !== 'string' || !scenarioId) {
      throw new PotokError('SUBPROCESS_NOT_FOUND', `scenario must evaluate to a scenario id (a non-empty string), not ${scenarioId === null ? 'null' : typeof scenarioId}`)
    }
    // A durable parent does not wait for a sync child in memory: the child runs as a process of
    // its own and this node runs again, finding it by the step's key, once it has ended.
    const park = c.mode === 'sync' && ctx.park ? { key: `${ctx.nodeId}:${ctx.step}` } : undefined
    const result = await startChild({ scenarioId, input: childInput(c, values), mode: c.mode, parent: ctx.process, ...(park ? { park } : {}) }, ctx.signal)
    if (result.waiting && ctx.park) return ctx.park({ processId: result.processId })
    const writes: VariableWrite[] = []
    if (c.processIdTo) writes.push({ path: c.processIdTo, value: result.processId })
    if (c.resultTo) writes.push({ path: c.resultTo, value: result.output ?? {} })
    return writes
  },
}

function childInput(c: SubProcessConfig, values: unknown[]): Variables {
  if (typeof c.inputs === 'string') {
    const [input] = values
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new PotokError('SUBPROCESS_INPUT', `inputs must evaluate to an object of variables, not ${Array.isArray(input) ? 'a list' : input === null ? 'null' : typeof input}`)
    }
    return input as Variables
  }
  return applyWrites(
    {},
    (c.inputs ?? []).map((input, i) => ({ path: input.name, value: values[i] })),
  ).vars
}
