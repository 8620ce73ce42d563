/**
 * Export, and export → import: `importBpmn(exportBpmn(s)).scenario` deep-equals
 * `canonicalScenario(s)` for every scenario in flows/ (read when the test runs, so flows added
 * later are covered) and for scenarios built to stress the edges of the mapping. The XML is
 * checked for the structure bpmn-js based modelers need.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { canonicalScenario } from '../../bpmn/canonical.ts'
import { exportBpmn } from '../../bpmn/export.ts'
import { importBpmn } from '../../bpmn/import.ts'
import { NS } from '../../bpmn/namespaces.ts'
import { attrOf, childOf, childrenOf, parseXml, type XmlElement } from '../../bpmn/parse.ts'
import { validateScenario } from '../../runtime/scenario.ts'
import type { Scenario } from '../../runtime/types.ts'
import { FLOWS, fixture, fixtureNames, flowFiles } from './helpers.ts'

const loadFlow = (file: string): Scenario => JSON.parse(readFileSync(new URL(file, FLOWS), 'utf8'))

/** What bpmn-js needs to draw a file: resolvable references, a shape per node, an edge per flow. */
function checkStructure(xml: string, scenario: Scenario): void {
  const root = parseXml(xml)
  expect(root.uri).toBe(NS.bpmn)
  expect(root.local).toBe('definitions')
  const process = childOf(root, NS.bpmn, 'process')!
  expect(attrOf(process, 'isExecutable')).toBe('false')

  const ids = new Map<string, XmlElement>()
  const walk = (element: XmlElement) => {
    const id = attrOf(element, 'id')
    if (id !== undefined) {
      expect(ids.has(id), `duplicate id ${id}`).toBe(false)
      expect(id).toMatch(/^[\p{L}_][\p{L}\p{N}._-]*$/u)
      ids.set(id, element)
    }
    element.children.forEach(walk)
  }
  walk(root)

  const flowNodes = process.children.filter((c) => c.uri === NS.bpmn && !['sequenceFlow', 'documentation'].includes(c.local))
  const flows = childrenOf(process, NS.bpmn, 'sequenceFlow')
  expect(flowNodes).toHaveLength(scenario.nodes.length)
  expect(flows).toHaveLength(scenario.edges.length)
  for (const flow of flows) {
    for (const ref of ['sourceRef', 'targetRef']) expect(flowNodes).toContain(ids.get(attrOf(flow, ref)!))
  }
  for (const node of flowNodes) {
    const incoming = childrenOf(node, NS.bpmn, 'incoming').map((c) => c.text)
    const outgoing = childrenOf(node, NS.bpmn, 'outgoing').map((c) => c.text)
    expect(incoming.sort()).toEqual(
      flows
        .filter((f) => attrOf(f, 'targetRef') === attrOf(node, 'id'))
        .map((f) => attrOf(f, 'id'))
        .sort(),
    )
    expect(outgoing.sort()).toEqual(
      flows
        .filter((f) => attrOf(f, 'sourceRef') === attrOf(node, 'id'))
        .map((f) => attrOf(f, 'id'))
        .sort(),
    )
    const byDefault = attrOf(node, 'default')
    if (byDefault) expect(outgoing).toContain(byDefault)
    const attached = attrOf(node, 'attachedToRef')
    if (node.local === 'boundaryEvent') expect(flowNodes).toContain(ids.get(attached!))
    // XSD order inside a flow node: documentation, extensionElements, incoming, outgoing, event definitions.
    const order = ['documentation', 'extensionElements', 'incoming', 'outgoing']
    const ranks = node.children.map((c) => (order.includes(c.local) ? order.indexOf(c.local) : 4))
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b))
  }

  const plane = childOf(childOf(root, NS.bpmndi, 'BPMNDiagram'), NS.bpmndi, 'BPMNPlane')!
  expect(attrOf(plane, 'bpmnElement')).toBe(attrOf(process, 'id'))
  const shapes = childrenOf(plane, NS.bpmndi, 'BPMNShape')
  const edges = childrenOf(plane, NS.bpmndi, 'BPMNEdge')
  expect(shapes.map((s) => attrOf(s, 'bpmnElement')).sort()).toEqual(flowNodes.map((n) => attrOf(n, 'id')).sort())
  expect(edges.map((e) => attrOf(e, 'bpmnElement')).sort()).toEqual(flows.map((f) => attrOf(f, 'id')).sort())
  for (const shape of shapes) {
    const bounds = childOf(shape, NS.dc, 'Bounds')!
    for (const key of ['x', 'y', 'width', 'height']) expect(Number.isFinite(Number(attrOf(bounds, key)))).toBe(true)
  }
  for (const edge of edges) expect(childrenOf(edge, NS.di, 'waypoint').length).toBeGreaterThanOrEqual(2)
}

