import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { compileScenario } from '../../runtime/compile.ts'
import { startProcess } from '../../runtime/process.ts'
import { validateScenario } from '../../runtime/scenario.ts'
import { flowNames, loadFlow } from './helpers.ts'

const ids = ['s', 'a', 'b', 'c', 'd', 'g', 'p', 'e', 'f']
const types = ['start', 'end', 'errorEnd', 'setVariables', 'exclusiveGateway', 'parallelGateway', 'timer', 'errorBoundary', 'timeoutBoundary', 'respond', 'bogus']
const expressions = ['1', 'x + 1', "'a' + 1", 'typeof y', '(', 'x.y.z', '{ a: 1 }', '[1, 2,]', 'x > 2', '']

const config = fc.oneof(
  fc.constant(undefined),
  fc.record({ assignments: fc.array(fc.record({ name: fc.constantFrom('x', 'y', 'a.b', '$body', '1x'), value: fc.constantFrom(...expressions) }), { maxLength: 3 }) }),
  fc.record({ pause: fc.constantFrom('PT0.001S', 'PT0S', 'P', 'nope') }),
  fc.record({ after: fc.constantFrom('PT0.001S', 'x') }),
  fc.record({ codeTo: fc.constantFrom('code', 'c.d') }),
  fc.anything({ maxDepth: 2 }),
)

const node = fc.record({ id: fc.constantFrom(...ids), type: fc.constantFrom(...types), config, attachedTo: fc.option(fc.constantFrom(...ids), { nil: undefined }) }, { requiredKeys: ['id', 'type'] })

const edge = fc.record(
  { from: fc.constantFrom(...ids), to: fc.constantFrom(...ids), condition: fc.option(fc.constantFrom(...expressions), { nil: undefined }), default: fc.option(fc.boolean(), { nil: undefined }) },
  { requiredKeys: ['from', 'to'] },
)

const randomScenario = fc.record({ id: fc.constantFrom('r', 'bad id'), nodes: fc.array(node, { maxLength: 9 }), edges: fc.array(edge, { maxLength: 12 }) })

/** A valid example with one random change. */
const mutatedFlow = fc.tuple(fc.constantFrom(...flowNames()), fc.nat(), fc.nat(), fc.constantFrom('dropNode', 'dropEdge', 'retarget', 'retype', 'junk')).map(([name, i, j, how]) => {
  const s = loadFlow(name) as any
  const n = s.nodes.length
  if (how === 'dropNode') s.nodes.splice(i % n, 1)
  if (how === 'dropEdge' && s.edges.length) s.edges.splice(i % s.edges.length, 1)
  if (how === 'retarget' && s.edges.length) s.edges[i % s.edges.length].to = s.nodes[j % n].id
  if (how === 'retype') s.nodes[i % n].type = types[j % types.length]
  if (how === 'junk') s.nodes[i % n].config = { junk: j }
  return s
})

async function check(input: unknown) {
  const result = validateScenario(input)
  if (!result.ok) {
    expect(result.problems.length).toBeGreaterThan(0)
    for (const p of result.problems) expect(typeof p.path === 'string' && typeof p.message === 'string' && p.message.length > 0).toBe(true)
    expect(() => compileScenario(input as any)).toThrow()
    return
  }
  compileScenario(result.scenario)
  const run = await startProcess(result.scenario, { x: 1 }, { timeoutMs: 2000, maxSteps: 300 })
  expect(['completed', 'failed', 'interrupted']).toContain(run.status)
}

describe('random and mutated scenarios never crash or hang the validator, compiler or runner', () => {
  test('random graphs', async () => {
    await fc.assert(fc.asyncProperty(randomScenario, check), { numRuns: 300 })
  })
  test('mutated examples', async () => {
    await fc.assert(fc.asyncProperty(mutatedFlow, check), { numRuns: 200 })
  })
})
