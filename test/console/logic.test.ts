/**
 * The console's pure logic, without a browser: the line diff of versions, the path a process
 * took, problems placed on nodes, the graph model and its ELK layout, the variables after each
 * step, and finding a validation path in the JSON text.
 */
import { json } from '@codemirror/lang-json'
import { EditorState } from '@codemirror/state'
import { describe, expect, it } from 'vitest'
import { diffLines, foldDiff } from '../../server/console/src/diff.ts'
import { layoutGraph } from '../../server/console/src/graph/layout.ts'
import { buildModel, shapeOf } from '../../server/console/src/graph/model.ts'
import { placeProblems } from '../../server/console/src/graph/problems.ts'
import { stepBadge, traceOf } from '../../server/console/src/graph/trace.ts'
import type { StepRecord } from '../../server/console/src/types.ts'
import { locatePath, parsePath } from '../../server/console/src/ui/jsonPath.ts'
import { variablesAfterStep, variablesAfterSteps, writtenNames } from '../../server/console/src/variables.ts'

const step = (index: number, nodeId: string, extra: Partial<StepRecord> = {}): StepRecord => ({
  index, nodeId, type: 'setVariables', startedAt: '2026-01-01T00:00:00.000Z', status: 'completed', ...extra,
})

describe('diffLines / foldDiff', () => {
  it('marks deleted and added lines, deletions first, with both line numbers', () => {
    const lines = diffLines('a\nb\nc\nd', 'a\nB\nc\nd\ne')
    expect(lines.map((l) => `${l.op[0]}${l.text}`)).toEqual(['sa', 'db', 'aB', 'sc', 'sd', 'ae'])
    expect(lines[2]).toMatchObject({ op: 'add', b: 2 })
    expect(lines[1]).toMatchObject({ op: 'del', a: 2 })
    expect(lines[3]).toMatchObject({ a: 3, b: 3 })
  })

  it('finds nothing between equal texts and folds the unchanged runs', () => {
    expect(diffLines('x\ny', 'x\ny').every((l) => l.op === 'same')).toBe(true)
    const a = Array.from({ length: 30 }, (_, i) => `line ${i}`)
    const b = [...a]
    b[15] = 'changed'
    const hunks = foldDiff(diffLines(a.join('\n'), b.join('\n')), 2)
    expect(hunks).toHaveLength(3)
    expect(hunks[0]).toEqual({ skipped: 13 })
    expect('lines' in hunks[1] && hunks[1].lines.map((l) => l.op)).toEqual(['same', 'same', 'del', 'add', 'same', 'same'])
    expect(hunks[2]).toEqual({ skipped: 12 })
  })
})

describe('traceOf', () => {
  const edges = [
    { from: 'start', to: 'check' },
    { from: 'check', to: 'step', condition: 'i < n' },
    { from: 'check', to: 'end', default: true },
    { from: 'step', to: 'check' },
  ]

  it('numbers nodes and the edges followed, every pass of a loop', () => {
    const steps = ['start', 'check', 'step', 'check', 'step', 'check', 'end'].map((id, i) => step(i, id))
    const trace = traceOf(edges, steps)
    expect(trace.nodeSteps.get('check')).toEqual([2, 4, 6])
    expect(trace.edgeSteps.get(0)).toEqual([2])
    expect(trace.edgeSteps.get(1)).toEqual([3, 5])
    expect(trace.edgeSteps.get(3)).toEqual([4, 6])
    expect(trace.edgeSteps.get(2)).toEqual([7])
    expect(stepBadge([3, 5])).toBe('3, 5')
    expect(stepBadge([2, 4, 6, 8, 10])).toBe('2, 4 … 10')
  })

  it('marks failed and running nodes, and the node the process error names', () => {
    const trace = traceOf(edges, [step(0, 'start'), step(1, 'check', { status: 'failed' }), step(2, 'step', { status: 'running' })], 'elsewhere')
    expect([...trace.failed]).toEqual(['check', 'elsewhere'])
    expect([...trace.running]).toEqual(['step'])
  })

  it('follows parallel branches by the latest step of each source', () => {
    const parallel = [
      { from: 'split', to: 'a' }, { from: 'split', to: 'b' }, { from: 'a', to: 'join' }, { from: 'b', to: 'join' },
    ]
    const trace = traceOf(parallel, ['split', 'a', 'b', 'join'].map((id, i) => step(i, id)))
    expect(trace.edgeSteps.get(1)).toEqual([3])
    expect(trace.edgeSteps.get(3)).toEqual([4])
    expect(trace.edgeSteps.has(2)).toBe(false)
  })
})

describe('placeProblems', () => {
  it('puts nodes[i] problems on node i, edges[i] on edge i, the rest aside', () => {
    const doc = { nodes: [{ id: 'start' }, { id: 'vars' }] }
    const placed = placeProblems(doc, [
      { path: 'nodes[1].config.assignments[0].value', message: 'bad' },
      { path: 'edges[0].to', message: 'missing' },
      { path: 'nodes', message: 'no end' },
      { path: 'nodes[7].type', message: 'out of range' },
    ])
    expect(placed.nodes.get('vars')?.[0].message).toBe('bad')
    expect(placed.edges.get(0)?.[0].message).toBe('missing')
    expect(placed.general.map((p) => p.message)).toEqual(['no end', 'out of range'])
  })
})

