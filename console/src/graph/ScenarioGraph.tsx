/**
 * The scenario as a graph on a React Flow canvas, laid out by ELK — or, when every node carries
 * a diagram position (a scenario imported from BPMN), drawn where its author put each node. Shows validation problems on
 * their nodes and edges, and — given a trace — the path a process took: visited nodes and edges
 * numbered in order, the rest dimmed, failed nodes red.
 */
import { Background, Controls, MarkerType, MiniMap, ReactFlow, ReactFlowProvider, useReactFlow } from '@xyflow/react'
import '@xyflow/react/dist/style.css'
import { useEffect, useMemo, useRef, useState } from 'react'
import { componentName, useI18n } from '../i18n.ts'
import type { Problem } from '../types.ts'
import { layoutGraph, edgeLabelText, type Layout } from './layout.ts'
import { buildModel, type GraphModel } from './model.ts'
import { hasPositions, positionedLayout, positionsKey } from './positioned.ts'
import { nodeTypes, type CanvasNode } from './nodes.tsx'
import { placeProblems } from './problems.ts'
import { edgeTypes, type CanvasEdge } from './RoutedEdge.tsx'
import type { Trace } from './trace.ts'

/** From this many nodes on, the graph shows a minimap. */
const LARGE = 25

export interface ScenarioGraphProps {
  /** The scenario document (may be invalid while it is being edited). */
  scenario: unknown
  problems?: readonly Problem[]
  trace?: Trace | null
  selectedNode?: string | null
  onNodeClick?: (nodeId: string) => void
  className?: string
}

export function ScenarioGraph(props: ScenarioGraphProps) {
  return (
    <ReactFlowProvider>
      <Canvas {...props} />
    </ReactFlowProvider>
  )
}

/**
 * A key that changes when the layout must: structure, labels and sizes — and the positions when
 * they are drawn from — not configs.
 */
function layoutKey(model: GraphModel, lang: string): string {
  return JSON.stringify([
    lang,
    hasPositions(model) ? positionsKey(model) : 'elk',
    model.nodes.map((n) => [n.node.id, n.node.type, n.node.name, n.host]),
    model.edges.map((e) => [e.index, e.edge.from, e.edge.to, e.label]),
  ])
}