describe('every flow in flows/', () => {
  it('there are flows to test', () => {
    expect(flowFiles().length).toBeGreaterThan(0)
  })

  it.each(flowFiles())('%s: import(export(s)) deep-equals canonicalScenario(s)', (file) => {
    const scenario = loadFlow(file)
    const xml = exportBpmn(scenario)
    checkStructure(xml, scenario)
    const { scenario: back, report } = importBpmn(xml)
    expect(report.unsupported).toEqual([])
    expect(report.warnings).toEqual([])
    expect(back).toStrictEqual(canonicalScenario(scenario))
    expect(report.valid).toBe(validateScenario(scenario).ok)
    // And once more: the round trip is stable.
    expect(importBpmn(exportBpmn(back)).scenario).toStrictEqual(back)
  })
})

describe('every fixture', () => {
  it.each(fixtureNames())('%s: exporting what was imported gives it back', (name) => {
    for (const placeholders of [false, true]) {
      const first = importBpmn(fixture(name), { placeholders }).scenario
      const xml = exportBpmn(first)
      checkStructure(xml, first)
      expect(importBpmn(xml).scenario).toStrictEqual(first)
    }
  })
})

describe('the edges of the mapping', () => {
  const awkward: Scenario = {
    id: '1-awkward',
    name: 'Всё сразу <&> "кавычки"',
    description: 'line one\r\nline two\ttabbed ]]> not a CDATA end',
    nodes: [
      { id: 'start', type: 'start', position: { x: -10.5, y: 0 } },
      { id: '9lives', type: 'setVariables', name: 'a & b < c', documentation: '  spaced  ', config: { assignments: [{ name: 'x.y', value: "'<![CDATA[ ]]>'" }] } },
      { id: 'get', type: 'webRequest', config: { url: "'https://example.com'", query: [], headers: [] } },
      {
        id: 'post',
        type: 'webRequest',
        position: { x: 500, y: 40 },
        config: {
          method: 'DELETE',
          url: 'u',
          query: [{ name: 'q', value: '1' }],
          body: { format: 'form', fields: [] },
          auth: { type: 'bearer', token: 'tok' },
          waitForResponse: false,
          responseFormat: 'binary',
          failOnStatus: true,
          timeoutMs: 10,
          statusTo: 's',
          headersTo: 'h',
        },
      },
      { id: 'text', type: 'webRequest', config: { method: 'PATCH', url: 'u', body: { format: 'text', value: '`a`' }, auth: { type: 'none' } } },
      { id: 'basic', type: 'webRequest', config: { method: 'POST', url: 'u', query: [{ name: 'a', value: '1' }], auth: { type: 'basic', login: "''", password: 'p' } } },
      { id: 'code', type: 'code', config: { inputs: [], code: 'return 1', timeoutMs: 30000 } },
      { id: 'gate', type: 'exclusiveGateway', name: '' },
      { id: 'wait', type: 'timer', config: { pause: 'PT1H' } },
      { id: 'parse', type: 'parser', config: { data: 'x', method: 'regex', query: '(a)]]>', group: 1, saveTo: 'p' } },
      { id: 'tell', type: 'respond', config: {} },
      { id: 'oops', type: 'errorEnd', config: { code: 'E1', message: "'bad'" } },
      { id: 'oops2', type: 'errorEnd' },
      { id: 'timeout', type: 'timeoutBoundary', attachedTo: 'post', config: { after: 'PT2S' } },
      { id: 'caught', type: 'errorBoundary', attachedTo: 'post', position: { x: 1, y: 2 }, config: {} },
      { id: 'caught2', type: 'errorBoundary', attachedTo: 'get', config: { messageTo: 'm' } },
      { id: 'end', type: 'end', documentation: 'fin' },
    ],
    edges: [
      { from: 'start', to: '9lives' },
      { id: 'my edge: «1»', from: '9lives', to: 'get', name: 'first' },
      { from: 'get', to: 'post', default: false },
      { from: 'post', to: 'text' },
      { from: 'text', to: 'basic' },
      { from: 'basic', to: 'code' },
      { from: 'code', to: 'gate' },
      { from: 'gate', to: 'wait', condition: 'x.y === "]]>"' },
      { from: 'gate', to: 'oops', condition: "x.y === ''" },
      { from: 'gate', to: 'parse', default: true },
      { from: 'wait', to: 'gate' },
      { from: 'parse', to: 'tell' },
      { from: 'tell', to: 'end' },
      { id: 'Flow_tell_end_x', from: 'tell', to: 'end' },
      { from: 'timeout', to: 'oops2' },
      { from: 'caught', to: 'oops2' },
      { from: 'caught2', to: 'oops2' },
    ],
  }

  it('round-trips ids that are not NCNames, odd text, every component and config shape', () => {
    const xml = exportBpmn(awkward)
    checkStructure(xml, awkward)
    const back = importBpmn(xml).scenario
    expect(back).toStrictEqual(canonicalScenario(awkward))
    expect(back.id).toBe('1-awkward')
    expect(back.nodes[1]).toMatchObject({ id: '9lives', name: 'a & b < c', documentation: '  spaced  ' })
    expect(back.description).toBe(awkward.description)
    expect(back.edges[1].id).toBe('my edge: «1»')
    // Boundary events on a placed host are drawn on its corner: that is their position now.
    expect(back.nodes.find((n) => n.id === 'timeout')!.position).toEqual({ x: 552, y: 28 })
    expect(back.nodes.find((n) => n.id === 'caught')!.position).toEqual({ x: 1, y: 2 })
    expect(back.nodes.find((n) => n.id === 'caught2')!.position).toBeUndefined()
  })

  it('characters XML cannot carry become U+FFFD; the rest of the text survives', () => {
    const scenario: Scenario = {
      id: 'chars',
      nodes: [
        { id: 'start', type: 'start', name: 'bell\u0007 \ud800 ok 😀' },
        { id: 'end', type: 'end' },
      ],
      edges: [{ from: 'start', to: 'end' }],
    }
    expect(importBpmn(exportBpmn(scenario)).scenario.nodes[0].name).toBe('bell\uFFFD \uFFFD ok 😀')
  })

  it('keeps positions that are given and lays out the rest', () => {
    const xml = exportBpmn(awkward)
    expect(xml).toContain('<dc:Bounds x="-10.5" y="0" width="64" height="64" />')
    expect(xml).toContain('<dc:Bounds x="1" y="2" width="24" height="24" />')
    const root = parseXml(xml)
    const plane = childOf(childOf(root, NS.bpmndi, 'BPMNDiagram'), NS.bpmndi, 'BPMNPlane')!
    const at = new Map(
      childrenOf(plane, NS.bpmndi, 'BPMNShape').map((s) => {
        const b = childOf(s, NS.dc, 'Bounds')!
        return [attrOf(s, 'bpmnElement'), { x: Number(attrOf(b, 'x')), y: Number(attrOf(b, 'y')) }]
      }),
    )
    // Laid out left to right: each node of the main chain further right than the one before.
    const chain = ['_.9lives', 'get', 'text', 'basic', 'code', 'gate']
    for (let i = 1; i < chain.length; i++) expect(at.get(chain[i])!.x).toBeGreaterThan(at.get(chain[i - 1])!.x)
  })

  it('writes the dialect: namespaces, connectors, JSON-wrapped scripts and conditions, the default flow', () => {
    const xml = exportBpmn(loadFlow('loop.json'))
    for (const uri of Object.values(NS)) expect(xml).toContain(`"${uri}"`)
    expect(xml).toContain('<camunda:connectorId>setvar</camunda:connectorId>')
    expect(xml).toContain('<camunda:outputParameter name="i" configName="vars">')
    expect(xml).toContain('<![CDATA[{"type":"script","value":"i + 1"}]]>')
    expect(xml).toContain('<bpmn:exclusiveGateway id="check" name="Ещё?" default="Flow_check_answer">')
    expect(xml).toContain('<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" language="JavaScript"><![CDATA[{"type":"script","value":"i < n"}]]></bpmn:conditionExpression>')
  })
})
