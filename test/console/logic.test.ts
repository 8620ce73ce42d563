/**
 * The console's pure logic, without a browser: the line diff of versions, the path a process
 * took, problems placed on nodes, the graph model and its ELK layout (or the layout from BPMN
 * positions), the variables after each step, finding a validation path in the JSON text, and
 * the id an imported BPMN file is given.
 */
import { readFileSync } from 'node:fs'
import { json } from '@codemirror/lang-json'
import { EditorState } from '@codemirror/state'
import { describe, expect, it } from 'vitest'
import { importBpmn } from '../../bpmn/import.ts'
import { formatBytes, suggestedId } from '../../console/src/bpmn.ts'
import { diffLines, foldDiff } from '../../console/src/diff.ts'
import { layoutGraph } from '../../console/src/graph/layout.ts'
import { buildModel, shapeOf } from '../../console/src/graph/model.ts'
import { hasPositions, positionedLayout } from '../../console/src/graph/positioned.ts'
import { placeProblems } from '../../console/src/graph/problems.ts'
import { stepBadge, traceOf } from '../../console/src/graph/trace.ts'
import type { StepRecord } from '../../console/src/types.ts'
import { locatePath, parsePath } from '../../console/src/ui/jsonPath.ts'
import { variablesAfterStep, variablesAfterSteps, writtenNames } from '../../console/src/variables.ts'

const step = (index: number, nodeId: string, extra: Partial<StepRecord> = {}): StepRecord => ({
  index,
  nodeId,
  type: 'setVariables',
  startedAt: '2026-01-01T00:00:00.000Z',
  status: 'completed',
  ...extra,
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
      { from: 'split', to: 'a' },
      { from: 'split', to: 'b' },
      { from: 'a', to: 'join' },
      { from: 'b', to: 'join' },
    ]
    const trace = traceOf(
      parallel,
      ['split', 'a', 'b', 'join'].map((id, i) => step(i, id)),
    )
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
      { from: 'start', to: 'risky' },
      { from: 'risky', to: 'gate' },
      { from: 'gate', to: 'end', condition: 'x > 1' },
      { from: 'gate', to: 'end', default: true },
      { from: 'caught', to: 'end' },
      { from: 'risky', to: 'nowhere' },
    ],
  }

  it('shapes nodes by kind and keeps what can be drawn of a half-written scenario', () => {
    const model = buildModel(scenario, 'по умолчанию')
    expect(model.nodes.map((n) => [n.node.id, n.shape])).toEqual([
      ['start', 'event'],
      ['risky', 'activity'],
      ['caught', 'boundary'],
      ['gate', 'gateway'],
      ['end', 'event'],
    ])
    expect(model.nodes[2].host).toBe('risky')
    expect(model.edges.map((e) => e.label)).toEqual([undefined, undefined, 'x > 1', 'по умолчанию', undefined])
    expect(buildModel('not json at all')).toEqual({ nodes: [], edges: [] })
    expect(shapeOf('timer')).toBe('event')
  })

  it("lays out left to right with the boundary on its activity's lower edge", async () => {
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
      step(1, 'vars', {
        writes: [
          { path: 'a', value: 1 },
          { path: 'result.left', value: 'L' },
        ],
      }),
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
    const { toBody, toForm } = await import('../../console/src/pages/webRequestForm.ts')
    const record = {
      id: 'w1',
      name: 'Orders',
      urlId: 'orders',
      scenarioId: 'greet',
      enabled: false,
      timeoutMs: 5000,
      onTimeout: 'async' as const,
      auth: { type: 'hmac', header: 'X-Sig', secret: '***', encoding: 'base64', prefix: 'sha256=' },
      rateLimit: { requests: 10, windowMs: 1000 },
      cors: { origins: ['https://a.example', 'https://b.example'], methods: ['POST'], credentials: true },
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
    }
    expect(toBody(toForm(record))).toEqual({
      name: 'Orders',
      urlId: 'orders',
      scenarioId: 'greet',
      enabled: false,
      timeoutMs: 5000,
      onTimeout: 'async',
      auth: { type: 'hmac', header: 'X-Sig', secret: '***', encoding: 'base64', prefix: 'sha256=' },
      rateLimit: { requests: 10, windowMs: 1000 },
      cors: { origins: ['https://a.example', 'https://b.example'], methods: ['POST'], credentials: true },
    })
    const env = toForm({ ...record, auth: { type: 'bearer', token: { env: 'TOKEN' } }, rateLimit: undefined, cors: undefined })
    expect(toBody({ ...env, timeoutMs: 'soon' })).toMatchObject({ auth: { type: 'bearer', token: { env: 'TOKEN' } }, timeoutMs: 'soon' })
  })
})

