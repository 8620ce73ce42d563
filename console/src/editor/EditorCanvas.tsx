/**
 * The editor's canvas (React Flow): nodes placed where the document says, moved by dragging,
 * connected by dragging from a node's right handle to another node, deleted with Delete, copied
 * and pasted with Ctrl+C / Ctrl+V; components dropped from the palette land where they are
 * dropped (a boundary event dropped on an activity is attached to it). Gateway edges show their
 * condition or "default". A minimap for large scenarios. Every change goes to `onChange` as a new
 * document; the canvas keeps no state of its own beyond the drag in progress and the selection.
 */
import { applyNodeChanges, Background, Controls, MarkerType, MiniMap, ReactFlow, useReactFlow, type Connection, type Edge, type EdgeChange, type NodeChange } from '@xyflow/react'
import '@xyflow/react/dist/style.css'
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent, type KeyboardEvent } from 'react'
import { componentName, useI18n } from '../i18n.ts'
import { edgeLabel, shapeOf, SIZES } from '../graph/model.ts'
import { nodeTypes, type CanvasNode } from '../graph/nodes.tsx'
import type { PlacedProblems } from '../graph/problems.ts'
import { edgeLabelText } from '../graph/layout.ts'
import { layeredPositions, needsPositions } from './autoLayout.ts'
import type { ComponentInfo } from './components.ts'
import { centreOf, connect, copyElements, moveNodes, pasteElements, removeElements, type Clipboard, type EditorDocument, type Point } from './document.ts'

export const DRAG_TYPE = 'application/x-potok-component'

export interface Selection {
  nodes: string[]
  edges: number[]
}

export interface EditorCanvasProps {
  doc: EditorDocument
  onChange: (doc: EditorDocument, group?: string) => void
  problems: PlacedProblems
  selection: Selection
  onSelect: (selection: Selection) => void
  /** Adds a component where it was dropped (`host`: the activity a boundary event was dropped on). */
  onDropComponent: (type: string, centre: Point, host?: string) => void
  components: readonly ComponentInfo[]
}

const BOUNDARY_GAP = 30

/** Where each node is drawn: its top-left corner (boundary events relative to their activity). */
function placements(doc: EditorDocument): Map<string, { x: number; y: number; parent?: string }> {
  const out = new Map<string, { x: number; y: number; parent?: string }>()
  const byId = new Map(doc.nodes.map((n) => [n.id, n]))
  const layered = needsPositions(doc) ? layeredPositions(doc) : new Map<string, Point>()
  const onHost = new Map<string, number>()
  for (const node of doc.nodes) {
    const shape = shapeOf(node.type)
    const size = SIZES[shape]
    const host = node.attachedTo ? byId.get(node.attachedTo) : undefined
    if (shape === 'boundary' && host && shapeOf(host.type) === 'activity') {
      const k = onHost.get(host.id) ?? 0
      onHost.set(host.id, k + 1)
      out.set(node.id, { x: 24 + k * BOUNDARY_GAP, y: SIZES.activity.height - size.height / 2, parent: host.id })
      continue
    }
    // A node without a position (a scenario written as JSON) is drawn in its layer until moved.
    const centre = centreOf(node) ?? layered.get(node.id) ?? { x: 100, y: 100 }
    out.set(node.id, { x: centre.x - size.width / 2, y: centre.y - size.height / 2 })
  }
  return out
}

