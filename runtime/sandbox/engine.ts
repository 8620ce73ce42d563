/**
 * One QuickJS instance (its own WebAssembly module and memory) with the hardened context that
 * `prelude.js` sets up. The host talks to it through one function, `run(requestJson)`, so a
 * step is one host↔sandbox call. An engine that ran out of memory, overflowed the host stack
 * or failed inside WebAssembly is `retired` — QuickJS keeps answering, wrongly, after such
 * failures — and the sandbox swaps in a fresh one.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { localTimeImport } from './timeZone.ts'
import { runtimeLimits } from '../limits.ts'
import { newQuickJSWASMModuleFromVariant, newVariant, RELEASE_SYNC, type QuickJSContext, type QuickJSHandle, type QuickJSRuntime } from 'quickjs-emscripten'
import { watchMemory } from '../watch.ts'

export interface EngineLimits {
  /** Hard cap of the WebAssembly memory (QuickJS's own limit alone does not hold). */
  memoryBytes: number
}

/** What the runner answers (see prelude.js), or the host's account of a failed call. */
export type Reply = { r: unknown[]; u: number[] } | { i: number } | { x: Failure }

export interface Failure {
  /** `undefined`: a missing variable; `error`: thrown inside; the rest: the engine's limits. */
  t: 'undefined' | 'error' | 'timeout' | 'oom' | 'stack' | 'crash'
  /** Message (error) or variable name (undefined). */
  m?: string
  n?: string
  /** Index of the expression that failed, when known. */
  i?: number
}

const require = createRequire(import.meta.url)
const PAGE = 64 * 1024
/** QuickJS's own stack limit: below the depth at which Node's stack would overflow first. */
/** Most Promise jobs an expression may leave behind; a chain longer than that retires the engine. */
const MAX_JOBS = 10_000

let librarySources: { lodash: string; moment: string; ruLocale: string; prelude: string } | undefined
function sources() {
  librarySources ??= {
    lodash: readFileSync(require.resolve('lodash/lodash.min.js'), 'utf8'),
    moment: readFileSync(require.resolve('moment/min/moment.min.js'), 'utf8'),
    ruLocale: readFileSync(require.resolve('moment/locale/ru.js'), 'utf8'),
    prelude: readFileSync(new URL('./prelude.js', import.meta.url), 'utf8'),
  }
  return librarySources
}

let generations = 0

/** Compiled once per process: every engine instantiates the same module (V8 keeps its tiered-up code). */
let wasmModule: Promise<WebAssembly.Module> | undefined
function quickjsWasm(): Promise<WebAssembly.Module> {
  wasmModule ??= (async () => {
    const entry = require.resolve('@jitl/quickjs-wasmfile-release-sync')
    return WebAssembly.compile(readFileSync(new URL('./emscripten-module.wasm', pathToFileURL(entry))))
  })()
  return wasmModule
}

/**
 * The imports with emscripten's local-time import (minified name `a.m`, recognised by its body)
 * answering for the sandbox's time zone instead of the host's.
 */
function withSandboxTimeZone(imports: WebAssembly.Imports, zone: string, memory: WebAssembly.Memory): WebAssembly.Imports {
  const env = imports.a as Record<string, unknown> | undefined
  const original = env?.m
  if (typeof original !== 'function' || !/getTimezoneOffset/.test(String(original)) || !/getSeconds/.test(String(original))) {
    throw new Error('quickjs-emscripten changed: its local-time import was not found, so SANDBOX_TZ cannot be applied')
  }
  return { ...imports, a: { ...env, m: localTimeImport(zone, memory) } }
}

export class Engine {
  /** Distinguishes engines, so expressions know to register again in a new one. */
  readonly generation = ++generations
  /** Why this engine must not be used again (null while healthy). */
  retired: string | null = null
  private deadline = Infinity

