/**
 * Escape corpus: each attempt runs as a scenario expression or `code` body; afterwards the
 * host must be untouched and the next call must see a pristine sandbox (docs/sandbox.md: an escape
 * from the sandbox is a security defect).
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { getSandbox, type Sandbox } from '../../runtime/sandbox.ts'

declare global {
  // eslint-disable-next-line no-var
  var potokSentinel: string | undefined
}

let sandbox: Sandbox
const hostArrayMap = Array.prototype.map
const hostJsonParse = JSON.parse
const hostObjectToString = Object.prototype.toString

/** Everything a leak could change, read from inside the sandbox. */
const PROBE = `[
  typeof globalThis.leak, typeof leak, ({}).polluted, [].polluted, Object.prototype.toString.call([]), String({}),
  [1, 2].map((x) => x + 1), JSON.parse('[1]'), JSON.stringify({ a: 1 }), [...new Set([1, 1])],
  Object.getOwnPropertyNames(globalThis).sort().join(), Object.getOwnPropertyNames(Object.prototype).length,
  Object.getOwnPropertyNames(Array.prototype).length, Object.getOwnPropertyNames(Function.prototype).length,
  new Error('e').name, new Error('e').message, typeof Error.prepareStackTrace, typeof process, typeof require,
  typeof eval, typeof console, typeof setTimeout,
  moment.locale(), moment.utc('2024-01-02').format('MMMM Do dddd LL'), moment.localeData().months().join(),
  moment.relativeTimeThreshold('s'), typeof moment.fn.hacked, typeof moment.localeData().leak,
  _.isEmpty({}), typeof _.hacked, _.template('<%= a %>!')({ a: 1 }), _.templateSettings.interpolate.source,
  typeof Object.getPrototypeOf(function* () {}).hacked, (function* () { yield 1 })().next().value,
  Symbol.iterator in [], typeof Symbol.prototype.hacked, Promise.prototype.then.name,
]`
let baseline: unknown

beforeAll(async () => {
  globalThis.potokSentinel = 'untouched'
  sandbox = await getSandbox()
  baseline = sandbox.evaluate([sandbox.compile(PROBE)], {})[0]
})

interface Attempt {
  name: string
  /** An expression, or with `code: true` a function body. */
  source: string
  code?: boolean
  /** Further checks on the outcome (value, or the error message). */
  check?: (outcome: { value?: unknown; error?: Error }) => void
}

const noHostReach = ({ value, error }: { value?: unknown; error?: Error }) => {
  const text = JSON.stringify(value ?? null) + String(error?.message ?? '')
  expect(text).not.toMatch(/\/work\/|node_modules|node:internal|v20\.|process\.env/)
}
const mustFail = ({ error }: { error?: Error }) => expect(error).toBeDefined()

