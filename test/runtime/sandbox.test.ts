import { beforeAll, describe, expect, it } from 'vitest'
import { getSandbox, expressionSyntaxError, type Sandbox } from '../../runtime/sandbox.ts'
import { PotokError } from '../../runtime/errors.ts'

let sandbox: Sandbox
beforeAll(async () => {
  sandbox = await getSandbox()
})

function evaluate(source: string, vars: Record<string, unknown> = {}): unknown {
  return sandbox.evaluate([sandbox.compile(source)], vars)[0]
}

function failure(run: () => unknown): PotokError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(PotokError)
    return error as PotokError
  }
  throw new Error('expected a failure')
}

describe('expressions', () => {
  it('reads as JavaScript expressions wrapped in parentheses', () => {
    const vars = { body: { name: 'Ann', n: 41 }, переменная: 1, $status: 200 }
    expect(evaluate('{ a: 1 }')).toEqual({ a: 1 })
    expect(evaluate('{ a: 1, b: [1, 2,], }')).toEqual({ a: 1, b: [1, 2] })
    expect(evaluate('`Hello, ${body.name}!`', vars)).toBe('Hello, Ann!')
    expect(evaluate('переменная + 1', vars)).toBe(2)
    expect(evaluate('$status', vars)).toBe(200)
    expect(evaluate('body.n\n  +\n  1 // the answer', vars)).toBe(42)
    expect(evaluate('[1, 2, 3].map((x) => x * body.n).filter(function (y) { return y > 41 })', vars)).toEqual([82, 123])
    expect(evaluate('(({ body }) => body)({ body: 5 })', vars)).toBe(5)
    expect(evaluate('{ body }', vars)).toEqual({ body: { name: 'Ann', n: 41 } })
  })

  it('rejects statements and writes to variables at compile time', () => {
    for (const source of ['a; b', 'return 1', 'let x = 1', '1) ; (2', 'x = 1', 'x++', '[x] = [1]', '']) {
      const error = failure(() => sandbox.compile(source))
      expect(error.code).toBe('EXPRESSION_ERROR')
      expect(error.details).toMatchObject({ expression: source })
      expect(expressionSyntaxError(source)).toEqual(expect.any(String))
    }
    expect(expressionSyntaxError('a +\n b')).toBeNull()
    expect(expressionSyntaxError('1 +')).toMatch(/end of input/)
  })

  it('caches compiled expressions by source', () => {
    expect(sandbox.compile('1 + 1')).toBe(sandbox.compile('1 + 1'))
  })

  it('treats a missing variable as an error only when it is read', () => {
    expect(evaluate('typeof missing')).toBe('undefined')
    expect(evaluate('typeof body', { body: {} })).toBe('object')
    expect(evaluate('false && missing')).toBe(false)
    const error = failure(() => evaluate('1 + missing'))
    expect(error.code).toBe('UNDEFINED_VARIABLE')
    expect(error.message).toBe('Variable "missing" is not defined')
    expect(error.details).toEqual({ name: 'missing', expression: '1 + missing' })
    expect(failure(() => evaluate('arguments')).code).toBe('UNDEFINED_VARIABLE')
  })

  it('reports runtime errors with the expression', () => {
    const error = failure(() => evaluate('body.user.name', { body: {} }))
    expect(error.code).toBe('EXPRESSION_ERROR')
    expect(error.message).toMatch(/TypeError/)
    expect(error.details).toEqual({ expression: 'body.user.name', message: error.message })
    expect(error.message).not.toMatch(/node_modules|\.ts:/)
    expect(failure(() => evaluate('(() => { throw "plain" })()')).message).toMatch(/plain/)
  })

  it('returns JSON values', () => {
    expect(evaluate('undefined')).toBeUndefined()
    expect(evaluate('() => 1')).toBeUndefined()
    expect(evaluate('({ f() {}, s: Symbol("x"), u: undefined, n: 1 })')).toEqual({ n: 1 })
    expect(evaluate('new Date(0)')).toBe('1970-01-01T00:00:00.000Z')
    expect(evaluate('[undefined, 1]')).toEqual([null, 1])
    expect(evaluate('NaN')).toBeNull()
  })

  it('passes tagged binary values through', () => {
    const file = { $binary: 'aGVsbG8=', contentType: 'text/plain' }
    expect(evaluate('file', { file })).toEqual(file)
    expect(evaluate('file.contentType', { file })).toBe('text/plain')
    expect(sandbox.assign([{ path: 'copy', expr: sandbox.compile('file') }], { file })).toEqual([{ path: 'copy', value: file }])
  })

  it('copies only the read parts of large variables, with the same results', () => {
    const body = { name: 'Ann', n: 1, big: 'x'.repeat(200_000), list: [1, 2], nested: { a: { b: 1 }, c: 2 } }
    expect(evaluate('body.nested.a.b + body["n"] + body.list.length', { body })).toBe(4)
    expect(evaluate('Object.keys(body.nested)', { body })).toEqual(['a', 'c'])
    expect(evaluate('body.nested.hasOwnProperty("c")', { body })).toBe(true)
    expect(evaluate('body.toString === Object.prototype.toString', { body })).toBe(true)
    expect(evaluate('body.nested.a?.b', { body })).toBe(1)
    expect(evaluate('body.missing?.deep', { body })).toBeUndefined()
    expect(evaluate('body[["na", "me"].join("")]', { body })).toBe('Ann')
  })

  it('evaluates several expressions in one call', () => {
    const exprs = ['1', 'a + 1', '`${a}`'].map((source) => sandbox.compile(source))
    expect(sandbox.evaluate(exprs, { a: 1 })).toEqual([1, 2, '1'])
    expect(sandbox.evaluate([], {})).toEqual([])
  })
})

