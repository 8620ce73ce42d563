/**
 * Undo and redo over whole documents. Edits that come in a burst (typing in a field, dragging)
 * are merged into one step when they carry the same `group` within a second.
 */
import { useCallback, useRef, useState } from 'react'

const MERGE_MS = 1000
const LIMIT = 200

export interface History<T> {
  value: T
  /** Replaces the value as a new undo step (`group`: merge with the previous edit of that group). */
  set: (next: T, group?: string) => void
  undo: () => void
  redo: () => void
  canUndo: boolean
  canRedo: boolean
}

export function useHistory<T>(initial: T): History<T> {
  const [state, setState] = useState({ past: [] as T[], value: initial, future: [] as T[] })
  const last = useRef<{ group?: string; at: number }>({ at: 0 })

  const set = useCallback((next: T, group?: string) => {
    const now = Date.now()
    const merge = group !== undefined && last.current.group === group && now - last.current.at < MERGE_MS
    last.current = { group, at: now }
    setState((s) => (s.value === next ? s : { past: merge ? s.past : [...s.past, s.value].slice(-LIMIT), value: next, future: [] }))
  }, [])
  const undo = useCallback(() => {
    last.current = { at: 0 }
    setState((s) => (s.past.length ? { past: s.past.slice(0, -1), value: s.past[s.past.length - 1], future: [s.value, ...s.future] } : s))
  }, [])
  const redo = useCallback(() => {
    last.current = { at: 0 }
    setState((s) => (s.future.length ? { past: [...s.past, s.value], value: s.future[0], future: s.future.slice(1) } : s))
  }, [])
  return { value: state.value, set, undo, redo, canUndo: state.past.length > 0, canRedo: state.future.length > 0 }
}
