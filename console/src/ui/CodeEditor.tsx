/**
 * A CodeMirror 6 JSON editor. `lint` is called (debounced by CodeMirror's linter) on every
 * change with the text; it returns problems by JSON path, which are underlined where they sit.
 * Syntax errors are found locally, before anything is sent.
 */
import { json, jsonParseLinter } from '@codemirror/lang-json'
import { linter, lintGutter, type Diagnostic } from '@codemirror/lint'
import { EditorState } from '@codemirror/state'
import { EditorView, keymap } from '@codemirror/view'
import { basicSetup } from 'codemirror'
import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react'
import type { Problem } from '../types.ts'
import { locatePath } from './jsonPath.ts'

export interface CodeEditorHandle {
  /** Puts the cursor on the value at `path` and scrolls to it. */
  reveal(path: string): void
  /** Puts the cursor on the first occurrence of `text`. */
  find(text: string): void
}

export interface CodeEditorProps {
  value: string
  onChange?: (text: string) => void
  readOnly?: boolean
  /** Checks the text (already known to parse); resolves with the problems to underline. */
  lint?: (text: string) => Promise<Problem[]>
  onSave?: () => void
  className?: string
}

const theme = EditorView.theme({
  '&': { height: '100%', fontSize: '12.5px', backgroundColor: 'var(--panel)' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.5' },
  '.cm-gutters': { backgroundColor: 'var(--panel-2)', borderRight: '1px solid var(--border)', color: 'var(--muted)' },
  '&.cm-focused': { outline: 'none' },
  '.cm-activeLine': { backgroundColor: 'rgba(37, 99, 235, 0.05)' },
  '.cm-activeLineGutter': { backgroundColor: 'rgba(37, 99, 235, 0.08)' },
})

export const CodeEditor = forwardRef<CodeEditorHandle, CodeEditorProps>(function CodeEditor({ value, onChange, readOnly, lint, onSave, className }, ref) {
  const host = useRef<HTMLDivElement>(null)
  const view = useRef<EditorView | null>(null)
  const callbacks = useRef({ onChange, lint, onSave })
  callbacks.current = { onChange, lint, onSave }

  useEffect(() => {
    const parseLinter = jsonParseLinter()
    const extensions = [
      basicSetup,
      json(),
      theme,
      EditorView.lineWrapping,
      keymap.of([
        {
          key: 'Mod-s',
          preventDefault: true,
          run: () => {
            callbacks.current.onSave?.()
            return true
          },
        },
      ]),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) callbacks.current.onChange?.(update.state.doc.toString())
      }),
    ]
    if (readOnly) extensions.push(EditorState.readOnly.of(true), EditorView.editable.of(false))
    else {
      extensions.push(
        lintGutter(),
        linter(
          async (v): Promise<Diagnostic[]> => {
            const syntax = parseLinter(v)
            if (syntax.length || !callbacks.current.lint) return syntax
            const text = v.state.doc.toString()
            const problems = await callbacks.current.lint(text)
            if (v.state.doc.toString() !== text) return []
            return problems.map((problem) => {
              const at = locatePath(v.state, problem.path) ?? { from: 0, to: Math.min(1, v.state.doc.length) }
              return { ...at, severity: 'error', message: `${problem.path}: ${problem.message}` }
            })
          },
          { delay: 450 },
        ),
      )
    }
    const editor = new EditorView({ parent: host.current!, state: EditorState.create({ doc: value, extensions }) })
    view.current = editor
    return () => {
      editor.destroy()
      view.current = null
    }
    // The editor is created once per mode; `value` changes from outside are applied below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [readOnly])

  useEffect(() => {
    const editor = view.current
    if (editor && editor.state.doc.toString() !== value) {
      editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } })
    }
  }, [value])

  useImperativeHandle(
    ref,
    () => ({
      reveal(path) {
        const editor = view.current
        if (!editor) return
        const at = locatePath(editor.state, path)
        if (!at) return
        editor.dispatch({ selection: { anchor: at.from, head: at.to }, effects: EditorView.scrollIntoView(at.from, { y: 'center' }) })
        editor.focus()
      },
      find(text) {
        const editor = view.current
        if (!editor) return
        const from = editor.state.doc.toString().indexOf(text)
        if (from < 0) return
        editor.dispatch({ selection: { anchor: from, head: from + text.length }, effects: EditorView.scrollIntoView(from, { y: 'center' }) })
      },
    }),
    [],
  )

  return <div ref={host} className={`code-editor ${className ?? ''}`} data-testid="code-editor" />
})
