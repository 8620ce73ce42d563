/**
 * `CodeEditor` loaded on first use: CodeMirror is a large part of the console's script and
 * only the pages that show JSON need it.
 */
import { lazy, Suspense, type Ref } from 'react'
import type { CodeEditorHandle, CodeEditorProps } from './CodeEditor.tsx'

const Editor = lazy(() => import('./CodeEditor.tsx').then((module) => ({ default: module.CodeEditor })))

export function LazyCodeEditor({ ref, ...props }: CodeEditorProps & { ref?: Ref<CodeEditorHandle> }) {
  return (
    <Suspense fallback={<div className={`code-editor ${props.className ?? ''}`} data-testid="code-editor-loading" />}>
      <Editor ref={ref} {...props} />
    </Suspense>
  )
}
