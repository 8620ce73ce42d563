// Runs once inside each fresh QuickJS context (see engine.ts), before any scenario code.
// It hardens the context — no eval, intrinsics frozen, `_` and `moment` loaded on first use —
// and returns the runner: the one function the host calls per step, JSON in, JSON out.
// This file is a single function expression, evaluated as a script; it is not a module.
(function prelude(lodashSource, momentSource, ruLocaleSource) {
  'use strict'
  const G = globalThis
  const {
    create, freeze, isFrozen, getPrototypeOf, setPrototypeOf, defineProperty,
    getOwnPropertyDescriptor, hasOwn,
  } = Object
  const ownKeys = Reflect.ownKeys
  const apply = Reflect.apply
  const FunctionCtor = Function
  const parse = JSON.parse
  const stringify = JSON.stringify
  const PromiseCtor = Promise
  const promiseThen = Promise.prototype.then
  const InternalErrorCtor = G.InternalError
  const StringCtor = String

  // An indirect `eval` would declare `let`/`const` in the global lexical scope, which freezing
  // cannot stop and which the next call would see. Nothing else creates global bindings.
  // Weak references and finalizers run code at GC time, i.e. during someone else's call.
  for (const name of ['eval', 'WeakRef', 'FinalizationRegistry', 'SharedArrayBuffer', 'Atomics', 'WebAssembly']) {
    delete G[name]
  }

  // Freezing a prototype turns `obj.toString = f` on objects inheriting from it into an error
  // (the "override mistake"); moment, lodash and ordinary Error subclasses do exactly that.
  // These properties become accessors whose setter defines an own property on the receiver.
  function enableOverride(proto, key) {
    const desc = getOwnPropertyDescriptor(proto, key)
    if (!desc || !('value' in desc)) return
    const value = desc.value
    defineProperty(proto, key, {
      get() { return value },
      set(next) {
        if (this === proto) throw new TypeError('Cannot assign to read only property \'' + StringCtor(key) + '\'')
        defineProperty(this, key, { value: next, writable: true, enumerable: true, configurable: true })
      },
      enumerable: desc.enumerable,
      configurable: false,
    })
  }
  const overridable = [
    [Object.prototype, ['constructor', 'toString', 'valueOf', 'toLocaleString', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable']],
    [Function.prototype, ['constructor', 'toString']],
    [Array.prototype, ['constructor', 'toString', 'push', 'concat']],
    [Promise.prototype, ['constructor', 'then']],
  ]
  for (const E of [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError, AggregateError, InternalErrorCtor]) {
    if (E) overridable.push([E.prototype, ['constructor', 'name', 'message', 'toString']])
  }
  for (const [proto, keys] of overridable) for (const key of keys) enableOverride(proto, key)

  // Everything reachable from the global object, plus intrinsics that no global names.
  const frozen = new WeakSet()
  function deepFreeze(root) {
    const queue = [root]
    while (queue.length > 0) {
      const value = queue.pop()
      if ((typeof value !== 'object' && typeof value !== 'function') || value === null) continue
      if (frozen.has(value)) continue
      frozen.add(value)
      freeze(value)
      queue.push(getPrototypeOf(value))
      for (const key of ownKeys(value)) {
        const desc = getOwnPropertyDescriptor(value, key)
        if (desc === undefined) continue
        if ('value' in desc) queue.push(desc.value)
        else queue.push(desc.get, desc.set)
      }
    }
    return root
  }
  function* generator() { /* for its intrinsics */ }
  async function* asyncGenerator() { /* for its intrinsics */ }
  const hiddenIntrinsics = [
    getPrototypeOf(generator), getPrototypeOf(asyncGenerator), getPrototypeOf(async function () {}),
    generator(), asyncGenerator(),
    [][Symbol.iterator](), new Map()[Symbol.iterator](), new Set()[Symbol.iterator](),
    ''[Symbol.iterator](), 'a'.matchAll(/a/g), getPrototypeOf(Uint8Array),
    getOwnPropertyDescriptor(Function.prototype, 'caller'),
    (function () { return arguments })(),
  ]
  if (typeof Iterator === 'function') {
    try { hiddenIntrinsics.push([].values().map((x) => x), Iterator.from({ next() { return { done: true } } })) } catch { /* not supported */ }
  }

  // Libraries: compiled and run on first reference (lodash alone costs ~100 ms in QuickJS).
  // Each runs as a CommonJS module so it never writes to the (frozen) global object.
  function loadModule(source) {
    const module = { exports: {} }
    apply(FunctionCtor('module', 'exports', source), undefined, [module, module.exports])
    return module.exports
  }
  let lodash
  let loadingLodash = false
  function getLodash() {
    // lodash reads `root._` while loading (for noConflict): answer undefined then.
    if (lodash === undefined && !loadingLodash) {
      loadingLodash = true
      try {
        lodash = deepFreezeLodash(loadModule(lodashSource))
      } finally {
        loadingLodash = false
      }
    }
    return lodash
  }
  function deepFreezeLodash(l) {
    deepFreeze(l)
    // Prototypes reachable only through instances: wrappers and the caches behind memoize.
    deepFreeze(l([1]).map((x) => x).reverse())
    deepFreeze(l.memoize((x) => x).cache)
    let stack
    l.isEqualWith([{}], [{}], (a, b, key, x, y, s) => { stack = stack || s })
    deepFreeze(stack)
    return l
  }

  // moment keeps global state in its closure (global locale, locale registry, thresholds) and
  // in the shared Locale object every moment instance points to: freezing cannot reach all of
  // it. So: the global locale is reset before the next call; the Locale object's caches are
  // warmed, its values frozen and its own properties snapshotted; a call that changed the
  // registry, thresholds or that object makes the next call load a fresh moment (~2 ms).
  let momentFactory
  let ruLocaleFactory
  let moment
  let momentTouched = false
  let momentDirty = false
  let resetLocale = () => {}
  let localeChanged = () => false
  function getMoment() {
    momentTouched = true
    if (moment === undefined) {
      if (momentFactory === undefined) momentFactory = FunctionCtor('module', 'exports', momentSource)
      const module = { exports: {} }
      apply(momentFactory, undefined, [module, module.exports])
      // Bpium's scenarios format Russian dates (moment().locale('ru')): the `ru` locale is
      // registered, while the global locale stays `en` as in a plain moment.
      if (ruLocaleFactory === undefined) ruLocaleFactory = FunctionCtor('module', 'exports', 'require', ruLocaleSource)
      apply(ruLocaleFactory, undefined, [{ exports: {} }, {}, () => module.exports])
      module.exports.locale('en')
      moment = guardMoment(module.exports)
    }
    return moment
  }
  function guardMoment(m) {
    const original = m.locale
    for (const name of ['defineLocale', 'updateLocale', 'relativeTimeThreshold', 'relativeTimeRounding']) {
      const fn = m[name]
      m[name] = function () {
        if (arguments.length > 1 || (name === 'relativeTimeRounding' && arguments.length > 0) || name.endsWith('Locale')) momentDirty = true
        return apply(fn, this, arguments)
      }
    }
    warmMoment(m)
    const locale = m.localeData()
    deepFreeze(m)
    deepFreeze(getPrototypeOf(locale))
    deepFreeze(getPrototypeOf(m.duration(0)))
    const snapshots = [locale, m.localeData('ru')].map((data) => {
      const keys = ownKeys(data)
      const values = []
      for (const key of keys) values.push(deepFreeze(data[key]))
      return { data, keys, values }
    })
    resetLocale = () => { if (original() !== 'en') original('en') }
    localeChanged = () => {
      if (m.localeData() !== locale || m.localeData('ru') !== snapshots[1].data) return true
      for (const { data, keys, values } of snapshots) {
        const now = ownKeys(data)
        if (now.length !== keys.length) return true
        for (let i = 0; i < keys.length; i++) if (now[i] !== keys[i] || data[keys[i]] !== values[i]) return true
      }
      return false
    }
    return m
  }
  /** Fills the Locale object's lazy caches, so ordinary use leaves it as snapshotted. */
  function warmMoment(m) {
    const day = m.utc('2024-01-02T03:04:05Z')
    day.format('LT LTS L LL LLL LLLL l ll lll llll Do MMMM MMM dddd ddd dd N NN NNNN NNNNN y yo')
    day.fromNow(); day.calendar(); m.duration(1000).humanize()
    const ru = day.clone().locale('ru')
    ru.format('LT LTS L LL LLL LLLL l ll lll llll Do MMMM MMM D MMMM dddd ddd dd'); ru.fromNow(); ru.calendar()
    m.duration(1000).locale('ru').humanize()
    // The parse caches fill up to the name matched: match the last month and weekday.
    for (const [text, format] of [['December', 'MMMM'], ['Dec', 'MMM'], ['Saturday', 'dddd'], ['Sat', 'ddd'], ['Sa', 'dd'], ['2nd', 'Do'], ['AD 2020', 'N y'], ['Anno Domini', 'NNNN'], ['AD', 'NNNNN'], ['2020th', 'yo'], ['3 pm', 'h a'], ['Before Christ', 'NNNN'], ['BC', 'N']]) {
      m(text, format); m(text, format, true)
    }
  }
  function cleanUpMoment() {
    if (!momentTouched) return
    momentTouched = false
    resetLocale()
    if (momentDirty || localeChanged()) {
      momentDirty = false
      moment = undefined
    }
  }

  defineProperty(G, '_', { get: getLodash, enumerable: false, configurable: false })
  defineProperty(G, 'moment', { get: getMoment, enumerable: false, configurable: false })

  deepFreeze(G)
  for (const intrinsic of hiddenIntrinsics) deepFreeze(intrinsic)
  if (!isFrozen(Object.prototype)) throw new Error('sandbox hardening failed')

  // The scope an expression reads through: the call's variables, then the globals, then a
  // trap that throws for a missing variable (and answers `in` with false, for `typeof`).
  const missingVariable = new WeakMap()
  const missingTrap = new Proxy(freeze(create(null)), freeze({
    get(target, key) {
      if (typeof key === 'symbol') return undefined
      const error = new ReferenceError('Variable "' + key + '" is not defined')
      missingVariable.set(error, key)
      throw error
    },
    has() { return false },
  }))
  const globalsView = create(missingTrap)
  for (const key of ownKeys(G)) {
    if (typeof key !== 'string') continue
    const desc = getOwnPropertyDescriptor(G, key)
    defineProperty(globalsView, key, { ...desc, configurable: false })
  }
  freeze(globalsView)

  const compiled = []

  /** The value's JSON text, or undefined for what JSON drops (undefined, functions, symbols). */
  function toJson(value) {
    return stringify(value)
  }

  function describeError(error, index) {
    try {
      if (missingVariable.has(error)) return { t: 'undefined', n: missingVariable.get(error), i: index }
      if (error instanceof InternalErrorCtor && error.message === 'out of memory') return { t: 'oom', i: index }
      if ((typeof error === 'object' || typeof error === 'function') && error !== null) {
        const name = error.name
        const message = error.message
        if (typeof message === 'string') {
          return { t: 'error', m: (typeof name === 'string' && name !== '' && name !== 'Error' ? name + ': ' : '') + message, i: index }
        }
      }
      return { t: 'error', m: 'Uncaught ' + StringCtor(error), i: index }
    } catch {
      return { t: 'error', m: 'Uncaught exception', i: index }
    }
  }

  function newScope(vars) {
    return setPrototypeOf(vars, globalsView)
  }

  /** Writes `value` at a dotted path of the scope, creating missing objects (as the host will). */
  function writePath(scope, path, value) {
    const keys = path.split('.')
    let target = scope
    for (let k = 0; k < keys.length - 1; k++) {
      const key = keys[k]
      let next = hasOwn(target, key) ? target[key] : undefined
      if (typeof next !== 'object' || next === null) {
        next = {}
        defineProperty(target, key, { value: next, writable: true, enumerable: true, configurable: true })
      }
      target = next
    }
    defineProperty(target, keys[keys.length - 1], { value, writable: true, enumerable: true, configurable: true })
  }

  // Index of the expression running now, for the error report (set before each one runs).
  let current = 0

  function runStep(request) {
    const kind = request.k
    const ids = request.ids
    current = 0
    if (kind === 'code') {
      const args = request.args
      for (const i of request.ua) args[i] = undefined
      const value = apply(compiled[ids[0]], undefined, args)
      if (value instanceof PromiseCtor) return settleLater(value)
      return valuesJson([toJson(value)])
    }
    const scope = newScope(request.vars)
    if (kind === 'first') {
      for (let i = 0; i < ids.length; i++) {
        current = i
        if (compiled[ids[i]](scope)) return '{"i":' + i + '}'
      }
      return '{"i":-1}'
    }
    const paths = request.paths
    const jsons = []
    for (let i = 0; i < ids.length; i++) {
      current = i
      const json = toJson(compiled[ids[i]](scope))
      jsons.push(json)
      // Later lines see exactly what the host will store: the JSON form of the value (the host
      // sends a null path when no later line reads the variable).
      if (paths !== undefined && paths[i] !== null) writePath(scope, paths[i], json === undefined ? undefined : parse(json))
    }
    return valuesJson(jsons)
  }

  /** `{"r":[...],"u":[indexes whose value is undefined]}` from each value's JSON text. */
  function valuesJson(jsons) {
    let r = ''
    let u = ''
    for (let i = 0; i < jsons.length; i++) {
      const json = jsons[i]
      if (i > 0) r += ','
      if (json === undefined) {
        r += 'null'
        u += (u === '' ? '' : ',') + i
      } else {
        r += json
      }
    }
    return '{"r":[' + r + '],"u":[' + u + ']}'
  }

  // `code` may return a promise; the host drains the job queue, then asks for its outcome.
  let pending
  function settleLater(promise) {
    const state = { done: false, json: undefined, error: undefined }
    apply(promiseThen, promise, [
      (value) => { state.done = true; state.json = toJson(value) },
      (error) => { state.done = true; state.error = describeError(error, 0) },
    ])
    pending = state
    return '{"p":1}'
  }
  function settled() {
    const state = pending
    pending = undefined
    if (state === undefined || !state.done) return '{"x":{"t":"error","m":"code returned a promise that never settled","i":0}}'
    if (state.error !== undefined) return stringify({ x: state.error })
    return valuesJson([state.json])
  }

  function run(requestJson) {
    cleanUpMoment()
    pending = undefined
    try {
      return runStep(parse(requestJson))
    } catch (error) {
      return stringify({ x: describeError(error, current) })
    }
  }

  function register(fn) {
    compiled.push(fn)
    return compiled.length - 1
  }

  /** Loads a library outside any scenario call (the host calls it with a roomier stack). */
  function load(name) {
    if (name === '_') getLodash()
    else if (name === 'moment') { getMoment(); momentTouched = false }
    return true
  }

  return freeze({ run, register, settled, load, current: () => current })
})
