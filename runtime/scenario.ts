/**
 * The scenario document (docs/scenarios.md): its zod schema and `validateScenario`, which reports every
 * problem in one pass — schema, component configs, graph structure and expression syntax —
 * each with its JSON path and a sentence a designer can act on.
 */
import { z } from 'zod'
import { getComponent } from './registry.ts'
import { analyzeGraph } from './graph.ts'
import { expressionSyntaxError } from './sandbox.ts'
import type { Scenario } from './types.ts'

/**
 * Names every object has through its prototype (`__proto__`, `constructor`, `toString`…): as an
 * id they would read or write the prototype wherever ids key an object, so they are refused.
 */
const RESERVED_IDS = new Set(Object.getOwnPropertyNames(Object.prototype))
const id = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'ids are 1 to 64 letters, digits, "_" or "-"')
  .refine((value) => !RESERVED_IDS.has(value), { error: (issue) => `"${issue.input}" is reserved (a property every JavaScript object has); choose another id` })

export const nodeSchema = z
  .object({
    id,
    type: z.string().min(1, 'every node needs a type'),
    name: z.string().optional(),
    documentation: z.string().optional(),
    position: z.object({ x: z.number(), y: z.number() }).strict().optional(),
    attachedTo: z.string().optional(),
    config: z.unknown().optional(),
  })
  .strict()

export const edgeSchema = z
  .object({ id: z.string().optional(), from: z.string(), to: z.string(), name: z.string().optional(), condition: z.string().optional(), default: z.boolean().optional() })
  .strict()

export const scenarioSchema = z
  .object({
    id,
    name: z.string().optional(),
    description: z.string().optional(),
    version: z.number().int().positive().optional(),
    nodes: z.array(nodeSchema).min(1, 'a scenario needs nodes'),
    edges: z.array(edgeSchema),
    /** External requests declared beside a scenario in a flow file (docs/server.md); checked by the server. */
    webrequests: z.array(z.unknown()).optional(),
  })
  .strict()

export interface Problem {
  /** JSON path inside the scenario document, e.g. `nodes[2].config.assignments[0].value`. */
  path: string
  message: string
}

export type Validation = { ok: true; scenario: Scenario; problems: [] } | { ok: false; problems: Problem[] }

/** Formats a path array the way designers read it: `nodes[2].config.value`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = ''
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`
    else out += out ? `.${String(key)}` : String(key)
  }
  return out || '(root)'
}

function zodProblems(error: z.ZodError, prefix: ReadonlyArray<PropertyKey> = []): Problem[] {
  return error.issues.map((issue) => ({ path: formatPath([...prefix, ...issue.path]), message: issue.message }))
}

/**
 * Validates a scenario document; never throws, whatever the input. A problem with the document
 * itself (its id, an unknown key) does not hide the others: nodes, edges, expressions and the
 * graph are checked all the same, as far as their own shape allows.
 */
export function validateScenario(input: unknown): Validation {
  const parsed = scenarioSchema.safeParse(input)
  if (parsed.success) return validateParts(parsed.data as Scenario, [])
  const problems = zodProblems(parsed.error)
  const document = typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : null
  if (!document || !Array.isArray(document.nodes) || !Array.isArray(document.edges)) return { ok: false, problems }
  // The parts whose own shape is right are checked further; the shape problems are listed already.
  const nodes = document.nodes.map((node) => nodeSchema.safeParse(node))
  const edges = document.edges.map((edge) => edgeSchema.safeParse(edge))
  const whole = nodes.length > 0 && nodes.every((n) => n.success) && edges.every((e) => e.success)
  const partial = { id: String(document.id), nodes: nodes.map((n) => (n.success ? n.data : null)), edges: edges.map((e) => (e.success ? e.data : null)) } as unknown as Scenario
  const more = validateParts(partial, problems, whole)
  return { ok: false, problems: more.problems }
}

function validateParts(scenario: Scenario, problems: Problem[], graph = true): Validation {
  scenario.nodes.forEach((node, index) => {
    if (!node) return
    const component = getComponent(node.type)
    if (!component) {
      problems.push({ path: `nodes[${index}].type`, message: `unknown component type "${node.type}" (node "${node.id}")` })
      return
    }
    const config = component.config.safeParse(node.config)
    if (!config.success) {
      problems.push(...zodProblems(config.error, ['nodes', index, 'config']))
      return
    }
    node.config = config.data
    for (const { path, source } of component.expressions?.(config.data) ?? []) {
      const message = expressionSyntaxError(source)
      if (message) problems.push({ path: formatPath(['nodes', index, 'config', ...path]), message: `expression does not parse: ${message}` })
    }
  })
  scenario.edges.forEach((edge, index) => {
    if (!edge || edge.condition === undefined) return
    const message = expressionSyntaxError(edge.condition)
    if (message) problems.push({ path: `edges[${index}].condition`, message: `condition does not parse: ${message}` })
  })

  if (graph) problems.push(...analyzeGraph(scenario).problems)
  return problems.length ? { ok: false, problems } : { ok: true, scenario, problems: [] }
}
