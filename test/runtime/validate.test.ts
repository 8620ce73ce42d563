import { describe, expect, test } from 'vitest'
import { validateScenario } from '../../runtime/scenario.ts'
import { flowNames, loadFlow, scenario, set } from './helpers.ts'

const problemsOf = (input: unknown) => {
  const result = validateScenario(input)
  return result.ok ? [] : result.problems
}
const expectProblem = (input: unknown, path: string, message: RegExp) => {
  expect(problemsOf(input)).toContainEqual({ path, message: expect.stringMatching(message) })
}

describe('validateScenario', () => {
  test.each(flowNames())('flows/%s.json is valid', (name) => {
    expect(problemsOf(loadFlow(name))).toEqual([])
  })

  test('schema problems carry their JSON path', () => {
    expectProblem({ id: 'x y', nodes: [], edges: [] }, 'id', /letters, digits/)
    expectProblem({ id: 'x', nodes: [{ id: 's', type: 'start' }], edges: 'no' }, 'edges', /array/i)
    expectProblem({ id: 'x', nodes: [{ id: 's' }], edges: [] }, 'nodes[0].type', /.+/)
  })

  test('component configs are checked with their own schema', () => {
    const s = scenario(
      [
        { id: 's', type: 'start' },
        {
          id: 'v',
          type: 'setVariables',
          config: {
            assignments: [
              { name: 'ok', value: '1' },
              { name: '1bad', value: '' },
            ],
          },
        },
        { id: 'e', type: 'end' },
      ],
      ['s>v', 'v>e'],
    )
    const problems = problemsOf(s)
    expect(problems).toContainEqual({ path: 'nodes[1].config.assignments[1].name', message: expect.stringMatching(/variable name/) })
    expect(problems).toContainEqual({ path: 'nodes[1].config.assignments[1].value', message: expect.stringMatching(/empty/) })
    expectProblem(
      scenario(
        [
          { id: 's', type: 'start' },
          { id: 't', type: 'timer', config: { pause: '10 seconds' } },
          { id: 'e', type: 'end' },
        ],
        ['s>t', 't>e'],
      ),
      'nodes[1].config.pause',
      /ISO 8601/,
    )
  })

  test('expression syntax is checked at validation', () => {
    const s = scenario([{ id: 's', type: 'start' }, set('v', { a: '1 +' }), { id: 'g', type: 'exclusiveGateway' }, { id: 'e', type: 'end' }], ['s>v', 'v>g', 'g>e?a ==', 'g>e!'])
    expect(problemsOf(s).map((p) => p.path)).toEqual(expect.arrayContaining(['nodes[1].config.assignments[0].value', 'edges[2].condition']))
  })

  test('unknown component types are named', () => {
    expectProblem(
      scenario(
        [
          { id: 's', type: 'start' },
          { id: 'm', type: 'sendFax' },
          { id: 'e', type: 'end' },
        ],
        ['s>m', 'm>e'],
      ),
      'nodes[1].type',
      /unknown component type "sendFax"/,
    )
  })

  test('exactly one start, at least one end, no duplicate ids', () => {
    expectProblem(scenario([set('v', { a: '1' }), { id: 'e', type: 'end' }], ['v>e']), 'nodes', /exactly one start/)
    expectProblem(
      scenario(
        [
          { id: 's', type: 'start' },
          { id: 's2', type: 'start' },
          { id: 'e', type: 'end' },
        ],
        ['s>e', 's2>e'],
      ),
      'nodes[1].type',
      /exactly one start/,
    )
    expectProblem(scenario([{ id: 's', type: 'start' }, set('v', { a: '1' })], ['s>v']), 'nodes', /at least one end/)
    expectProblem(
      scenario(
        [
          { id: 's', type: 'start' },
          { id: 's', type: 'end' },
        ],
        [],
      ),
      'nodes[1].id',
      /duplicate node id "s"/,
    )
  })

  test('edges name existing nodes; every node is reachable', () => {
    expectProblem(
      scenario(
        [
          { id: 's', type: 'start' },
          { id: 'e', type: 'end' },
        ],
        ['s>e', 's>ghost'],
      ),
      'edges[1].to',
      /"ghost"/,
    )
    expectProblem(scenario([{ id: 's', type: 'start' }, set('lost', { a: '1' }), { id: 'e', type: 'end' }], ['s>e', 'lost>e']), 'nodes[1]', /cannot be reached/)
  })

  test('conditions only on exclusive gateway edges; every other gateway edge has one; one default', () => {
    expectProblem(
      scenario(
        [
          { id: 's', type: 'start' },
          { id: 'e', type: 'end' },
        ],
        ['s>e?x'],
      ),
      'edges[0].condition',
      /only edges leaving an exclusiveGateway/,
    )
    const g = scenario(
      [
        { id: 's', type: 'start' },
        { id: 'g', type: 'exclusiveGateway' },
        { id: 'e', type: 'end' },
        { id: 'f', type: 'end' },
      ],
      ['s>g', 'g>e', 'g>f!', 'g>e!'],
    )
    expectProblem(g, 'edges[1]', /needs a "condition" or "default": true/)
    expectProblem(g, 'edges[3].default', /more than one default/)
  })

  test('boundaries attach to an activity and have one outgoing edge', () => {
    expectProblem(
      scenario(
        [
          { id: 's', type: 'start' },
          { id: 'b', type: 'errorBoundary' },
          { id: 'e', type: 'end' },
        ],
        ['s>e', 'b>e'],
      ),
      'nodes[1]',
      /needs "attachedTo"/,
    )
    expectProblem(
      scenario(
        [
          { id: 's', type: 'start' },
          { id: 'b', type: 'errorBoundary', attachedTo: 's' },
          { id: 'e', type: 'end' },
        ],
        ['s>e', 'b>e'],
      ),
      'nodes[1].attachedTo',
      /must be attached to an activity/,
    )
    expectProblem(
      scenario([{ id: 's', type: 'start' }, set('v', { a: '1' }), { id: 'b', type: 'errorBoundary', attachedTo: 'v' }, { id: 'e', type: 'end' }], ['s>v', 'v>e']),
      'nodes[2]',
      /exactly one outgoing edge/,
    )
    expectProblem(
      scenario([{ id: 's', type: 'start' }, set('v', { a: '1' }), { id: 'b', type: 'timeoutBoundary', attachedTo: 'v', config: { after: 'PT1S' } }, { id: 'e', type: 'end' }], ['s>v', 'v>e', 'b>e']),
      'nodes[2].attachedTo',
      /that waits/,
    )
  })

  test('parallel branches must meet at one parallelGateway or end separately', () => {
    const crossing = scenario(
      [{ id: 's', type: 'start' }, { id: 'p', type: 'parallelGateway' }, set('a', { x: '1' }), set('b', { y: '1' }), set('c', { z: '1' }), { id: 'e', type: 'end' }],
      ['s>p', 'p>a', 'p>b', 'a>c', 'b>c', 'c>e'],
    )
    expectProblem(crossing, 'nodes[4]', /branches of a parallel split must meet at a parallelGateway/)
    const twoJoins = scenario(
      [
        { id: 's', type: 'start' },
        { id: 'p', type: 'parallelGateway' },
        set('a', { x: '1' }),
        set('b', { y: '1' }),
        { id: 'j1', type: 'parallelGateway' },
        { id: 'j2', type: 'parallelGateway' },
        set('c', { z: '1' }),
        { id: 'e', type: 'end' },
        { id: 'f', type: 'end' },
      ],
      ['s>p', 'p>a', 'p>b', 'p>c', 'a>j1', 'b>j2', 'c>j1', 'c>j2', 'j1>e', 'j2>f'],
    )
    expect(problemsOf(twoJoins).length).toBeGreaterThan(0)
    const mergeWithoutSplit = scenario(
      [
        { id: 's', type: 'start' },
        { id: 'g', type: 'exclusiveGateway' },
        { id: 'j', type: 'parallelGateway' },
        { id: 'e', type: 'end' },
      ],
      ['s>g', 'g>j?x', 'g>j!', 'j>e'],
    )
    expectProblem(mergeWithoutSplit, 'nodes[2]', /do not come from one parallel split/)
  })

  test('all problems are reported in one pass', () => {
    const s = { id: 'many', nodes: [{ id: 's', type: 'start' }, { id: 'x', type: 'nope' }, set('v', { a: '(' }), { id: 'v', type: 'end' }], edges: [{ from: 's', to: 'zzz' }] }
    expect(problemsOf(s).length).toBeGreaterThanOrEqual(3)
  })

  test('a chain of 20 000 nodes is validated without overflowing the stack', () => {
    const nodes: Array<{ id: string; type: string }> = [{ id: 'start', type: 'start' }]
    const edges: Array<{ from: string; to: string }> = []
    for (let i = 0; i < 20_000; i++) {
      nodes.push({ id: `n${i}`, type: 'parallelGateway' })
      edges.push({ from: i ? `n${i - 1}` : 'start', to: `n${i}` })
    }
    nodes.push({ id: 'end', type: 'end' })
    edges.push({ from: 'n19999', to: 'end' })
    expect(problemsOf({ id: 'deep', nodes, edges })).toEqual([])
  })

  test('never throws, whatever the input', () => {
    for (const input of [null, undefined, 1, 'x', [], {}, { id: 'x', nodes: null, edges: null }, { id: 'x', nodes: [null], edges: [null] }]) {
      expect(validateScenario(input).ok).toBe(false)
    }
  })
})
