/**
 * An edge drawn along the route ELK computed (orthogonal, rounded corners), with its label —
 * the condition or "default" — and, in a process, the step numbers it led into.
 */
import { BaseEdge, EdgeLabelRenderer, getSmoothStepPath, type Edge, type EdgeProps } from '@xyflow/react'
import type { Problem } from '../types.ts'
import type { Box, Point } from './layout.ts'
import { stepBadge } from './trace.ts'

export interface EdgeData extends Record<string, unknown> {
  points?: Point[]
  label?: string
  fullLabel?: string
  labelBox?: Box
  steps?: number[]
  problems?: Problem[]
  dimmed?: boolean
}

export type CanvasEdge = Edge<EdgeData>

/** An SVG path through `points` with corners rounded by up to `radius`. */
export function roundedPath(points: readonly Point[], radius = 8): string {
  if (points.length < 2) return ''
  let d = `M${points[0].x},${points[0].y}`
  for (let i = 1; i < points.length - 1; i++) {
    const [a, b, c] = [points[i - 1], points[i], points[i + 1]]
    const r = Math.min(radius, Math.hypot(b.x - a.x, b.y - a.y) / 2, Math.hypot(c.x - b.x, c.y - b.y) / 2)
    const p1 = toward(b, a, r)
    const p2 = toward(b, c, r)
    d += ` L${p1.x},${p1.y} Q${b.x},${b.y} ${p2.x},${p2.y}`
  }
  const last = points[points.length - 1]
  return `${d} L${last.x},${last.y}`
}

function toward(from: Point, to: Point, distance: number): Point {
  const length = Math.hypot(to.x - from.x, to.y - from.y) || 1
  return { x: from.x + ((to.x - from.x) / length) * distance, y: from.y + ((to.y - from.y) / length) * distance }
}

/** The middle of the longest segment: where a badge sits when there is no label. */
function midpoint(points: readonly Point[]): Point {
  let best = { length: -1, point: points[0] }
  for (let i = 1; i < points.length; i++) {
    const length = Math.hypot(points[i].x - points[i - 1].x, points[i].y - points[i - 1].y)
    if (length > best.length) best = { length, point: { x: (points[i].x + points[i - 1].x) / 2, y: (points[i].y + points[i - 1].y) / 2 } }
  }
  return best.point
}

export function RoutedEdge(props: EdgeProps<CanvasEdge>) {
  const { id, data, markerEnd, style } = props
  const points = data?.points
  let path: string
  let anchor: Point
  if (points && points.length >= 2) {
    path = roundedPath(points)
    anchor = midpoint(points)
  } else {
    const [d, x, y] = getSmoothStepPath(props)
    path = d
    anchor = { x, y }
  }
  const box = data?.labelBox
  const labelCenter = box ? { x: box.x + box.width / 2, y: box.y + box.height / 2 } : anchor
  const visited = !!data?.steps?.length
  const problem = !!data?.problems?.length
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} style={style} />
      <EdgeLabelRenderer>
        {data?.label ? (
          <div
            className={`edge-label${problem ? ' has-problems' : ''}${visited ? ' is-visited' : ''}${data.dimmed ? ' is-dimmed' : ''}`}
            style={{ transform: `translate(-50%, -50%) translate(${labelCenter.x}px, ${labelCenter.y}px)` }}
            title={[data.fullLabel, ...(data.problems ?? []).map((p) => `⚠ ${p.path}: ${p.message}`)].filter(Boolean).join('\n')}
          >
            {data.label}
          </div>
        ) : problem ? (
          <div
            className="edge-label has-problems"
            style={{ transform: `translate(-50%, -50%) translate(${anchor.x}px, ${anchor.y}px)` }}
            title={(data?.problems ?? []).map((p) => `${p.path}: ${p.message}`).join('\n')}
          >
            !
          </div>
        ) : null}
        {visited ? (
          <div
            className="edge-steps"
            data-testid="edge-steps"
            style={{ transform: `translate(-50%, -50%) translate(${data?.label ? labelCenter.x : anchor.x}px, ${data?.label ? labelCenter.y - 17 : anchor.y - 11}px)` }}
          >
            {stepBadge(data!.steps!)}
          </div>
        ) : null}
      </EdgeLabelRenderer>
    </>
  )
}

export const edgeTypes = { routed: RoutedEdge }