describe('buildModel and layoutGraph', () => {
  const scenario = {
    nodes: [
      { id: 'start', type: 'start' },
      { id: 'risky', type: 'webRequest' },
      { id: 'caught', type: 'errorBoundary', attachedTo: 'risky' },
      { id: 'gate', type: 'exclusiveGateway' },
      { id: 'end', type: 'end' },
      { id: 'start', type: 'end' },
      { type: 'end' },
    ],
    edges: [
      { from: 'start', to: 'risky' }, { from: 'risky', to: 'gate' }, { from: 'gate', to: 'end', condition: 'x > 1' },
      { from: 'gate', to: 'end', default: true }, { from: 'caught', to: 'end' }, { from: 'risky', to: 'nowhere' },
    ],
  }

  it('shapes nodes by kind and keeps what can be drawn of a half-written scenario', () => {
    const model = buildModel(scenario, 'по умолчанию')
    expect(model.nodes.map((n) => [n.node.id, n.shape])).toEqual([
      ['start', 'event'], ['risky', 'activity'], ['caught', 'boundary'], ['gate', 'gateway'], ['end', 'event'],
    ])
    expect(model.nodes[2].host).toBe('risky')
    expect(model.edges.map((e) => e.label)).toEqual([undefined, undefined, 'x > 1', 'по умолчанию', undefined])
    expect(buildModel('not json at all')).toEqual({ nodes: [], edges: [] })
    expect(shapeOf('timer')).toBe('event')
  })

  it('lays out left to right with the boundary on its activity\'s lower edge', async () => {
    const layout = await layoutGraph(buildModel(scenario), (id) => id)
    const start = layout.nodes.get('start')!
    const risky = layout.nodes.get('risky')!
    const caught = layout.nodes.get('caught')!
    const end = layout.nodes.get('end')!
    expect(start.x).toBeLessThan(risky.x)
    expect(risky.x).toBeLessThan(end.x)
    expect(caught.y + caught.height / 2).toBeCloseTo(risky.y + risky.height, 0)
    expect(caught.x).toBeGreaterThan(risky.x)
    expect(caught.x + caught.width).toBeLessThan(risky.x + risky.width)
    for (const [index, route] of layout.edges) {
      expect(route.points.length, `edge ${index}`).toBeGreaterThanOrEqual(2)
    }
    expect(layout.edges.get(2)?.label).toBeDefined()
  })
})

describe('variables after each step', () => {
  it('applies the writes of the steps in order, dotted paths keeping other keys', () => {
    const input = { body: { name: 'Ann' }, result: { keep: 1 } }
    const steps = [
      step(0, 'start'),
      step(1, 'vars', { writes: [{ path: 'a', value: 1 }, { path: 'result.left', value: 'L' }] }),
      step(2, 'more', { writes: [{ path: 'a', value: 2 }] }),
    ]
    const after = variablesAfterSteps(input, steps)
    expect(after[0]).toBe(input)
    expect(after[1]).toEqual({ body: { name: 'Ann' }, result: { keep: 1, left: 'L' }, a: 1 })
    expect(after[2].a).toBe(2)
    expect(variablesAfterStep(input, [...steps].reverse(), 1)).toEqual(after[1])
    expect(input).toEqual({ body: { name: 'Ann' }, result: { keep: 1 } })
    expect(writtenNames(steps[1])).toEqual(['a', 'result'])
  })
})

describe('locatePath', () => {
  const text = JSON.stringify({ id: 'x', nodes: [{ id: 'a' }, { id: 'b', config: { assignments: [{ name: 'n', value: '1 +' }] } }] }, null, 2)
  const state = EditorState.create({ doc: text, extensions: [json()] })

  it('parses validation paths', () => {
    expect(parsePath('nodes[1].config.assignments[0].value')).toEqual(['nodes', 1, 'config', 'assignments', 0, 'value'])
    expect(parsePath('(root)')).toEqual([])
  })

  it('finds the property a path names, or the deepest part of it that exists', () => {
    const at = locatePath(state, 'nodes[1].config.assignments[0].value')!
    expect(text.slice(at.from, at.to)).toBe('"value": "1 +"')
    const node = locatePath(state, 'nodes[1].name')!
    expect(text.slice(node.from, node.to)).toBe('{')
    expect(text.slice(node.from).startsWith('{\n      "id": "b"')).toBe(true)
  })
})

describe('the external request form', () => {
  it('turns a stored record into fields and back into the document the API takes', async () => {
    const { toBody, toForm } = await import('../../server/console/src/pages/webRequestForm.ts')
    const record = {
      id: 'w1', name: 'Orders', urlId: 'orders', scenarioId: 'greet', enabled: false, timeoutMs: 5000, onTimeout: 'async' as const,
      auth: { type: 'hmac', header: 'X-Sig', secret: '***', encoding: 'base64', prefix: 'sha256=' },
      rateLimit: { requests: 10, windowMs: 1000 },
      cors: { origins: ['https://a.example', 'https://b.example'], methods: ['POST'], credentials: true },
      createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z',
    }
    expect(toBody(toForm(record))).toEqual({
      name: 'Orders', urlId: 'orders', scenarioId: 'greet', enabled: false, timeoutMs: 5000, onTimeout: 'async',
      auth: { type: 'hmac', header: 'X-Sig', secret: '***', encoding: 'base64', prefix: 'sha256=' },
      rateLimit: { requests: 10, windowMs: 1000 },
      cors: { origins: ['https://a.example', 'https://b.example'], methods: ['POST'], credentials: true },
    })
    const env = toForm({ ...record, auth: { type: 'bearer', token: { env: 'TOKEN' } }, rateLimit: undefined, cors: undefined })
    expect(toBody({ ...env, timeoutMs: 'soon' })).toMatchObject({ auth: { type: 'bearer', token: { env: 'TOKEN' } }, timeoutMs: 'soon' })
  })
})
