/** Small glyphs drawn inside nodes, by component type (plain SVG: nothing is fetched). */
import type { ReactElement } from 'react'

const stroke = { fill: 'none', stroke: 'currentColor', strokeWidth: 1.6, strokeLinecap: 'round', strokeLinejoin: 'round' } as const

const glyphs: Record<string, ReactElement> = {
  setVariables: <path {...stroke} d="M3 6h6M3 10h6M12 5l4 6M16 5l-4 6" />,
  code: <path {...stroke} d="M6 5 2 9l4 4M12 5l4 4-4 4M10 3 8 15" />,
  webRequest: (
    <g {...stroke}>
      <circle cx="9" cy="9" r="6.5" />
      <path d="M2.5 9h13M9 2.5c2.2 2.4 2.2 10.6 0 13M9 2.5c-2.2 2.4-2.2 10.6 0 13" />
    </g>
  ),
  subProcess: (
    <g {...stroke}>
      <rect x="2.5" y="3.5" width="13" height="11" rx="2" />
      <path d="M9 6.5v5M6.5 9h5" />
    </g>
  ),
  parser: <path {...stroke} d="M6 3c-2 0-2 1.5-2 3s-1 3-2 3c1 0 2 1.5 2 3s0 3 2 3M12 3c2 0 2 1.5 2 3s1 3 2 3c-1 0-2 1.5-2 3s0 3-2 3" />,
  respond: <path {...stroke} d="M7 4 3 8l4 4M3 8h8a4 4 0 0 1 4 4v2" />,
  timer: (
    <g {...stroke}>
      <circle cx="9" cy="9" r="5.5" />
      <path d="M9 5.5V9l2.5 1.5" />
    </g>
  ),
  timeoutBoundary: (
    <g {...stroke}>
      <circle cx="9" cy="9" r="5.5" />
      <path d="M9 5.5V9l2.5 1.5" />
    </g>
  ),
  errorBoundary: <path {...stroke} d="M10.5 2.5 5 10h4l-1.5 5.5L13 8H9z" />,
  errorEnd: <path {...stroke} d="M10.5 2.5 5 10h4l-1.5 5.5L13 8H9z" />,
  exclusiveGateway: <path {...stroke} strokeWidth={2.4} d="M5 5l8 8M13 5l-8 8" />,
  parallelGateway: <path {...stroke} strokeWidth={2.4} d="M9 3.5v11M3.5 9h11" />,
  start: <path fill="currentColor" d="M7 5.5v7l5.5-3.5z" />,
  end: <rect x="5.5" y="5.5" width="7" height="7" rx="1" fill="currentColor" />,
}

const generic = (
  <g {...stroke}>
    <rect x="3" y="3" width="12" height="12" rx="2.5" />
    <path d="M6 9h6" />
  </g>
)

export function NodeIcon({ type, size = 18 }: { type: string; size?: number }) {
  return (
    <svg className="node-icon" width={size} height={size} viewBox="0 0 18 18" aria-hidden="true">
      {glyphs[type] ?? generic}
    </svg>
  )
}
