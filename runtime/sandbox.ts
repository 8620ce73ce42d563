/**
 * The expression sandbox: scenario expressions and `code` bodies are untrusted JavaScript and
 * run in QuickJS compiled to WebAssembly (docs/sandbox.md), never in Node's own engine.
 *
 * One context is reused by every process (a fresh one costs more than a whole request); it
 * is safe to share because its intrinsics are frozen and each call gets a fresh scope. Every
 * `evaluate` / `firstTruthy` / `assign` / `runCode` is ONE host↔sandbox call carrying, as
 * JSON, only the parts of the variables the expressions read (see `sandbox/reads.ts`).
 *
 * @example
 * const sandbox = await getSandbox()
 * const greet = sandbox.compile("'Hello, ' + body.name")
 * sandbox.evaluate([greet], { body: { name: 'Ann' } }) // ['Hello, Ann']
 */
import type { Variables, VariableWrite } from './types.ts'
import { PotokError } from './errors.ts'
import { runtimeLimits } from './limits.ts'
import { planCode, planExpression, expressionSyntaxMessage, ExpressionSyntaxError } from './sandbox/analyze.ts'
import { mergeReads, pickReads, type ReadTree } from './sandbox/reads.ts'
import { Engine, type Reply } from './sandbox/engine.ts'
import { syntaxError, toPotokError, type FailureContext } from './sandbox/failure.ts'
import { watchCall, watchCallEnded } from './watch.ts'

export interface CompiledExpression {
  readonly source: string
}
export interface CompiledCode {
  readonly source: string
}

export interface Sandbox {
  /** Compile once (cache by source). Syntax error → throws PotokError('EXPRESSION_ERROR', msg, { details: { expression, message } }). */
  compile(source: string): CompiledExpression
  /** Evaluate several expressions in ONE host↔sandbox call; returns the values in order. */
  evaluate(exprs: readonly CompiledExpression[], vars: Readonly<Variables>): unknown[]
  /** Evaluate conditions in order, stop at the first truthy one; its index, or -1. One call. */
  firstTruthy(exprs: readonly CompiledExpression[], vars: Readonly<Variables>): number
  /** Assignments top to bottom in ONE call, each line seeing the writes before it (dotted paths `a.b.c` create missing objects and keep other keys); returns the writes, in order, for the host to apply. */
  assign(list: ReadonlyArray<{ path: string; expr: CompiledExpression }>, vars: Readonly<Variables>): VariableWrite[]
  /** A JavaScript function body (must `return`) that sees only `inputs` (names are identifiers). */
  compileCode(source: string, inputNames: readonly string[]): CompiledCode
  runCode(code: CompiledCode, inputs: Record<string, unknown>, timeoutMs: number): unknown
}

/** The shared sandbox (created once, lazily; recreated after an OOM/WASM failure). */
export async function getSandbox(): Promise<Sandbox> {
  shared ??= EngineSandbox.create().catch((error: unknown) => {
    shared = undefined
    throw error
  })
  const sandbox = await shared
  await sandbox.whenReady()
  return sandbox
}

/** Syntax check without running anything (for scenario validation); the message or null. */
export function expressionSyntaxError(source: string): string | null {
  return expressionSyntaxMessage(source)
}

// ---------------------------------------------------------------------------------------------

let shared: Promise<EngineSandbox> | undefined

/** A compiled unit: its QuickJS script, and its id in the engine that compiled it last. */
class Compiled {
  generation = 0
  id = -1
  /** Libraries the source may use, loaded into the engine before it first runs. */
  readonly libraries: ReadonlyArray<'_' | 'moment'>
  /**
   * A literal-only expression's value (`ExpressionPlan.constant`), computed by the sandbox once:
   * as JSON text when it is an object or array (each use gets a fresh copy), else itself.
   */
  constant: { json: string } | { value: unknown } | null = null
  constructor(
    readonly source: string,
    readonly script: string,
    readonly reads: ReadTree,
    readonly inputNames: readonly string[] = [],
  ) {
    this.libraries = librariesUsedBy(source)
  }

  /** The constant's value, a fresh copy of an object (the caller may keep and change it). */
  constantValue(): unknown {
    const constant = this.constant!
    return 'json' in constant ? JSON.parse(constant.json) : constant.value
  }
}

/** A cheap over-approximation: loading a library that is not used only costs start-up time. */
function librariesUsedBy(source: string): Array<'_' | 'moment'> {
  const used: Array<'_' | 'moment'> = []
  if (/(?:^|[^\p{ID_Continue}$])_(?:$|[^\p{ID_Continue}$])/u.test(source)) used.push('_')
  if (source.includes('moment')) used.push('moment')
  return used
}

class EngineSandbox implements Sandbox {
  private readonly expressions = new Map<string, Compiled>()
  private readonly codes = new Map<string, Compiled>()
  /** Built ahead, so a retired engine is replaced without waiting. */
  private spare: Engine | null = null
  private spareLoading: Promise<void> | null = null

