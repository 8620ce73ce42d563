/** Turns what the sandbox reports into the `PotokError` a scenario author reads (docs/sandbox.md). */
import { PotokError } from '../errors.ts'
import type { Failure } from './engine.ts'

export interface FailureContext {
  /** Sources of the expressions of the step, in order (a `code` step: its body). */
  sources: readonly string[]
  kind: 'expression' | 'code'
  timeoutMs: number
}

export function toPotokError(failure: Failure, { sources, kind, timeoutMs }: FailureContext): PotokError {
  const expression = sources[failure.i ?? 0] ?? sources[0] ?? ''
  if (failure.t === 'undefined') {
    const name = failure.n ?? ''
    return new PotokError('UNDEFINED_VARIABLE', `Variable "${name}" is not defined`, { details: { name, expression } })
  }
  const message = messageFor(failure, kind, timeoutMs)
  return new PotokError('EXPRESSION_ERROR', message, { details: { expression, message } })
}

function messageFor(failure: Failure, kind: 'expression' | 'code', timeoutMs: number): string {
  switch (failure.t) {
    case 'timeout':
      return `${kind} took longer than ${timeoutMs} ms`
    case 'oom':
      return `${kind} ran out of memory`
    case 'stack':
      return `${kind} recursed too deeply (stack overflow)`
    case 'crash':
      return `${kind} failed inside the sandbox`
    default:
      return failure.m ?? 'unknown error'
  }
}

/** A syntax error found when compiling. */
export function syntaxError(source: string, message: string): PotokError {
  return new PotokError('EXPRESSION_ERROR', message, { details: { expression: source, message } })
}
