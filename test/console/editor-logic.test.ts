/**
 * The editor's document logic without a browser: edits as pure functions (add, rename, move,
 * connect, remove, copy/paste), the variables known at a node, the layered fallback layout,
 * sample requests as headers and curl lines, and the server's choice of a compressed encoding.
 */
import { describe, expect, it } from 'vitest'
import { layeredPositions, needsPositions } from '../../console/src/editor/autoLayout.ts'
import {
  addNode,
  centreOf,
  connect,
  copyElements,
  freeId,
  moveNodes,
  normalize,
  pasteElements,
  positionFor,
  removeElements,
  renameNode,
  type EditorDocument,
} from '../../console/src/editor/document.ts'
import { curlLine, parseHeaderLines } from '../../console/src/editor/drafts.ts'
import { knownVariables, writtenBy } from '../../console/src/editor/knownVariables.ts'
import { encodingsFor } from '../../server/console-encoding.ts'

const doc = (): EditorDocument => ({
  id: 'x',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'call', type: 'webRequest', config: { url: "'http://x'", statusTo: 'reply.status' } },
    { id: 'oops', type: 'errorBoundary', attachedTo: 'call', config: { codeTo: 'err.code' } },
    {
      id: 'vars',
      type: 'setVariables',
      config: {
        assignments: [
          { name: 'total', value: '1' },
          { name: 'order.id', value: '2' },
        ],
      },
    },
    { id: 'end', type: 'end' },
  ],
  edges: [
    { from: 'start', to: 'call' },
    { from: 'call', to: 'vars' },
    { from: 'vars', to: 'end' },
    { from: 'oops', to: 'end' },
  ],
})

describe('document edits', () => {
  it('renames a node everywhere it is referenced, and refuses a taken id', () => {
    const renamed = renameNode(doc(), 'call', 'fetch')
    expect(renamed.nodes.map((n) => n.id)).toEqual(['start', 'fetch', 'oops', 'vars', 'end'])
    expect(renamed.nodes.find((n) => n.id === 'oops')!.attachedTo).toBe('fetch')
    expect(renamed.edges.slice(0, 2)).toEqual([
      { from: 'start', to: 'fetch' },
      { from: 'fetch', to: 'vars' },
    ])
    const original = doc()
    expect(renameNode(original, 'call', 'vars')).toBe(original)
  })

  it('removes a node with its edges and boundary events; an edge by index', () => {
    const removed = removeElements(doc(), new Set(['call']))
    expect(removed.nodes.map((n) => n.id)).toEqual(['start', 'vars', 'end'])
    expect(removed.edges).toEqual([{ from: 'vars', to: 'end' }])
    expect(removeElements(doc(), new Set(), new Set([0])).edges).toHaveLength(3)
  })

  it('connects once, never a node to itself', () => {
    const base = doc()
    expect(connect(base, 'start', 'call')).toBe(base)
    expect(connect(base, 'end', 'end')).toBe(base)
    expect(connect(base, 'start', 'end').edges.at(-1)).toEqual({ from: 'start', to: 'end' })
  })

  it('copies nodes with their boundary events and inner edges; pastes them with fresh ids, shifted', () => {
    const placed = moveNodes(
      doc(),
      new Map([
        ['call', { x: 200, y: 100 }],
        ['vars', { x: 400, y: 100 }],
      ]),
    )
    const clip = copyElements(placed, new Set(['call', 'vars']))
    expect(clip.nodes.map((n) => n.id)).toEqual(['call', 'oops', 'vars'])
    expect(clip.edges).toEqual([{ from: 'call', to: 'vars' }])
    const { doc: pasted, ids } = pasteElements(placed, clip, { x: 40, y: 40 })
    expect(ids).toEqual(['call2', 'oops2', 'vars2'])
    expect(pasted.nodes.find((n) => n.id === 'oops2')!.attachedTo).toBe('call2')
    expect(pasted.edges.at(-1)).toEqual({ from: 'call2', to: 'vars2' })
    expect(centreOf(pasted.nodes.find((n) => n.id === 'call2')!)).toEqual({ x: 240, y: 140 })
  })

  it('keeps positions as BPMN does (the top-left of a 64×64 shape) and finds free ids', () => {
    expect(positionFor({ x: 100.4, y: 50 })).toEqual({ x: 68, y: 18 })
    expect(centreOf({ id: 'a', type: 'end', position: { x: 68, y: 18 } })).toEqual({ x: 100, y: 50 })
    expect(freeId(doc(), 'vars')).toBe('vars2')
    expect(freeId(addNode(doc(), { id: 'vars2', type: 'end' }), 'vars')).toBe('vars3')
    expect(freeId(doc(), 'новый узел')).toBe('node')
  })

  it('normalizes whatever JSON the JSON view holds', () => {
    expect(normalize([])).toBeNull()
    expect(normalize({ nodes: [{ id: 'a', type: 'start' }, { type: 'no id' }, 7], edges: [{ from: 'a' }] })).toEqual({ id: '', nodes: [{ id: 'a', type: 'start' }], edges: [] })
  })
})