  private constructor(private engine: Engine | null) {}

  static async create(): Promise<EngineSandbox> {
    // The spare is built after the first engine, in the background: starting (a worker
    // thread's start-up, say) waits for one engine, not two.
    const sandbox = new EngineSandbox(await Engine.create({ memoryBytes: runtimeLimits().sandboxMemoryBytes }))
    sandbox.prepareSpare()
    return sandbox
  }

  compile(source: string): CompiledExpression {
    let compiled = this.expressions.get(source)
    if (compiled === undefined) {
      let plan: ReturnType<typeof planExpression>
      try {
        plan = planExpression(source)
      } catch (error) {
        if (error instanceof ExpressionSyntaxError) throw syntaxError(source, error.message)
        throw error
      }
      compiled = new Compiled(source, plan.script, plan.reads)
      this.registerIn(this.currentEngine(), compiled)
      if (plan.constant) compiled.constant = this.constantOf(compiled)
      this.expressions.set(source, compiled)
    }
    return compiled
  }

  /** A literal-only expression's value, computed once; null when the sandbox could not (it then runs in every call). */
  private constantOf(unit: Compiled): Compiled['constant'] {
    try {
      const value = valuesOf(this.step('expr', [unit], {}))[0]
      if (typeof value !== 'object' || value === null) return { value }
      return { json: JSON.stringify(value) }
    } catch {
      return null
    }
  }

  compileCode(source: string, inputNames: readonly string[]): CompiledCode {
    const key = `${inputNames.join(',')}\n${source}`
    let compiled = this.codes.get(key)
    if (compiled === undefined) {
      let plan: ReturnType<typeof planCode>
      try {
        plan = planCode(source, inputNames)
      } catch (error) {
        if (error instanceof ExpressionSyntaxError) throw syntaxError(source, error.message)
        throw error
      }
      compiled = new Compiled(source, plan.script, new Map(), [...inputNames])
      this.registerIn(this.currentEngine(), compiled)
      this.codes.set(key, compiled)
    }
    return compiled
  }

  evaluate(exprs: readonly CompiledExpression[], vars: Readonly<Variables>): unknown[] {
    if (exprs.length === 0) return []
    const units = exprs.map(asCompiled)
    if (!units.some((unit) => unit.constant !== null)) return valuesOf(this.step('expr', units, vars))
    // Literal-only expressions are answered here; the rest go to the sandbox in one call.
    const values: unknown[] = new Array(units.length)
    const sent: Compiled[] = []
    const sentAt: number[] = []
    for (let i = 0; i < units.length; i++) {
      const unit = units[i]!
      if (unit.constant !== null) values[i] = unit.constantValue()
      else {
        sent.push(unit)
        sentAt.push(i)
      }
    }
    if (sent.length > 0) {
      const sentValues = valuesOf(this.step('expr', sent, vars))
      for (let k = 0; k < sent.length; k++) values[sentAt[k]!] = sentValues[k]
    }
    return values
  }

  firstTruthy(exprs: readonly CompiledExpression[], vars: Readonly<Variables>): number {
    if (exprs.length === 0) return -1
    const reply = this.step('first', exprs, vars)
    return (reply as { i: number }).i
  }

  /**
   * A line's value is written into the sandbox's scope for the lines after it only when one of
   * them reads that variable; a literal-only line that no later line reads is answered here.
   * What the lines compute is the same either way (greet's three lines: 25 → 15 µs).
   */
  assign(list: ReadonlyArray<{ path: string; expr: CompiledExpression }>, vars: Readonly<Variables>): VariableWrite[] {
    const count = list.length
    if (count === 0) return []
    const writes: VariableWrite[] = new Array(count)
    // Walked from the last line up, gathering the variables the lines below read.
    const readBelow = new Set<string>()
    const sent: Compiled[] = []
    const sentAt: number[] = []
    const writeBack: Array<string | null> = []
    for (let i = count - 1; i >= 0; i--) {
      const { path, expr } = list[i]!
      const unit = asCompiled(expr)
      const read = readBelow.has(rootOf(path))
      if (unit.constant !== null && !read) writes[i] = { path, value: unit.constantValue() }
      else {
        sent.push(unit)
        sentAt.push(i)
        writeBack.push(read ? path : null)
      }
      for (const name of unit.reads.keys()) readBelow.add(name)
    }
    if (sent.length > 0) {
      sent.reverse()
      sentAt.reverse()
      writeBack.reverse()
      const values = valuesOf(this.step('assign', sent, vars, writeBack))
      for (let k = 0; k < sent.length; k++) writes[sentAt[k]!] = { path: list[sentAt[k]!]!.path, value: values[k] }
    }
    return writes
  }

