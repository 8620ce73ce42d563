/**
 * Finds where a validation path (`nodes[2].config.assignments[0].value`) sits in a JSON text,
 * using CodeMirror's JSON syntax tree, so a problem can be underlined where it is.
 */
import { syntaxTree } from '@codemirror/language'
import type { EditorState } from '@codemirror/state'
import type { SyntaxNode } from '@lezer/common'

/** `nodes[2].config.x` → ['nodes', 2, 'config', 'x']. */
export function parsePath(path: string): Array<string | number> {
  const segments: Array<string | number> = []
  for (const match of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (match[2] !== undefined) segments.push(Number(match[2]))
    else if (match[1] !== '(root)') segments.push(match[1])
  }
  return segments
}

const VALUES = new Set(['Object', 'Array', 'String', 'Number', 'True', 'False', 'Null'])

function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = []
  for (let child = node.firstChild; child; child = child.nextSibling) out.push(child)
  return out
}

/**
 * The text range of the deepest existing value along `path` (a missing key points at its
 * object; `nodes[2].name` with no name underlines node 2). Null when the text has no value.
 */
export function locatePath(state: EditorState, path: string): { from: number; to: number } | null {
  const tree = syntaxTree(state)
  let node: SyntaxNode | null = children(tree.topNode).find((c) => VALUES.has(c.name)) ?? null
  if (!node) return null
  let property: SyntaxNode | null = null
  for (const segment of parsePath(path)) {
    let next: SyntaxNode | null = null
    if (typeof segment === 'number' && node.name === 'Array') {
      next = children(node).filter((c) => VALUES.has(c.name))[segment] ?? null
      property = null
    } else if (typeof segment === 'string' && node.name === 'Object') {
      for (const prop of children(node).filter((c) => c.name === 'Property')) {
        const name = prop.getChild('PropertyName')
        if (!name) continue
        let key: string
        try {
          key = JSON.parse(state.sliceDoc(name.from, name.to))
        } catch {
          continue
        }
        if (key === segment) {
          next = children(prop).find((c) => VALUES.has(c.name)) ?? null
          property = prop
          break
        }
      }
    }
    if (!next) break
    node = next
  }
  // A scalar value: underline the whole property (`"name": 1`); a container: its first line.
  const target = property && !['Object', 'Array'].includes(node.name) ? property : node
  const from = target.from
  const line = state.doc.lineAt(from)
  const to = ['Object', 'Array'].includes(target.name) ? Math.min(target.to, line.to) : target.to
  return { from, to: Math.max(to, from + 1) }
}
