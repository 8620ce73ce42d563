/**
 * A one-expression code field: CodeMirror with JavaScript highlighting (a small stream
 * tokenizer — the sandbox's expressions are JavaScript) and completion of the variables known
 * at this node, their dotted paths, and lodash (`_.`) and moment names. Labelled like any
 * input, so a person or a test finds it by its label.
 */
import { autocompletion, closeBrackets, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete'
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands'
import { HighlightStyle, StreamLanguage, syntaxHighlighting, type StringStream } from '@codemirror/language'
import { Annotation, Compartment, EditorState } from '@codemirror/state'
import { EditorView, keymap, placeholder as placeholderText } from '@codemirror/view'
import { tags } from '@lezer/highlight'
import { useEffect, useRef } from 'react'
import { LODASH, MOMENT } from './knownVariables.ts'

const KEYWORDS = new Set([
  'true',
  'false',
  'null',
  'undefined',
  'typeof',
  'instanceof',
  'in',
  'new',
  'return',
  'if',
  'else',
  'const',
  'let',
  'var',
  'function',
  'for',
  'while',
  'of',
  'this',
  'void',
  'delete',
])

/** Tokens of a JavaScript expression, enough for highlighting (strings, numbers, words, comments). */
const javascript = StreamLanguage.define<{ template: boolean }>({
  startState: () => ({ template: false }),
  token(stream: StringStream, state) {
    if (state.template) {
      while (!stream.eol()) {
        if (stream.next() === '`') {
          state.template = false
          break
        }
      }
      return 'string'
    }
    if (stream.eatSpace()) return null
    if (stream.match('//')) {
      stream.skipToEnd()
      return 'comment'
    }
    const ch = stream.next()!
    if (ch === '"' || ch === "'") {
      let escaped = false
      while (!stream.eol()) {
        const next = stream.next()
        if (next === ch && !escaped) break
        escaped = !escaped && next === '\\'
      }
      return 'string'
    }
    if (ch === '`') {
      state.template = true
      return this.token!(stream, state)
    }
    if (/\d/.test(ch)) {
      stream.match(/^[\d_]*(\.\d+)?([eE][+-]?\d+)?/)
      return 'number'
    }
    if (/[\p{L}_$]/u.test(ch)) {
      stream.match(/^[\p{L}\p{N}_$]*/u)
      const word = stream.current()
      if (KEYWORDS.has(word)) return 'keyword'
      return stream.string.charAt(stream.start - 1) === '.' ? 'propertyName' : 'variableName'
    }
    if (/[+\-*/%=<>!&|?:^~]/.test(ch)) return 'operator'
    return 'punctuation'
  },
})

const highlight = HighlightStyle.define([
  { tag: tags.string, color: '#0a7d3e' },
  { tag: tags.number, color: '#b45309' },
  { tag: tags.keyword, color: '#7c3aed', fontWeight: '600' },
  { tag: tags.variableName, color: '#1d4ed8' },
  { tag: tags.propertyName, color: '#0e7490' },
  { tag: tags.comment, color: '#6b7280', fontStyle: 'italic' },
  { tag: tags.operator, color: '#9f1239' },
])

const theme = EditorView.theme({
  '&': { fontSize: '12.5px', backgroundColor: 'var(--panel)', border: '1px solid var(--border)', borderRadius: '6px' },
  '&.cm-focused': { outline: '2px solid var(--accent)', outlineOffset: '-1px' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.5' },
  '.cm-content': { padding: '4px 2px' },
})

function completions(variables: () => readonly string[]) {
  return (context: CompletionContext): CompletionResult | null => {
    const lib = context.matchBefore(/\b(_|moment)\.[\w$]*$/)
    if (lib) {
      const [object] = lib.text.split('.')
      const names = object === '_' ? LODASH : MOMENT
      return { from: lib.from + object.length + 1, options: names.map((label) => ({ label, type: 'function', detail: object === '_' ? 'lodash' : 'moment' })) }
    }
    const word = context.matchBefore(/[\p{L}_$][\p{L}\p{N}_$.]*$/u)
    if (!word && !context.explicit) return null
    const from = word?.from ?? context.pos
    const typed = word?.text ?? ''
    const paths = variables()
    const options = [
      ...paths.filter((p) => p.startsWith(typed.split('.')[0])).map((label) => ({ label, type: 'variable', boost: label.includes('.') ? 0 : 1 })),
      { label: '_', type: 'namespace', detail: 'lodash' },
      { label: 'moment', type: 'function', detail: 'moment' },
    ]
    return { from, options, validFor: /^[\p{L}\p{N}_$.]*$/u }
  }
}

/** Marks a change that came from outside (the value prop), which is not reported back. */
const fromOutside = Annotation.define<boolean>()

export interface ExpressionFieldProps {
  id: string
  value: string
  onChange: (value: string) => void
  /** Variable paths known at this node (for completion). */
  variables: readonly string[]
  label: string
  invalid?: boolean
  describedBy?: string
  placeholder?: string
}

export function ExpressionField({ id, value, onChange, variables, label, invalid, describedBy, placeholder }: ExpressionFieldProps) {
  const host = useRef<HTMLDivElement>(null)
  const view = useRef<EditorView | null>(null)
  const latest = useRef({ onChange, variables })
  latest.current = { onChange, variables }
  const attributes = useRef(new Compartment())
  const attrs = () =>
    EditorView.contentAttributes.of({ id, 'aria-label': label, 'aria-invalid': invalid ? 'true' : 'false', ...(describedBy ? { 'aria-describedby': describedBy } : {}), 'data-expression': 'true' })

  useEffect(() => {
    const editor = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          history(),
          closeBrackets(),
          keymap.of([...defaultKeymap, ...historyKeymap]),
          javascript,
          syntaxHighlighting(highlight),
          autocompletion({ override: [completions(() => latest.current.variables)], activateOnTyping: true }),
          theme,
          EditorView.lineWrapping,
          placeholderText(placeholder ?? ''),
          attributes.current.of(attrs()),
          EditorView.updateListener.of((update) => {
            if (update.docChanged && !update.transactions.some((tr) => tr.annotation(fromOutside))) latest.current.onChange(update.state.doc.toString())
          }),
        ],
      }),
    })
    view.current = editor
    return () => {
      editor.destroy()
      view.current = null
    }
    // Created once; outside changes of `value` are applied below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])

  // Label and validity change while the field keeps its text, cursor and focus.
  useEffect(() => {
    view.current?.dispatch({ effects: attributes.current.reconfigure(attrs()) })
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id, label, invalid, describedBy])

  useEffect(() => {
    const editor = view.current
    if (editor && editor.state.doc.toString() !== value) editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value }, annotations: fromOutside.of(true) })
  }, [value])

  return <div ref={host} className={`expression-field${invalid ? ' is-invalid' : ''}`} />
}
