/**
 * A line diff (longest common subsequence) for comparing two scenario versions as pretty JSON,
 * folded into hunks with a few lines of context.
 */
export type DiffLine = { op: 'same' | 'add' | 'del'; text: string; a?: number; b?: number }

/** Every line of `a` and `b`, marked kept, deleted (only in a) or added (only in b). */
export function diffLines(a: string, b: string): DiffLine[] {
  const x = a.split('\n')
  const y = b.split('\n')
  // Trim the common head and tail: versions usually differ in a few places.
  let head = 0
  while (head < x.length && head < y.length && x[head] === y[head]) head++
  let tail = 0
  while (tail < x.length - head && tail < y.length - head && x[x.length - 1 - tail] === y[y.length - 1 - tail]) tail++
  const xs = x.slice(head, x.length - tail)
  const ys = y.slice(head, y.length - tail)
  const n = xs.length
  const m = ys.length
  const out: DiffLine[] = []
  for (let i = 0; i < head; i++) out.push({ op: 'same', text: x[i], a: i + 1, b: i + 1 })
  // lcs[i][j] = LCS length of xs[i..] and ys[j..], one flat array.
  const width = m + 1
  const lcs = new Uint32Array((n + 1) * width)
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * width + j] = xs[i] === ys[j] ? lcs[(i + 1) * width + j + 1] + 1 : Math.max(lcs[(i + 1) * width + j], lcs[i * width + j + 1])
    }
  }
  let i = 0
  let j = 0
  while (i < n || j < m) {
    if (i < n && j < m && xs[i] === ys[j]) {
      out.push({ op: 'same', text: xs[i], a: head + i + 1, b: head + j + 1 })
      i++
      j++
    } else if (i < n && (j >= m || lcs[(i + 1) * width + j] >= lcs[i * width + j + 1])) {
      // Deletions before additions, as diffs are read.
      out.push({ op: 'del', text: xs[i], a: head + i + 1 })
      i++
    } else {
      out.push({ op: 'add', text: ys[j], b: head + j + 1 })
      j++
    }
  }
  for (let k = 0; k < tail; k++) out.push({ op: 'same', text: x[x.length - tail + k], a: x.length - tail + k + 1, b: y.length - tail + k + 1 })
  return out
}

export type Hunk = { lines: DiffLine[] } | { skipped: number }

/** Keeps `context` unchanged lines around each change; the runs between become `{ skipped }`. */
export function foldDiff(lines: readonly DiffLine[], context = 3): Hunk[] {
  const keep = new Array<boolean>(lines.length).fill(false)
  lines.forEach((line, index) => {
    if (line.op === 'same') return
    for (let k = Math.max(0, index - context); k <= Math.min(lines.length - 1, index + context); k++) keep[k] = true
  })
  const hunks: Hunk[] = []
  let skipped = 0
  let current: DiffLine[] | null = null
  lines.forEach((line, index) => {
    if (keep[index]) {
      if (skipped) hunks.push({ skipped })
      skipped = 0
      if (!current) hunks.push({ lines: (current = []) })
      current.push(line)
    } else {
      skipped++
      current = null
    }
  })
  if (skipped) hunks.push({ skipped })
  return hunks
}
