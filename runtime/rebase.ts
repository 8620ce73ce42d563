/**
 * Moving a stopped process onto another version of its scenario («resume on the current
 * version»). A snapshot names its states by node position (`s3`, and `activity_s3`, `timer_s3`
 * for what a node invoked); a newer version may number its nodes differently, so the snapshot is
 * rewritten node by node, through the node ids both versions share. Where the process stood
 * must exist in the new version, and the result must be a state the new machine knows — else
 * the resume is refused with the reason, and nothing changes.
 *
 * @example
 * const moved = rebaseSnapshot(snapshot, version1, version2)   // throws NOT_RESUMABLE when it cannot
 */
import { compileScenario } from './compile.ts'
import { PotokError } from './errors.ts'
import type { Scenario } from './types.ts'

const STATE_KEY = /^((?:activity|timer|timeout)_)?s(\d+)$/

export function rebaseSnapshot(snapshot: unknown, from: Scenario, to: Scenario): unknown {
  const newIndex = new Map(to.nodes.map((node, index) => [node.id, index]))
  const rename = (key: string): string => {
    const match = STATE_KEY.exec(key)
    if (!match) return key
    const node = from.nodes[Number(match[2])]
    const index = node ? newIndex.get(node.id) : undefined
    if (index === undefined) {
      throw new PotokError('NOT_RESUMABLE', `the process stopped at node "${node?.id ?? key}", which version ${to.version ?? 'current'} of scenario "${to.id}" no longer has; replay it instead`, {
        details: { nodeId: node?.id ?? null },
      })
    }
    return `${match[1] ?? ''}s${index}`
  }
  const walk = (value: unknown, keysOnly: boolean): unknown => {
    if (typeof value === 'string') return keysOnly ? value : rename(value)
    if (Array.isArray(value)) return value.map((item) => walk(item, keysOnly))
    if (!value || typeof value !== 'object') return value
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [rename(key), walk(inner, keysOnly)]))
  }
  const taken = snapshot as { value?: unknown; children?: Record<string, unknown>; context?: { error?: { nodeId?: string } | null } } & Record<string, unknown>
  // A failed process resumes by entering the node that failed again: it must still be there.
  const failedAt = taken.value === 'failed' ? taken.context?.error?.nodeId : undefined
  if (failedAt !== undefined && !newIndex.has(failedAt)) {
    throw new PotokError('NOT_RESUMABLE', `the process failed at node "${failedAt}", which version ${to.version ?? 'current'} of scenario "${to.id}" no longer has; replay it instead`, {
      details: { nodeId: failedAt },
    })
  }
  const moved = {
    ...taken,
    value: walk(taken.value, false),
    // Children keep their own snapshots (a promise's input, a timer's key): only their ids move.
    children: Object.fromEntries(Object.entries(taken.children ?? {}).map(([id, child]) => [rename(id), child])),
  }
  try {
    compileScenario(to).durableMachine.resolveState({ value: moved.value as never, context: taken.context as never })
  } catch (error) {
    throw new PotokError('NOT_RESUMABLE', `where the process stopped has no counterpart in version ${to.version ?? 'current'} of scenario "${to.id}" (${(error as Error).message}); replay it instead`)
  }
  return moved
}