const attempts: Attempt[] = [
  { name: 'this.constructor.constructor', source: "this.constructor.constructor('return process')()", check: mustFail },
  { name: 'arrow function constructor', source: "(() => {}).constructor('return process')()", check: mustFail },
  { name: 'Function returning this', source: "Function('return this')().process", check: ({ value }) => expect(value).toBeUndefined() },
  { name: 'Function returning globalThis', source: "Function('return globalThis')()", check: ({ value }) => expect(value).toEqual({}) },
  { name: 'async function constructor', source: "Object.getPrototypeOf(async function () {}).constructor('return process')()" },
  { name: 'generator constructor', source: "Object.getPrototypeOf(function* () {}).constructor('yield process')().next()", check: mustFail },
  { name: 'eval', source: "eval('process')", check: mustFail },
  { name: 'indirect eval declaring a global let', source: "(0, globalThis.eval)('let leak = 1')", check: mustFail },
  { name: 'Function declaring a global', source: "Function('leak = 1; globalThis.leak = 1')()" },
  { name: 'dynamic import', source: "import('fs')", check: ({ value }) => expect(value).toEqual({}) },
  { name: 'dynamic import in code', source: "return import('fs').then((fs) => typeof fs.readFileSync)", code: true, check: mustFail },
  { name: 'require', source: "require('fs')", check: mustFail },
  { name: 'process', source: 'process.env', check: mustFail },
  { name: 'write to globalThis', source: 'globalThis.leak = 1', check: mustFail },
  { name: 'sloppy global write in code', source: 'leak = 1\nreturn leak', code: true, check: mustFail },
  { name: 'defineProperty on globalThis', source: "Object.defineProperty(globalThis, 'leak', { value: 1 })", check: mustFail },
  { name: '__proto__ pollution', source: '({}).__proto__.polluted = 1', check: mustFail },
  { name: 'Object.prototype.toString replaced', source: "Object.prototype.toString = () => 'hacked'", check: mustFail },
  { name: 'override setter aimed at the prototype', source: "Object.getOwnPropertyDescriptor(Object.prototype, 'toString').set.call(Object.prototype, () => 'x')", check: mustFail },
  { name: 'override setter aimed at Array.prototype', source: "Object.getOwnPropertyDescriptor(Object.prototype, 'toString').set.call(Array.prototype, () => 'x')", check: mustFail },
  { name: 'Array.prototype.map replaced', source: "Array.prototype.map = () => 'hacked'", check: mustFail },
  { name: 'Array.prototype property added', source: 'Array.prototype.polluted = 1', check: mustFail },
  { name: 'delete a built-in', source: 'delete Array.prototype.map', check: mustFail },
  { name: 'JSON.parse replaced', source: 'JSON.parse = () => 1', check: mustFail },
  { name: 'setPrototypeOf on Object.prototype', source: 'Object.setPrototypeOf(Object.prototype, { polluted: 1 })', check: mustFail },
  { name: 'hidden generator prototype', source: 'Object.getPrototypeOf(function* () {}).hacked = 1', check: mustFail },
  { name: 'Symbol.iterator on Array.prototype', source: 'Array.prototype[Symbol.iterator] = function* () {}', check: mustFail },
  { name: 'Symbol.prototype', source: 'Symbol.prototype.hacked = 1', check: mustFail },
  { name: 'Symbol.toPrimitive on a returned object', source: "({ [Symbol.toPrimitive]() { return 'x' }, a: 1 })", check: ({ value }) => expect(value).toEqual({ a: 1 }) },
  { name: 'Symbol.toPrimitive throwing while coerced', source: "'' + { [Symbol.toPrimitive]() { throw new Error('boom') } }", check: mustFail },
  { name: 'getter looping on a returned object', source: '({ get a() { for (;;) {} } })', check: mustFail },
  { name: 'toJSON returning the global', source: '({ toJSON() { return globalThis } })', check: ({ value }) => expect(value).toEqual({}) },
  { name: 'valueOf and toString traps', source: '({ valueOf() { throw 1 }, toString() { throw 2 }, a: 1 })', check: ({ value }) => expect(value).toEqual({ a: 1 }) },
  {
    name: 'Proxy returned as a value',
    source: "new Proxy({}, { ownKeys() { return ['a'] }, getOwnPropertyDescriptor() { return { value: 1, enumerable: true, configurable: true } }, get() { return 2 } })",
    check: ({ value }) => expect(value).toEqual({ a: 2 }),
  },
  { name: 'Proxy with throwing traps', source: "new Proxy({}, { ownKeys() { throw new Error('trap') } })", check: mustFail },
  { name: 'thrown Proxy', source: "(() => { throw new Proxy({}, { get() { throw new Error('nested') } }) })()", check: mustFail },
  { name: 'Error.prepareStackTrace', source: 'Error.prepareStackTrace = (error, stack) => stack', check: mustFail },
  { name: 'error stack contents', source: "new Error('x').stack", check: noHostReach },
  { name: 'caller of a sloppy function', source: "Function('return (function f() { return f.caller })()')()", check: noHostReach },
  { name: 'arguments.callee in strict code', source: "(function () { 'use strict'; return arguments.callee })()", check: mustFail },
  { name: 'lodash template reaching process', source: "_.template('<%= process.pid %>')()", check: mustFail },
  { name: 'lodash template writing a global', source: "_.template('<% globalThis.leak = 1 %>x')()" },
  { name: 'lodash templateSettings', source: '_.templateSettings.interpolate = /x/g', check: mustFail },
  { name: 'lodash mixin', source: '_.mixin({ hacked: () => 1 })' },
  { name: 'lodash wrapper prototype', source: 'Object.getPrototypeOf(_([1])).hacked = 1', check: mustFail },
  { name: 'moment.locale', source: "moment.locale('ru')" },
  { name: 'moment.defineLocale', source: "moment.defineLocale('xx', { months: 'a_b_c_d_e_f_g_h_i_j_k_l'.split('_') })" },
  { name: 'moment.updateLocale', source: "moment.updateLocale('en', { months: 'a_b_c_d_e_f_g_h_i_j_k_l'.split('_') })" },
  { name: 'moment locale object mutated', source: "(moment.localeData().leak = 1, moment.localeData()._months = ['x'])" },
  { name: 'moment relativeTimeThreshold', source: "moment.relativeTimeThreshold('s', 1)" },
  { name: 'moment.fn', source: 'moment.fn.hacked = 1', check: mustFail },
  { name: 'huge string', source: "'x'.repeat(2 ** 28).length", check: mustFail },
  { name: 'deep recursion', source: '(function f() { return f() + 1 })()', check: mustFail },
  { name: 'deep recursion in JSON.stringify', source: '(() => { let o = {}; for (let i = 0; i < 1e5; i++) o = { o }; return o })()', check: mustFail },
  { name: 'infinite loop', source: '(() => { while (true) {} })()', check: mustFail },
  { name: 'promise job that loops', source: 'Promise.resolve().then(() => { for (;;) {} })' },
  { name: 'promise job chain that never ends', source: '(function f() { return Promise.resolve().then(f) })()' },
  { name: 'promise job writing later', source: 'Promise.resolve().then(() => { globalThis.leak = 1 })' },
  { name: 'Atomics.wait', source: 'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)', check: mustFail },
  { name: 'WebAssembly', source: 'WebAssembly.compile', check: mustFail },
  { name: 'timers', source: 'setTimeout(() => {}, 0)', check: mustFail },
  { name: 'cyclic object returned', source: '(() => { const a = {}; a.self = a; return a })()', check: mustFail },
  { name: 'FinalizationRegistry', source: 'new FinalizationRegistry(() => {})', check: mustFail },
  { name: 'structured write into a variable path', source: 'Object.getPrototypeOf(body).polluted = 1', check: mustFail },
]