function Canvas({ scenario, problems = [], trace, selectedNode, onNodeClick, className }: ScenarioGraphProps) {
  const { t, lang } = useI18n()
  const flow = useReactFlow()
  const model = useMemo(() => buildModel(scenario, t('graph.default')), [scenario, t])
  const key = layoutKey(model, lang)
  const [layout, setLayout] = useState<{ key: string; value: Layout } | null>(null)
  const [failed, setFailed] = useState<string | null>(null)

  const titleOf = useMemo(() => {
    const byId = new Map(model.nodes.map((n) => [n.node.id, n.node]))
    return (id: string) => {
      const node = byId.get(id)
      return node?.name?.trim() || (node ? componentName(lang, node.type) : id)
    }
  }, [model, lang])

  useEffect(() => {
    let cancelled = false
    const placed = positionedLayout(model)
    ;(placed ? Promise.resolve(placed) : layoutGraph(model, titleOf)).then(
      (value) => {
        if (cancelled) return
        setLayout({ key, value })
        setFailed(null)
      },
      (error: Error) => !cancelled && setFailed(error.message),
    )
    return () => {
      cancelled = true
    }
    // The layout depends only on what `key` captures.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key])

  // Fit the view when the set of nodes changes (not on every keystroke in the editor).
  const nodeSet = model.nodes.map((n) => n.node.id).join('\n')
  useEffect(() => {
    if (!layout) return
    const timer = setTimeout(() => flow.fitView({ padding: 0.12, maxZoom: 1.25 }), 30)
    return () => clearTimeout(timer)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [nodeSet, layout !== null])

  // Fit again when the canvas changes size (a problem list opens, the window is resized).
  const box = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const element = box.current
    if (!element || typeof ResizeObserver === 'undefined') return
    let last = ''
    let timer: ReturnType<typeof setTimeout> | undefined
    const observer = new ResizeObserver(([entry]) => {
      const size = `${Math.round(entry.contentRect.width)}x${Math.round(entry.contentRect.height)}`
      if (size === last) return
      const first = last === ''
      last = size
      if (first) return
      clearTimeout(timer)
      timer = setTimeout(() => flow.fitView({ padding: 0.12, maxZoom: 1.25 }), 60)
    })
    observer.observe(element)
    return () => {
      observer.disconnect()
      clearTimeout(timer)
    }
  }, [flow])

  const placed = useMemo(() => placeProblems(scenario, problems), [scenario, problems])

  const { nodes, edges } = useMemo(() => {
    if (!layout) return { nodes: [] as CanvasNode[], edges: [] as CanvasEdge[] }
    const nodes: CanvasNode[] = []
    for (const n of model.nodes) {
      const box = layout.value.nodes.get(n.node.id)
      if (!box) continue
      const named = n.node.name?.trim()
      const display = componentName(lang, n.node.type)
      nodes.push({
        id: n.node.id,
        type: n.shape,
        position: { x: box.x, y: box.y },
        width: n.width,
        height: n.height,
        // Known sizes, said as measured: a node object rebuilt without \`measured\` makes React
        // Flow drop its handle positions, and every edge disappears until it measures again
        // (after a Resume, edges vanished until a reload).
        measured: { width: n.width, height: n.height },
        zIndex: n.shape === 'boundary' ? 2 : 1,
        data: {
          node: n.node,
          shape: n.shape,
          title: named || display,
          caption: named && named !== display ? display : n.node.id,
          steps: trace?.nodeSteps.get(n.node.id),
          failed: trace?.failed.has(n.node.id),
          running: trace?.running.has(n.node.id),
          dimmed: !!trace && !trace.nodeSteps.has(n.node.id),
          selected: selectedNode === n.node.id,
          problems: placed.nodes.get(n.node.id),
        },
        draggable: false,
        connectable: false,
      })
    }
    const edges: CanvasEdge[] = model.edges.map((e) => {
      const route = layout.value.edges.get(e.index)
      const steps = trace?.edgeSteps.get(e.index)
      const edgeProblems = placed.edges.get(e.index)
      const color = edgeProblems?.length ? 'var(--fail)' : steps?.length ? 'var(--accent)' : trace ? 'var(--edge-dim)' : 'var(--edge)'
      return {
        id: `e${e.index}`,
        source: e.edge.from,
        target: e.edge.to,
        type: 'routed',
        selectable: false,
        className: `${steps?.length ? 'is-visited' : ''}${trace && !steps?.length ? ' is-dimmed' : ''}`,
        markerEnd: { type: MarkerType.ArrowClosed, color, width: 16, height: 16 },
        style: { stroke: color, strokeWidth: steps?.length ? 2.4 : 1.4 },
        data: {
          points: route?.points,
          labelBox: route?.label,
          label: e.label ? edgeLabelText(e.label) : undefined,
          fullLabel: e.label,
          steps,
          problems: edgeProblems,
          dimmed: !!trace && !steps?.length,
        },
      }
    })
    return { nodes, edges }
  }, [layout, model, trace, selectedNode, placed, lang])

  return (
    <div ref={box} className={`graph ${className ?? ''}`} data-testid="graph" data-layout={layout ? (hasPositions(model) ? 'positions' : 'elk') : undefined}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        nodesDraggable={false}
        nodesConnectable={false}
        edgesFocusable={false}
        onNodeClick={(_, node) => onNodeClick?.(node.id)}
        minZoom={0.2}
        maxZoom={2}
        fitView
        fitViewOptions={{ padding: 0.12, maxZoom: 1.25 }}
      >
        <Background gap={16} size={1} color="var(--grid)" />
        <Controls showInteractive={false} />
        {/* A large scenario does not fit the view readably: a minimap to find one's way. */}
        {model.nodes.length > LARGE ? <MiniMap pannable zoomable nodeStrokeWidth={3} ariaLabel={t('editor.minimap')} /> : null}
      </ReactFlow>
      {failed ? (
        <div className="graph-message">
          {t('graph.layoutFailed')}: {failed}
        </div>
      ) : null}
      {!model.nodes.length ? <div className="graph-message">{t('graph.empty')}</div> : null}
    </div>
  )
}