describe('firstTruthy', () => {
  it('stops at the first truthy condition', () => {
    const conditions = ['x > 10', 'x > 1', 'missing.thing'].map((source) => sandbox.compile(source))
    expect(sandbox.firstTruthy(conditions, { x: 5 })).toBe(1)
    expect(sandbox.firstTruthy(conditions.slice(0, 2), { x: 0 })).toBe(-1)
    const error = failure(() => sandbox.firstTruthy(conditions, { x: 0 }))
    expect(error.details).toMatchObject({ expression: 'missing.thing' })
  })
})

describe('assign', () => {
  it('runs top to bottom, each line seeing the writes before it', () => {
    const list = [
      { path: '$status', expr: sandbox.compile("'201'") },
      { path: '$headers', expr: sandbox.compile("({ 'X-Flow': 'yes' })") },
      { path: 'count', expr: sandbox.compile('count + 1') },
      { path: 'twice', expr: sandbox.compile('count * 2') },
    ]
    expect(sandbox.assign(list, { count: 1 })).toEqual([
      { path: '$status', value: '201' },
      { path: '$headers', value: { 'X-Flow': 'yes' } },
      { path: 'count', value: 2 },
      { path: 'twice', value: 4 },
    ])
  })

  it('writes dotted paths, creating missing objects and keeping other keys', () => {
    const list = [
      { path: 'user.address.city', expr: sandbox.compile("'Riga'") },
      { path: 'fresh.a.b', expr: sandbox.compile('1') },
      { path: 'summary', expr: sandbox.compile('[user.name, user.address.city, user.address.zip, fresh.a.b]') },
    ]
    const vars = { user: { name: 'Ann', address: { zip: 'LV-1' } } }
    expect(sandbox.assign(list, vars)).toEqual([
      { path: 'user.address.city', value: 'Riga' },
      { path: 'fresh.a.b', value: 1 },
      { path: 'summary', value: ['Ann', 'Riga', 'LV-1', 1] },
    ])
    expect(vars).toEqual({ user: { name: 'Ann', address: { zip: 'LV-1' } } })
  })

  it('lets later lines see the JSON form of earlier values', () => {
    const list = [
      { path: 'when', expr: sandbox.compile('new Date(0)') },
      { path: 'kind', expr: sandbox.compile('typeof when') },
      { path: 'nothing', expr: sandbox.compile('undefined') },
      { path: 'seen', expr: sandbox.compile('typeof nothing') },
    ]
    expect(sandbox.assign(list, {}).map((write) => write.value)).toEqual(['1970-01-01T00:00:00.000Z', 'string', undefined, 'undefined'])
  })

  it('answers literal-only lines with a fresh copy each time, and later lines still see them', () => {
    const list = () => [
      { path: '$status', expr: sandbox.compile('201') },
      { path: '$headers', expr: sandbox.compile("({ 'X-Flow': 'yes', list: [1, -2, 'три', null, true] })") },
      { path: 'flow', expr: sandbox.compile("$headers['X-Flow'] + '/' + $status") },
      { path: 'note', expr: sandbox.compile('`plain`') },
    ]
    const first = sandbox.assign(list(), {})
    expect(first).toEqual([
      { path: '$status', value: 201 },
      { path: '$headers', value: { 'X-Flow': 'yes', list: [1, -2, 'три', null, true] } },
      { path: 'flow', value: 'yes/201' },
      { path: 'note', value: 'plain' },
    ])
    ;(first[1]!.value as { list: unknown[] }).list.push('changed by the host')
    expect(sandbox.assign(list(), {})[1]!.value).toEqual({ 'X-Flow': 'yes', list: [1, -2, 'три', null, true] })
    expect(sandbox.evaluate([sandbox.compile("({ a: [1, 'b'] })"), sandbox.compile('x * 2'), sandbox.compile('-1')], { x: 4 })).toEqual([{ a: [1, 'b'] }, 8, -1])
  })

  it('names the failing line when literal-only lines before it were answered without the sandbox', () => {
    const list = [
      { path: 'a', expr: sandbox.compile("'literal'") },
      { path: 'b', expr: sandbox.compile('missing.thing') },
      { path: 'c', expr: sandbox.compile('[1, 2]') },
    ]
    const error = failure(() => sandbox.assign(list, {}))
    expect(error.details).toMatchObject({ expression: 'missing.thing' })
  })

  it('writes a line for the lines below only when one of them reads it, with the same results', () => {
    // `user` is read below its first write, `total` is not; a dotted write below keeps the earlier keys.
    const list = [
      { path: 'user', expr: sandbox.compile("({ name: 'Ann' })") },
      { path: 'total', expr: sandbox.compile('price * 2') },
      { path: 'user.city', expr: sandbox.compile("user.name + ' of Riga'") },
      { path: 'seen', expr: sandbox.compile('[user.name, user.city, typeof total]') },
    ]
    expect(sandbox.assign(list, { price: 5 }).map((write) => write.value)).toEqual([{ name: 'Ann' }, 10, 'Ann of Riga', ['Ann', 'Ann of Riga', 'number']])
  })
})

