/**
 * The node renderers of the canvas, one per shape: events are circles, gateways diamonds,
 * activities rounded rectangles, boundary events small circles sitting on their activity's
 * edge. Each shows its step numbers (process view) and its validation problems (editor).
 */
import { Handle, Position, type NodeProps, type Node } from '@xyflow/react'
import type { Problem, ScenarioNode } from '../types.ts'
import { NodeIcon } from './icons.tsx'
import type { Shape } from './model.ts'
import { stepBadge } from './trace.ts'

export interface NodeData extends Record<string, unknown> {
  node: ScenarioNode
  shape: Shape
  title: string
  caption: string
  steps?: number[]
  problems?: Problem[]
  failed?: boolean
  running?: boolean
  /** A trace is shown and this node was not on it. */
  dimmed?: boolean
  selected?: boolean
}

export type CanvasNode = Node<NodeData>

function classes(data: NodeData): string {
  return [
    'node',
    `node-${data.shape}`,
    `type-${data.node.type}`,
    data.steps?.length ? 'is-visited' : '',
    data.failed ? 'is-failed' : '',
    data.running ? 'is-running' : '',
    data.dimmed ? 'is-dimmed' : '',
    data.selected ? 'is-selected' : '',
    data.problems?.length ? 'has-problems' : '',
  ]
    .filter(Boolean)
    .join(' ')
}

function tooltip(data: NodeData): string {
  const lines = [`${data.title} — ${data.node.id} (${data.node.type})`]
  if (data.node.documentation) lines.push(data.node.documentation)
  for (const problem of data.problems ?? []) lines.push(`⚠ ${problem.path}: ${problem.message}`)
  return lines.join('\n')
}

function Badges({ data }: { data: NodeData }) {
  return (
    <>
      {data.steps?.length ? (
        <span className="step-badge" data-testid="step-badge">
          {stepBadge(data.steps)}
        </span>
      ) : null}
      {data.problems?.length ? (
        <span className="problem-badge" data-testid="problem-badge">
          !{data.problems.length > 1 ? data.problems.length : ''}
        </span>
      ) : null}
    </>
  )
}

/** Connection points: connectable only on the editor's canvas (the node's `connectable`). */
function Handles({ connectable = false }: { connectable?: boolean }) {
  return (
    <>
      <Handle type="target" position={Position.Left} isConnectable={connectable} />
      <Handle type="source" position={Position.Right} isConnectable={connectable} />
    </>
  )
}

function common(data: NodeData) {
  return {
    className: classes(data),
    title: tooltip(data),
    'data-node-id': data.node.id,
    'data-visited': data.steps?.length ? 'true' : 'false',
    'data-failed': data.failed ? 'true' : 'false',
    'data-steps': data.steps?.join(',') ?? '',
  }
}

export function ActivityNode({ data, isConnectable }: NodeProps<CanvasNode>) {
  return (
    <div {...common(data)}>
      <Handles connectable={isConnectable} />
      <NodeIcon type={data.node.type} />
      <div className="node-text">
        <div className="node-title">{data.title}</div>
        <div className="node-caption">{data.caption}</div>
      </div>
      <Badges data={data} />
    </div>
  )
}

export function EventNode({ data, isConnectable }: NodeProps<CanvasNode>) {
  return (
    <div {...common(data)}>
      <Handles connectable={isConnectable} />
      <div className="shape">
        <NodeIcon type={data.node.type} size={16} />
      </div>
      <div className="outside-label">{data.title}</div>
      <Badges data={data} />
    </div>
  )
}

export function GatewayNode({ data, isConnectable }: NodeProps<CanvasNode>) {
  return (
    <div {...common(data)}>
      <Handles connectable={isConnectable} />
      <div className="shape" />
      <NodeIcon type={data.node.type} size={20} />
      <div className="outside-label">{data.title}</div>
      <Badges data={data} />
    </div>
  )
}

export function BoundaryNode({ data, isConnectable }: NodeProps<CanvasNode>) {
  return (
    <div {...common(data)}>
      <Handles connectable={isConnectable} />
      <div className="shape">
        <NodeIcon type={data.node.type} size={14} />
      </div>
      <Badges data={data} />
    </div>
  )
}

export const nodeTypes = { activity: ActivityNode, event: EventNode, gateway: GatewayNode, boundary: BoundaryNode }
