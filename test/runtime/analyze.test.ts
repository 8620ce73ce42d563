import { describe, expect, it } from 'vitest'
import { planExpression } from '../../runtime/sandbox/analyze.ts'

describe('planExpression: literal-only expressions', () => {
  it('marks literals, and arrays and objects of them, as constant', () => {
    for (const source of ['201', "'text'", '`plain`', '-1', '!0', 'null', 'true', "({ 'X-Flow': 'yes', n: [1, -2.5, { deep: null }] })", '[]', '{}']) {
      expect(planExpression(source).constant, source).toBe(true)
    }
  })

  it('leaves everything that reads, calls, computes or builds anew to the sandbox', () => {
    for (const source of [
      'x',
      'body.name',
      'undefined',
      'NaN',
      '1 + 1',
      '`a${1}`',
      '/re/',
      '10n',
      '[1, , 2]',
      '[...[1]]',
      '({ [1]: 2 })',
      '({ a })',
      '({ f() { return 1 } })',
      '({ get a() { return 1 } })',
      'Math.PI',
      "'a'.length",
      'new Date(0)',
      '(() => 1)()',
      '['.repeat(40) + ']'.repeat(40),
    ]) {
      expect(planExpression(source).constant, source).toBe(false)
    }
  })
})