describe('variables known at a node', () => {
  it('are the input and answer variables and what the nodes before it write', () => {
    expect(writtenBy(doc().nodes[1].config)).toEqual(['reply.status'])
    expect(writtenBy(doc().nodes[3].config)).toEqual(['total', 'order.id'])
    const atEnd = knownVariables(doc(), 'end')
    expect(atEnd).toEqual(expect.arrayContaining(['body', 'query', 'headers', '$status', 'reply.status', 'err.code', 'total', 'order.id']))
    const atCall = knownVariables(doc(), 'call')
    expect(atCall).toContain('body')
    expect(atCall).not.toContain('total')
    // A boundary event knows what led to its activity.
    expect(knownVariables(doc(), 'oops')).toContain('reply.status')
  })
})

describe('layered positions', () => {
  it('puts nodes in columns by their distance from the start; boundary events stay on their activity', () => {
    const placed = layeredPositions(doc())
    expect(placed.has('oops')).toBe(false)
    expect(placed.get('start')!.x).toBeLessThan(placed.get('call')!.x)
    expect(placed.get('call')!.x).toBeLessThan(placed.get('vars')!.x)
    expect(placed.get('vars')!.x).toBeLessThan(placed.get('end')!.x)
    expect(needsPositions(doc())).toBe(true)
    expect(needsPositions(moveNodes(doc(), placed))).toBe(false)
  })

  it('ends on a loop', () => {
    const loop: EditorDocument = {
      id: 'l',
      nodes: [
        { id: 'a', type: 'start' },
        { id: 'b', type: 'setVariables' },
        { id: 'c', type: 'exclusiveGateway' },
      ],
      edges: [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
        { from: 'c', to: 'b' },
      ],
    }
    expect(layeredPositions(loop).size).toBe(3)
  })
})

describe('sample requests', () => {
  it('reads headers one a line and writes a curl line that quotes safely', () => {
    expect(parseHeaderLines('Content-Type: application/json\nnot a header\nX-A:  b:c ')).toEqual({ 'Content-Type': 'application/json', 'X-A': 'b:c' })
    const line = curlLine('http://h/api/webrequest/greet', { method: 'POST', query: '?a=1', headers: "X-Y: it's", body: '{"name":"O\'Neil"}' })
    expect(line).toBe(`curl -i -X POST 'http://h/api/webrequest/greet?a=1' -H 'X-Y: it'\\''s' --data-raw '{"name":"O'\\''Neil"}'`)
    expect(curlLine('http://h/x', { method: 'GET', query: '', headers: '', body: '{}' })).toBe(`curl -i -X GET 'http://h/x'`)
  })
})

describe('the encoding the console answers with', () => {
  it('prefers brotli, then gzip, honours q=0 and *', () => {
    expect(encodingsFor('gzip, deflate, br, zstd')).toEqual({ br: '.br' })
    expect(encodingsFor('gzip')).toEqual({ gzip: '.gz' })
    expect(encodingsFor('br;q=0, gzip;q=0.5')).toEqual({ gzip: '.gz' })
    expect(encodingsFor('*')).toEqual({ br: '.br' })
    expect(encodingsFor('identity')).toEqual({})
    expect(encodingsFor(null)).toEqual({})
  })
})