  private constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly limits: EngineLimits,
    private readonly runtime: QuickJSRuntime,
    private readonly context: QuickJSContext,
    private readonly api: Record<'run' | 'register' | 'settled' | 'current' | 'load', QuickJSHandle>,
  ) {
    runtime.setInterruptHandler(() => {
      // Called every few thousand QuickJS instructions: cheap enough to tell a watcher how big
      // the heap got, so a worker killed at its deadline is known to have run out of memory.
      watchMemory(this.memory.buffer.byteLength)
      return performance.now() > this.deadline
    })
  }

  static async create(limits: EngineLimits): Promise<Engine> {
    const pages = Math.max(64, Math.floor(limits.memoryBytes / PAGE))
    const memory = new WebAssembly.Memory({ initial: Math.min(256, pages), maximum: pages })
    // Emscripten grows the heap through this method: the watcher hears of every growth, even
    // inside an allocation-heavy builtin that never reaches the interrupt handler.
    const grow = memory.grow.bind(memory)
    memory.grow = (delta: number) => {
      const before = grow(delta)
      watchMemory(memory.buffer.byteLength)
      return before
    }
    const compiled = await quickjsWasm()
    const zone = runtimeLimits().sandboxTimeZone
    const module = await newQuickJSWASMModuleFromVariant(
      newVariant(RELEASE_SYNC, {
        wasmMemory: memory,
        emscriptenModule: {
          // The hook emscripten offers for instantiating: the one place its imports can be changed.
          instantiateWasm: (imports: WebAssembly.Imports, onSuccess: (instance: WebAssembly.Instance) => void) => {
            const instance = new WebAssembly.Instance(compiled, withSandboxTimeZone(imports, zone, memory))
            onSuccess(instance)
            return instance.exports
          },
        } as object,
      }),
    )
    const runtime = module.newRuntime()
    runtime.setMaxStackSize(runtimeLimits().sandboxStackBytes)
    // Belt and braces: QuickJS's own limit fails allocations cleanly before the hard cap is hit.
    runtime.setMemoryLimit(Math.max(16 * 2 ** 20, limits.memoryBytes - 48 * 2 ** 20))
    const context = runtime.newContext()
    const { lodash, moment, ruLocale, prelude } = sources()
    const preludeFn = unwrap(context, context.evalCode(prelude, 'prelude.js'))
    const args = [context.newString(lodash), context.newString(moment), context.newString(ruLocale)]
    const api = unwrap(context, context.callFunction(preludeFn, context.undefined, ...args))
    for (const handle of [preludeFn, ...args]) handle.dispose()
    const handles = {
      run: context.getProp(api, 'run'),
      register: context.getProp(api, 'register'),
      settled: context.getProp(api, 'settled'),
      current: context.getProp(api, 'current'),
      load: context.getProp(api, 'load'),
    }
    api.dispose()
    return new Engine(memory, limits, runtime, context, handles)
  }

  /** Compiles a script (evaluating to a function) at global scope; its id, or the syntax error. */
  register(script: string): number | { error: string } {
    const { context } = this
    this.deadline = performance.now() + 5_000
    try {
      const compiled = context.evalCode(script, 'expression.js')
      if (compiled.error) {
        const error = context.dump(compiled.error) as { name?: string; message?: string }
        compiled.error.dispose()
        return { error: error?.message ?? String(error) }
      }
      const id = unwrap(context, context.callFunction(this.api.register, context.undefined, compiled.value))
      compiled.value.dispose()
      const value = context.getNumber(id)
      id.dispose()
      return value
    } catch (error) {
      this.retire(`compile failed: ${(error as Error).message}`)
      return { error: 'sandbox failure while compiling' }
    } finally {
      this.deadline = Infinity
    }
  }

  /**
   * Loads `_` or `moment` now, outside any scenario call: their minified sources nest deeper
   * than the stack a scenario gets, and take 50–150 ms that no expression's deadline should pay.
   */
  loadLibrary(name: '_' | 'moment'): void {
    if (this.loaded.has(name)) return
    const { context, runtime } = this
    runtime.setMaxStackSize(0)
    this.deadline = performance.now() + 10_000
    try {
      const arg = context.newString(name)
      const result = context.callFunction(this.api.load, context.undefined, arg)
      arg.dispose()
      if (result.error) {
        const error = context.dump(result.error)
        result.error.dispose()
        throw new Error(`loading ${name} failed: ${messageOf(error)}`)
      }
      result.value.dispose()
      this.loaded.add(name)
    } catch (error) {
      this.retire(`loading ${name} failed`)
      throw error
    } finally {
      runtime.setMaxStackSize(runtimeLimits().sandboxStackBytes)
      this.deadline = Infinity
    }
  }
  private readonly loaded = new Set<string>()

  /** One step: the runner's reply, or the failure that stopped it. Never throws. */
  call(request: string, timeoutMs: number): Reply {
    const { context, runtime } = this
    this.deadline = performance.now() + timeoutMs
    watchMemory(this.memory.buffer.byteLength)
    let requestHandle: QuickJSHandle | undefined
    try {
      requestHandle = context.newString(request)
      let reply = this.invoke(this.api.run, requestHandle)
      if ('p' in reply) {
        // `code` returned a promise: let its jobs run (within the same deadline), then ask.
        const drained = runtime.executePendingJobs(MAX_JOBS)
        if (drained.error) {
          const failure = this.failureOf(context.dump(drained.error))
          drained.error.dispose()
          if (failure) return { x: failure }
        }
        reply = this.invoke(this.api.settled)
      }
      this.dropPendingJobs()
      return reply
    } catch (error) {
      return { x: this.hostFailure(error) }
    } finally {
      this.deadline = Infinity
      try {
        requestHandle?.dispose()
      } catch {
        /* the engine is retired anyway */
      }
      if (this.memory.buffer.byteLength > this.limits.memoryBytes / 2) this.retire('memory grew past half of the cap')
    }
  }

  dispose(): void {
    // A retired engine's heap may be inconsistent: freeing it trips QuickJS's own assertions
    // (printed as "Aborted(…)"). Dropping the references frees its WebAssembly memory all the same.
    if (this.retired) return
    try {
      for (const handle of Object.values(this.api)) handle.dispose()
      this.context.dispose()
      this.runtime.dispose()
    } catch {
      // A failed engine may not dispose cleanly; dropping the references frees its memory.
    }
  }

  private invoke(fn: QuickJSHandle, ...args: QuickJSHandle[]): Reply & { p?: 1 } {
    const { context } = this
    const result = context.callFunction(fn, context.undefined, ...args)
    if (result.error) {
      const dumped = context.dump(result.error)
      result.error.dispose()
      const failure = this.failureOf(dumped) ?? { t: 'error', m: messageOf(dumped) }
      if (failure.t === 'timeout') failure.i = this.currentIndex()
      return { x: failure }
    }
    const text = context.getString(result.value)
    result.value.dispose()
    const reply = JSON.parse(text) as Reply & { p?: 1 }
    if ('x' in reply && reply.x.t === 'oom') this.retire('out of memory')
    return reply
  }

  /** Promise jobs left by a call would run during someone else's; run them out now. */
  private dropPendingJobs(): void {
    const { runtime } = this
    if (!runtime.hasPendingJob()) return
    // Within what is left of the call's deadline; a job that loops is interrupted like the call.
    const result = runtime.executePendingJobs(MAX_JOBS)
    if (result.error) result.error.dispose()
    if (runtime.hasPendingJob()) this.retire('promise jobs never ended')
  }

  /** The uncatchable errors QuickJS raises itself (the runner catches everything else). */
  private failureOf(dumped: unknown): Failure | null {
    const message = messageOf(dumped)
    if (message === 'interrupted') return { t: 'timeout' }
    if (message === 'out of memory') {
      this.retire('out of memory')
      return { t: 'oom' }
    }
    return null
  }

  private currentIndex(): number | undefined {
    try {
      this.deadline = performance.now() + 50
      const result = this.context.callFunction(this.api.current, this.context.undefined)
      if (result.error) {
        result.error.dispose()
        return undefined
      }
      const index = this.context.getNumber(result.value)
      result.value.dispose()
      return index
    } catch {
      return undefined
    }
  }

  private hostFailure(error: unknown): Failure {
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      this.retire('host stack overflow')
      return { t: 'stack' }
    }
    const full = this.memory.buffer.byteLength >= this.limits.memoryBytes - 4 * PAGE
    this.retire(`WebAssembly failure: ${(error as Error)?.message ?? String(error)}`)
    return full ? { t: 'oom' } : { t: 'crash', m: (error as Error)?.message }
  }

  private retire(reason: string): void {
    this.retired ??= reason
  }
}

function unwrap(context: QuickJSContext, result: ReturnType<QuickJSContext['evalCode']>): QuickJSHandle {
  if (result.error) {
    const error = context.dump(result.error)
    result.error.dispose()
    throw new Error(`sandbox set-up failed: ${messageOf(error)}`)
  }
  return result.value
}

function messageOf(dumped: unknown): string {
  if (dumped && typeof dumped === 'object' && typeof (dumped as { message?: unknown }).message === 'string') {
    return (dumped as { message: string }).message
  }
  return String(dumped)
}