describe('positionedLayout (nodes where the BPMN diagram put them)', () => {
  const fixture = (name: string) => importBpmn(readFileSync(new URL(`../bpmn/fixtures/${name}.bpmn`, import.meta.url), 'utf8')).scenario
  const overlap = (a: { x: number; y: number; width: number; height: number }, b: typeof a) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height

  it("keeps the diagram's arrangement, stretched so that the shapes stay clear of each other", () => {
    const scenario = fixture('loop-throttle')
    const model = buildModel(scenario)
    const layout = positionedLayout(model)!
    expect(layout).not.toBeNull()
    const at = (id: string) => layout.nodes.get(id)!
    const centre = (id: string) => ({ x: at(id).x + at(id).width / 2, y: at(id).y + at(id).height / 2 })
    // The file: start, init, gateway, fetch in a row; answer above the gateway, the timer below it.
    expect(centre('StartEvent_1loop00').x).toBeLessThan(centre('ServiceTask_1init00').x)
    expect(centre('ServiceTask_1init00').x).toBeLessThan(centre('ExclusiveGateway_1more').x)
    expect(centre('ExclusiveGateway_1more').x).toBeLessThan(centre('ServiceTask_1fetch0').x)
    expect(centre('ServiceTask_1init00').y).toBeCloseTo(centre('ExclusiveGateway_1more').y, 5)
    expect(centre('ServiceTask_1answer').y).toBeLessThan(centre('ExclusiveGateway_1more').y)
    expect(centre('IntermediateCatchEvent_1wait').y).toBeGreaterThan(centre('ExclusiveGateway_1more').y)
    expect(centre('IntermediateCatchEvent_1wait').x).toBeCloseTo(centre('ExclusiveGateway_1more').x, 5)
    const boxes = [...layout.nodes.entries()]
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) expect(overlap(boxes[i][1], boxes[j][1]), `${boxes[i][0]} / ${boxes[j][0]}`).toBe(false)
    }
    // Every edge is drawn, orthogonally, from its source's box to its target's box.
    expect(layout.edges.size).toBe(scenario.edges.length)
    for (const [index, { points }] of layout.edges) {
      for (let k = 1; k < points.length; k++) {
        const straight = Math.abs(points[k].x - points[k - 1].x) < 0.01 || Math.abs(points[k].y - points[k - 1].y) < 0.01
        expect(straight, `edge ${index} segment ${k}`).toBe(true)
      }
    }
    // The loop back from the timer goes up into the gateway from below, as the file draws it.
    const back = scenario.edges.findIndex((e) => e.from === 'IntermediateCatchEvent_1wait')
    const points = layout.edges.get(back)!.points
    expect(points[points.length - 1].y).toBeCloseTo(at('ExclusiveGateway_1more').y + at('ExclusiveGateway_1more').height, 5)
    // A labelled edge gets a label box.
    const labelled = model.edges.find((e) => e.label)!
    expect(layout.edges.get(labelled.index)?.label).toBeDefined()
  })

  it('puts a boundary event on the edge of its activity the author drew it on', () => {
    const layout = positionedLayout(buildModel(fixture('error-boundary')))!
    const host = layout.nodes.get('ServiceTask_3fetch0')!
    const top = layout.nodes.get('BoundaryEvent_3down0')!
    const bottom = layout.nodes.get('BoundaryEvent_3late0')!
    expect(top.y + top.height / 2).toBeCloseTo(host.y, 5)
    expect(bottom.y + bottom.height / 2).toBeCloseTo(host.y + host.height, 5)
    for (const b of [top, bottom]) {
      expect(b.x).toBeGreaterThan(host.x)
      expect(b.x + b.width).toBeLessThanOrEqual(host.x + host.width)
    }
  })

  it('answers null — ELK then — when a node has no position; boundary events need none', () => {
    const placed = {
      nodes: [
        { id: 'a', type: 'start', position: { x: 0, y: 0 } },
        { id: 'b', type: 'code', position: { x: 160, y: 0 } },
        { id: 'c', type: 'errorBoundary', attachedTo: 'b' },
        { id: 'd', type: 'end', position: { x: 320, y: 0 } },
      ],
      edges: [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'd' },
        { from: 'c', to: 'd' },
      ],
    }
    expect(hasPositions(buildModel(placed))).toBe(true)
    const layout = positionedLayout(buildModel(placed))!
    const host = layout.nodes.get('b')!
    const boundary = layout.nodes.get('c')!
    expect(boundary.y + boundary.height / 2).toBeCloseTo(host.y + host.height, 5)
    const missing = { ...placed, nodes: placed.nodes.map((n) => (n.id === 'd' ? { id: 'd', type: 'end' } : n)) }
    expect(positionedLayout(buildModel(missing))).toBeNull()
    expect(positionedLayout(buildModel({ nodes: [{ id: 'a', type: 'start', position: { x: 'left', y: 0 } }], edges: [] }))).toBeNull()
    expect(positionedLayout(buildModel({ nodes: [], edges: [] }))).toBeNull()
    expect(positionedLayout(buildModel(fixture('parallel-split')))).toBeNull()
  })

  it("suggests the file name as the id of Bpium's Process_1, and keeps a real process id", () => {
    expect(suggestedId('Process_1', 'Заявки с сайта v2.bpmn')).toBe('Zayavki-s-sayta-v2')
    expect(suggestedId('Process_1', 'Щука (копия).bpmn')).toBe('Shchuka-kopiya')
    expect(suggestedId('Process_1', 'tilda-form.bpmn')).toBe('tilda-form')
    expect(suggestedId('Process_0abc', 'orders.xml')).toBe('orders')
    expect(suggestedId('parallel_orders', 'whatever.bpmn')).toBe('parallel_orders')
    expect(suggestedId('Process_1', '.bpmn')).toBe('Process_1')
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(11 * 1024 * 1024)).toBe('11 MB')
  })
})