export function EditorCanvas({ doc, onChange, problems, selection, onSelect, onDropComponent, components }: EditorCanvasProps) {
  const { t, lang } = useI18n()
  const flow = useReactFlow()
  const clipboard = useRef<Clipboard | null>(null)
  const kinds = useMemo(() => new Map(components.map((c) => [c.type, c.kind])), [components])

  const built = useMemo(() => {
    const placed = placements(doc)
    const selected = new Set(selection.nodes)
    const nodes: CanvasNode[] = []
    // Parents first: React Flow needs an activity before the boundary events drawn on it.
    const ordered = [...doc.nodes].sort((a, b) => Number(!!placed.get(a.id)?.parent) - Number(!!placed.get(b.id)?.parent))
    for (const node of ordered) {
      const at = placed.get(node.id)!
      const shape = shapeOf(node.type)
      const display = componentName(lang, node.type)
      const named = node.name?.trim()
      nodes.push({
        id: node.id,
        type: shape,
        position: { x: at.x, y: at.y },
        ...(at.parent ? { parentId: at.parent } : {}),
        width: SIZES[shape].width,
        height: SIZES[shape].height,
        // Said as measured, so rebuilt nodes keep their handle positions (see graph/ScenarioGraph.tsx).
        measured: { width: SIZES[shape].width, height: SIZES[shape].height },
        zIndex: shape === 'boundary' ? 2 : 1,
        selected: selected.has(node.id),
        draggable: !at.parent,
        connectable: true,
        ariaLabel: named || node.id,
        data: { node, shape, title: named || display, caption: named && named !== display ? display : node.id, problems: problems.nodes.get(node.id), selected: selected.has(node.id) },
      })
    }
    return nodes
  }, [doc, selection.nodes, problems, lang])

  // React Flow moves nodes while dragging; the document changes when the drag ends.
  const [nodes, setNodes] = useState<CanvasNode[]>(built)
  useEffect(() => setNodes(built), [built])

  const edges: Edge[] = useMemo(() => {
    const ids = new Set(doc.nodes.map((n) => n.id))
    const chosen = new Set(selection.edges)
    return doc.edges.flatMap((edge, index) => {
      if (!ids.has(edge.from) || !ids.has(edge.to)) return []
      const label = edgeLabel(edge, t('graph.default'))
      const bad = problems.edges.get(index)?.length
      const color = bad ? 'var(--fail)' : chosen.has(index) ? 'var(--accent)' : 'var(--edge)'
      return [
        {
          id: `e${index}`,
          source: edge.from,
          target: edge.to,
          type: 'smoothstep',
          selected: chosen.has(index),
          label: label ? edgeLabelText(label) : undefined,
          ariaLabel: `${edge.from} → ${edge.to}${label ? `: ${label}` : ''}`,
          markerEnd: { type: MarkerType.ArrowClosed, color, width: 16, height: 16 },
          style: { stroke: color, strokeWidth: chosen.has(index) ? 2.4 : 1.6 },
          labelBgPadding: [4, 2] as [number, number],
          className: bad ? 'has-problems' : undefined,
          data: { index },
        },
      ]
    })
  }, [doc, selection.edges, problems, t])

  // Selection lives in the editor (the inspector shows what is selected): React Flow's select
  // changes are turned into a new selection; removal goes through `onDelete`.
  // React Flow reports a click as several changes (deselect the node, select the edge) in
  // separate calls before the editor re-renders: each builds on the one before.
  const latest = useRef(selection)
  latest.current = selection
  const select = useCallback(
    (nodeChanges: Array<{ id: string; selected: boolean }>, edgeChanges: Array<{ index: number; selected: boolean }>) => {
      if (!nodeChanges.length && !edgeChanges.length) return
      const nodeSet = new Set(latest.current.nodes)
      const edgeSet = new Set(latest.current.edges)
      for (const c of nodeChanges) c.selected ? nodeSet.add(c.id) : nodeSet.delete(c.id)
      for (const c of edgeChanges) c.selected ? edgeSet.add(c.index) : edgeSet.delete(c.index)
      latest.current = { nodes: [...nodeSet], edges: [...edgeSet] }
      onSelect(latest.current)
    },
    [onSelect],
  )

  const onNodesChange = useCallback(
    (changes: NodeChange<CanvasNode>[]) => {
      setNodes((current) =>
        applyNodeChanges(
          changes.filter((c) => c.type === 'position' || c.type === 'dimensions'),
          current,
        ),
      )
      select(
        changes.flatMap((c) => (c.type === 'select' ? [{ id: c.id, selected: c.selected }] : [])),
        [],
      )
    },
    [select],
  )

  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      select(
        [],
        changes.flatMap((c) => (c.type === 'select' ? [{ index: Number(c.id.slice(1)), selected: c.selected }] : [])),
      )
    },
    [select],
  )

  const onDragStop = useCallback(
    (_: unknown, _node: CanvasNode, dragged: CanvasNode[]) => {
      const centres = new Map<string, Point>()
      // The first move of a scenario without positions keeps where every node is drawn.
      const moved = needsPositions(doc) ? [...nodes.filter((n) => !dragged.some((d) => d.id === n.id)), ...dragged] : dragged
      for (const n of moved) {
        if (n.parentId) continue
        const size = SIZES[shapeOf(n.data.node.type)]
        centres.set(n.id, { x: n.position.x + size.width / 2, y: n.position.y + size.height / 2 })
      }
      if (centres.size) onChange(moveNodes(doc, centres))
    },
    [doc, nodes, onChange],
  )

  const onConnect = useCallback(
    (connection: Connection) => {
      if (connection.source && connection.target) onChange(connect(doc, connection.source, connection.target))
    },
    [doc, onChange],
  )

  const onDelete = useCallback(
    ({ nodes: gone, edges: cut }: { nodes: CanvasNode[]; edges: Edge[] }) => {
      onChange(removeElements(doc, new Set(gone.map((n) => n.id)), new Set(cut.map((e) => (e.data as { index: number }).index))))
      onSelect({ nodes: [], edges: [] })
    },
    [doc, onChange, onSelect],
  )

  const onDragOver = (event: DragEvent) => {
    if (!event.dataTransfer.types.includes(DRAG_TYPE)) return
    event.preventDefault()
    event.dataTransfer.dropEffect = 'copy'
  }
  const onDrop = (event: DragEvent) => {
    const type = event.dataTransfer.getData(DRAG_TYPE)
    if (!type) return
    event.preventDefault()
    const centre = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY })
    // A boundary event dropped on an activity is attached to it.
    const target = kinds.get(type) === 'boundary' ? flow.getIntersectingNodes({ x: centre.x - 2, y: centre.y - 2, width: 4, height: 4 }).find((n) => n.type === 'activity') : undefined
    onDropComponent(type, centre, target?.id)
  }

  const onKeyDown = (event: KeyboardEvent) => {
    const target = event.target as HTMLElement
    if (target.closest('input, textarea, select, .cm-editor')) return
    const mod = event.ctrlKey || event.metaKey
    if (mod && event.key.toLowerCase() === 'c' && selection.nodes.length) {
      clipboard.current = copyElements(doc, new Set(selection.nodes))
      event.preventDefault()
    } else if (mod && event.key.toLowerCase() === 'v' && clipboard.current?.nodes.length) {
      const pasted = pasteElements(doc, clipboard.current, { x: 40, y: 40 })
      onChange(pasted.doc)
      onSelect({ nodes: pasted.ids, edges: [] })
      // The next paste lands further along.
      clipboard.current = { ...clipboard.current, nodes: clipboard.current.nodes.map((n) => (n.position ? { ...n, position: { x: n.position.x + 40, y: n.position.y + 40 } } : n)) }
      event.preventDefault()
    }
  }

  return (
    <div className="graph graph-editor" role="region" aria-label={t('editor.canvas')} data-testid="canvas" onDragOver={onDragOver} onDrop={onDrop} onKeyDown={onKeyDown}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onNodeDragStop={onDragStop}
        onConnect={onConnect}
        onDelete={onDelete}
        onEdgesChange={onEdgesChange}
        deleteKeyCode={['Delete', 'Backspace']}
        connectionRadius={30}
        minZoom={0.1}
        maxZoom={2}
        fitView
        fitViewOptions={{ padding: 0.2, maxZoom: 1.1 }}
        ariaLabelConfig={{ 'node.a11yDescription.default': t('editor.a11y.node'), 'edge.a11yDescription.default': t('editor.a11y.edge'), 'minimap.ariaLabel': t('editor.minimap') }}
      >
        <Background gap={16} size={1} color="var(--grid)" />
        <Controls showInteractive={false} />
        <MiniMap pannable zoomable nodeStrokeWidth={3} ariaLabel={t('editor.minimap')} />
      </ReactFlow>
      {!doc.nodes.length ? <div className="graph-message">{t('editor.emptyCanvas')}</div> : null}
    </div>
  )
}