describe('libraries', () => {
  it('has lodash and moment', () => {
    expect(evaluate('_.isEmpty({})')).toBe(true)
    expect(evaluate("moment('2024-01-02').add(1, 'day').format('YYYY-MM-DD')")).toBe('2024-01-03')
    expect(evaluate("_.get(body, 'a.b')", { body: { a: { b: 7 } } })).toBe(7)
    expect(evaluate("moment.utc('2024-03-05T10:00:00Z').format('Do MMMM YYYY, LT')")).toBe('5th March 2024, 10:00 AM')
  })
})

describe('code', () => {
  it('sees only its inputs and returns a value', () => {
    const code = sandbox.compileCode('const total = a + b\nreturn { total, list: _.range(b) }', ['a', 'b'])
    expect(sandbox.runCode(code, { a: 1, b: 2, c: 3 }, 1000)).toEqual({ total: 3, list: [0, 1] })
    const seesOther = sandbox.compileCode('return typeof c', ['a'])
    expect(sandbox.runCode(seesOther, { a: 1, c: 3 }, 1000)).toBe('undefined')
    expect(sandbox.runCode(sandbox.compileCode('return x', ['x']), {}, 1000)).toBeUndefined()
    expect(sandbox.runCode(sandbox.compileCode('return (async () => x * 2)()', ['x']), { x: 21 }, 1000)).toBe(42)
    const rejected = failure(() => sandbox.runCode(sandbox.compileCode('return Promise.reject(new Error("no"))', []), {}, 1000))
    expect(rejected.message).toMatch(/no/)
  })

  it('must be a function body that returns', () => {
    expect(failure(() => sandbox.compileCode('const a = 1', [])).message).toMatch(/return/)
    expect(failure(() => sandbox.compileCode('return 1 })(); (function () {', [])).code).toBe('EXPRESSION_ERROR')
    expect(failure(() => sandbox.compileCode('return 1', ['not an identifier'])).code).toBe('EXPRESSION_ERROR')
    const error = failure(() => sandbox.runCode(sandbox.compileCode('return missing', []), {}, 1000))
    expect(error.code).toBe('EXPRESSION_ERROR')
    expect(error.message).toMatch(/missing/)
  })
})

describe('limits', () => {
  it('stops an infinite loop in an expression, then works again', async () => {
    const started = performance.now()
    const error = failure(() => evaluate('(() => { while (true) {} })()'))
    expect(error.message).toBe('expression took longer than 500 ms')
    expect(performance.now() - started).toBeLessThan(2_000)
    expect(failure(() => evaluate('(() => { for (;;) { try { for (;;) {} } catch {} } })()')).message).toMatch(/longer than/)
    sandbox = await getSandbox()
    expect(evaluate('1 + 1')).toBe(2)
  })

  it('stops an infinite loop in code after its own timeout', async () => {
    const started = performance.now()
    const error = failure(() => sandbox.runCode(sandbox.compileCode('while (true) {}\nreturn 1', []), {}, 200))
    expect(error.message).toBe('code took longer than 200 ms')
    expect(performance.now() - started).toBeLessThan(1_500)
    sandbox = await getSandbox()
    expect(sandbox.runCode(sandbox.compileCode('return 2', []), {}, 200)).toBe(2)
  })

  it('survives a memory bomb', async () => {
    const error = failure(() => evaluate('(() => { const a = []; for (;;) a.push("x".repeat(1e6) + a.length) })()'))
    expect(error.code).toBe('EXPRESSION_ERROR')
    expect(error.message).toMatch(/memory|longer than/)
    sandbox = await getSandbox()
    expect(evaluate('[1, 2].length')).toBe(2)
    expect(evaluate('_.sum([1, 2])')).toBe(3)
  })

  it('survives deep recursion', async () => {
    expect(failure(() => evaluate('(function f(n) { return f(n + 1) + 1 })(0)')).code).toBe('EXPRESSION_ERROR')
    sandbox = await getSandbox()
    expect(evaluate('"ok"')).toBe('ok')
  })
})