  runCode(code: CompiledCode, inputs: Record<string, unknown>, timeoutMs: number): unknown {
    const compiled = asCompiled(code)
    const engine = this.readyEngine([compiled])
    const args = compiled.inputNames.map((name) => inputs[name])
    const undefinedAt = args.flatMap((value, i) => (value === undefined ? [i] : []))
    const request = `{"k":"code","ids":[${compiled.id}],"args":${JSON.stringify(args)},"ua":${JSON.stringify(undefinedAt)}}`
    watchCall('code', timeoutMs)
    const reply = engine.call(request, timeoutMs)
    watchCallEnded()
    this.retireIfNeeded(engine)
    if ('x' in reply) throw toPotokError(reply.x, { sources: [compiled.source], kind: 'code', timeoutMs })
    return valuesOf(reply)[0]
  }

  // -------------------------------------------------------------------------------------------

  /** One sandbox call; `paths` (assign) are where each value is written for the lines after it, null where none reads it. */
  private step(kind: 'expr' | 'first' | 'assign', exprs: readonly CompiledExpression[], vars: Readonly<Variables>, paths?: Array<string | null>): Reply {
    const compiled = exprs.map(asCompiled)
    const engine = this.readyEngine(compiled)
    const reads = readsOf(compiled)
    let request = `{"k":"${kind}","ids":[${compiled.map((c) => c.id).join(',')}]`
    if (paths) request += `,"paths":${JSON.stringify(paths)}`
    request += `,"vars":${JSON.stringify(pickReads(vars, reads))}}`
    const timeoutMs = runtimeLimits().expressionTimeoutMs
    watchCall('expression', timeoutMs)
    const reply = engine.call(request, timeoutMs)
    watchCallEnded()
    this.retireIfNeeded(engine)
    if ('x' in reply) {
      const context: FailureContext = { sources: compiled.map((c) => c.source), kind: 'expression', timeoutMs }
      throw toPotokError(reply.x, context)
    }
    return reply
  }

  /** The current engine with every unit of the step compiled in it. */
  private readyEngine(units: readonly Compiled[]): Engine {
    const engine = this.currentEngine()
    for (const unit of units) {
      if (unit.generation !== engine.generation) this.registerIn(engine, unit)
    }
    return engine
  }

  private registerIn(engine: Engine, unit: Compiled): void {
    for (const library of unit.libraries) {
      try {
        engine.loadLibrary(library)
      } catch {
        this.retireIfNeeded(engine)
        const message = `could not load ${library} into the sandbox`
        throw new PotokError('EXPRESSION_ERROR', message, { details: { expression: unit.source, message } })
      }
    }
    const id = engine.register(unit.script)
    if (typeof id !== 'number') {
      this.retireIfNeeded(engine)
      throw syntaxError(unit.source, id.error)
    }
    unit.id = id
    unit.generation = engine.generation
  }

  /** Resolves when an engine is available (at once, unless one is being rebuilt). */
  async whenReady(): Promise<void> {
    while (this.engine === null && this.spare === null) {
      this.prepareSpare()
      await this.spareLoading
    }
  }

  private currentEngine(): Engine {
    if (this.engine === null && this.spare !== null) {
      this.engine = this.spare
      this.spare = null
      this.prepareSpare()
    }
    if (this.engine === null) {
      const message = 'the sandbox is restarting after a failure; try again'
      throw new PotokError('EXPRESSION_ERROR', message, { details: { message } })
    }
    return this.engine
  }

  private retireIfNeeded(engine: Engine): void {
    if (engine.retired === null || engine !== this.engine) return
    engine.dispose()
    this.engine = null
    if (this.spare !== null) {
      this.engine = this.spare
      this.spare = null
    }
    this.prepareSpare()
  }

  private prepareSpare(): void {
    if (this.spare !== null || this.spareLoading !== null) return
    this.spareLoading = Engine.create({ memoryBytes: runtimeLimits().sandboxMemoryBytes })
      .then((engine) => {
        if (this.engine === null) this.engine = engine
        else this.spare = engine
      })
      .catch(() => {
        /* the next failure tries again */
      })
      .finally(() => {
        this.spareLoading = null
      })
  }
}

/** The variable a dotted path writes into (`order` of `order.total`). */
function rootOf(path: string): string {
  const dot = path.indexOf('.')
  return dot === -1 ? path : path.slice(0, dot)
}

function asCompiled(unit: CompiledExpression | CompiledCode): Compiled {
  if (!(unit instanceof Compiled)) throw new TypeError('not compiled by this sandbox')
  return unit
}

function readsOf(units: readonly Compiled[]): ReadTree {
  if (units.length === 1) return units[0]!.reads
  const reads: ReadTree = new Map()
  for (const unit of units) mergeReads(reads, unit.reads)
  return reads
}

function valuesOf(reply: Reply): unknown[] {
  const { r, u } = reply as { r: unknown[]; u: number[] }
  for (const index of u) r[index] = undefined
  return r
}