describe('escape corpus', () => {
  it('has at least 30 attempts', () => {
    expect(attempts.length).toBeGreaterThanOrEqual(30)
  })

  for (const attempt of attempts) {
    it(`contains: ${attempt.name}`, async () => {
      const outcome: { value?: unknown; error?: Error } = {}
      try {
        if (attempt.code) {
          outcome.value = sandbox.runCode(sandbox.compileCode(attempt.source, []), {}, 1_000)
        } else {
          outcome.value = sandbox.evaluate([sandbox.compile(attempt.source)], { body: { a: 1 } })[0]
        }
      } catch (error) {
        outcome.error = error as Error
        expect(error).toMatchObject({ code: expect.stringMatching(/^(EXPRESSION_ERROR|UNDEFINED_VARIABLE)$/) })
      }
      noHostReach(outcome)
      attempt.check?.(outcome)

      // The host is untouched…
      expect(globalThis.potokSentinel).toBe('untouched')
      expect(Object.keys(Object.prototype)).toEqual([])
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
      expect(Array.prototype.map).toBe(hostArrayMap)
      expect(JSON.parse).toBe(hostJsonParse)
      expect(Object.prototype.toString).toBe(hostObjectToString)
      expect((globalThis as Record<string, unknown>).leak).toBeUndefined()
      // …and the next call sees a pristine sandbox.
      sandbox = await getSandbox()
      expect(sandbox.evaluate([sandbox.compile(PROBE)], {})[0]).toEqual(baseline)
    })
  }

  it('does not let a variable path pollute prototypes', () => {
    const writes = sandbox.assign(
      [
        { path: '__proto__.polluted', expr: sandbox.compile('1') },
        { path: 'constructor.prototype.polluted', expr: sandbox.compile('2') },
        { path: 'seen', expr: sandbox.compile('[({}).polluted, typeof constructor]') },
      ],
      {},
    )
    expect(writes[2]!.value).toEqual([null, 'object'])
    expect(sandbox.evaluate([sandbox.compile(PROBE)], {})[0]).toEqual(baseline)
  })

  it('does not hand host functions to the sandbox', () => {
    const vars = { fn: () => process, date: new Date(0), nested: { fn: () => 1 } }
    expect(sandbox.evaluate([sandbox.compile('[typeof fn, date, typeof nested.fn]')], vars)[0]).toEqual(['undefined', '1970-01-01T00:00:00.000Z', 'undefined'])
  })
})
