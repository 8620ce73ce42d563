/**
 * Compiles a scenario version into an XState v5 machine, once (cached by id + version).
 *
 * Shape: the root flow and each parallel branch are compound states; a parallel split is a
 * parallel state with one region per branch, whose `onDone` goes to the join. Synchronous nodes
 * (assignments, gateways, boundaries) do their work in an entry action and leave through guarded
 * `always` transitions, so a chain of them runs inside one macrostep; activities and timers are
 * invoked promise actors (their `AbortSignal` fires when the state is left or the actor stopped).
 * Deadlines of timers and timeout boundaries live in the context: XState does not restore delayed
 * transitions from a snapshot, but it does re-invoke actors, which then wait only the rest.
 */
import { and, assign, fromPromise, raise, setup, stateIn, type AnyStateMachine } from 'xstate'
import { getComponent } from './registry.ts'
import { durationMs } from './duration.ts'
import { clock, type TimerHandle } from './clock.ts'
import { PotokError } from './errors.ts'
import { analyzeGraph, boundaryRule, graphRules, isJoin, isSplit, type Graph, type IndexedEdge, type Scope } from './graph.ts'
import { applyStepWrites, componentContext, findLive, finishStep, liveProcess, processError, startStep, type LiveProcess } from './live.ts'
import { planNodes } from './plan.ts'
import { validateScenario } from './scenario.ts'
import type { NodePlan, ProcessError, Scenario, ScenarioNode, StepRecord, StepWork, Variables, VariableWrite } from './types.ts'
import { watchProcess } from './watch.ts'

/** The machine's context: JSON only, since it is persisted with every snapshot. */
export interface ProcessContext {
  pid: string
  vars: Variables
  stepCount: number
  /** The error being handled: caught by a boundary (which clears it) or failing the process. */
  error: ProcessError | null
  /** Set by errors no boundary may catch (STEP_LIMIT, DATA_LIMIT). */
  fatal: boolean
  /** Index of the outgoing edge the last exclusive gateway chose. */
  route: number
  /** Epoch ms deadlines of running timers and timeout boundaries, by node id. */
  deadlines: Record<string, number>
  /**
   * The step index each activity node was entered at (by node id): stable when a resumed
   * process runs the activity again, so the activity can find what it started before (a child).
   */
  entered?: Record<string, number>
  maxSteps: number
  maxDataBytes: number
  /**
   * Durable mode: after each synchronous node the machine waits for a `STEP` event instead of
   * moving on in the same macrostep, so a snapshot can be persisted after every step.
   */
  stepwise: boolean
}

export interface CompiledScenario {
  scenario: Scenario
  graph: Graph
  /** What each node compiles into (asked of its component once), by node id. */
  plans: Map<string, NodePlan>
  /**
   * For runs without persistence: each chain of synchronous nodes is one state whose entry runs
   * them in order (fewer states, fewer microsteps). Its snapshots restore into `durableMachine`.
   */
  machine: AnyStateMachine
  /** One state per node: durable (stepwise) runs and every resume. Built on first use. */
  readonly durableMachine: AnyStateMachine
}

const FATAL = new Set(['STEP_LIMIT', 'DATA_LIMIT', 'OUTBOUND_LIMIT', 'DESCENDANT_LIMIT'])
const never = new AbortController().signal
type Ctx = { context: ProcessContext; event?: any }

const activity = fromPromise<VariableWrite[], { pid: string; node: string }>(async ({ input, signal }) => {
  const live = liveProcess(input.pid)
  const node = live.compiled.graph.byId.get(input.node)!
  const context = live.actor!.getSnapshot().context as ProcessContext
  if (context.fatal) return []
  if (live.services.beforeActivity) await (live.cleared ??= live.services.beforeActivity())
  if (signal.aborted) throw signal.reason
  runningStep(live, node, context)
  watchProcess(live.watchTag)
  return getComponent(node.type)!.run!(componentContext(live, node.id, node.config, context.vars, signal, context.entered?.[node.id]))
})

/** Waits until the deadline stored under `key` (timers, timeout boundaries). */
const sleep = fromPromise<void, { pid: string; key: string }>(({ input, signal }) => {
  const live = liveProcess(input.pid)
  const context = live.actor!.getSnapshot().context as ProcessContext
  const deadline = context.deadlines[input.key] ?? clock.now()
  const node = live.compiled.graph.byId.get(input.key)
  const plan = live.compiled.plans.get(input.key)
  // A wait resumed after a restart started its pause before its deadline, not now.
  if (node && plan?.kind === 'wait') runningStep(live, node, context, deadline - plan.ms)
  return new Promise((resolve, reject) => {
    let handle: TimerHandle
    const wait = () => {
      const rest = deadline - clock.now()
      if (rest <= 0) return resolve()
      handle = clock.setTimeout(wait, Math.min(rest, 2 ** 30))
    }
    signal.addEventListener(
      'abort',
      () => {
        clock.clearTimeout(handle)
        reject(signal.reason)
      },
      { once: true },
    )
    wait()
  })
})

function createProcessMachine(config: any): AnyStateMachine {
  return setup({ types: {} as { context: ProcessContext; input: ProcessContext }, actors: { activity, sleep } }).createMachine(config)
}

/** The step record of a node now running; a resumed process creates it again (from `startedAt` when known). */
function runningStep(live: LiveProcess, node: ScenarioNode, context: ProcessContext, startedAt?: number): StepRecord {
  return live.running.get(node.id) ?? startStep(live, Math.max(0, context.stepCount - 1), node.id, node.type, 'running', startedAt)
}

const cache = new Map<string, CompiledScenario>()
/** The same scenario object (a stored version held by the server) skips even the key. */
const byObject = new WeakMap<object, CompiledScenario>()
const CACHE_LIMIT = 500

/**
 * The machine of a scenario version; validates it first (PotokError `INVALID_SCENARIO`, 422,
 * with every problem in `details.problems`). Cached by `id@version` (unversioned scenarios by content).
 */
export function compileScenario(input: Scenario): CompiledScenario {
  const known = byObject.get(input)
  if (known) return known
  const key = input.version !== undefined ? `${input.id}@${input.version}` : `${input.id}#${JSON.stringify(input)}`
  const hit = cache.get(key)
  if (hit) {
    byObject.set(input, hit)
    return hit
  }
  const validation = validateScenario(input)
  if (!validation.ok) {
    throw new PotokError('INVALID_SCENARIO', `scenario "${(input as Scenario)?.id}" is invalid: ${validation.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, {
      details: { problems: validation.problems },
    })
  }
  const scenario = validation.scenario
  const graph = analyzeGraph(scenario)
  const plans = planNodes(graph)
  let durable: AnyStateMachine | undefined
  const compiled: CompiledScenario = {
    scenario,
    graph,
    plans,
    machine: createProcessMachine(new MachineBuilder(graph, plans, true).build()),
    get durableMachine() {
      durable ??= createProcessMachine(new MachineBuilder(graph, plans, false).build())
      return durable
    },
  }
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!)
  cache.set(key, compiled)
  byObject.set(input, compiled)
  return compiled
}

class MachineBuilder {
  /** With `fuse`: the nodes that run inside their predecessor's state (no state of their own). */
  private readonly inner = new Set<string>()

  constructor(
    private readonly graph: Graph,
    private readonly plans: Map<string, NodePlan>,
    fuse: boolean,
  ) {
    if (fuse) for (const node of graph.byId.values()) if (this.fusesIntoPredecessor(node.id)) this.inner.add(node.id)
  }

  private plan(id: string): NodePlan {
    return this.plans.get(id)!
  }

  /** Synchronous steps may form a chain (activities, waits and splits end one). */
  private chainable(id: string): boolean {
    if (isSplit(this.graph, id) || isJoin(this.graph, id)) return false
    return this.plan(id).kind === 'step'
  }

  /** A node runs in its predecessor's state when it is that predecessor's only way on, and its only way in. */
  private fusesIntoPredecessor(id: string): boolean {
    const incoming = this.graph.incoming.get(id)!
    if (incoming.length !== 1 || !this.chainable(id)) return false
    const from = incoming[0].from
    const before = this.plan(from)
    if (!this.chainable(from) || (before.kind === 'step' && before.onwards !== 'next')) return false
    const scope = this.graph.ownerOf.get(from)
    return scope !== undefined && scope === this.graph.ownerOf.get(id) && !(scope.block && scope.exits.has(id))
  }

  /** The nodes a state runs: its own, then the ones fused into it, in order. */
  private chain(head: string): ScenarioNode[] {
    const nodes = [this.graph.byId.get(head)!]
    for (let id = head; ; ) {
      const next = this.graph.outgoing.get(id)![0]?.to
      if (next === undefined || !this.inner.has(next) || next === head) return nodes
      nodes.push(this.graph.byId.get(next)!)
      id = next
    }
  }

  build() {
    const start = this.graph.scenario.nodes.find((n) => graphRules(n.type).starts)!
    return {
      id: 'potok',
      // The root flow's nodes sit directly under the root: one level less for every transition.
      initial: this.key(start.id),
      context: ({ input }: { input: ProcessContext }) => input,
      output: ({ context }: Ctx) => context,
      states: {
        ...this.scopeStates(this.graph.root),
        completed: { id: 'completed', type: 'final' },
        // Not final: a failed process can be resumed, re-entering the node that failed.
        failed: { id: 'failed', on: { RETRY: this.retryTransitions() } },
      },
    }
  }

  /** `RETRY` at `failed`: back into the failed node's state, error cleared. */
  private retryTransitions() {
    return [...this.graph.ownerOf.keys()]
      .filter((id) => !this.inner.has(id))
      .map((id) => ({ guard: ({ context }: Ctx) => context.error?.nodeId === id, target: `#${this.key(id)}`, actions: assign({ error: null, fatal: false }) }))
  }

  private key(id: string) {
    return `s${this.graph.indexOf.get(id)}`
  }

  private scopeStates(scope: Scope): Record<string, unknown> {
    const states: Record<string, unknown> = {}
    for (const id of scope.nodes) {
      if (!this.inner.has(id)) states[this.key(id)] = { id: this.key(id), ...this.nodeState(this.graph.byId.get(id)!) }
      const block = this.graph.blocks.get(id)
      if (!block) continue
      const regions: Record<string, unknown> = {}
      const mergeEvent = `MERGE.b${this.graph.indexOf.get(id)}`
      block.branches.forEach((branch, i) => {
        const entryIsExit = branch.exits.has(branch.entry!)
        regions[`r${i}`] = {
          initial: entryIsExit ? (block.merge ? 'merged' : 'done') : this.key(branch.entry!),
          states: {
            ...this.scopeStates(branch),
            done: { id: `${branch.key}_done`, type: 'final' },
            // Arriving at an "any one" merge: the first arrival starts the continuation, the branch ends.
            ...(block.merge ? { merged: { id: `${branch.key}_merged`, type: 'final', entry: raise({ type: mergeEvent }) } } : {}),
          },
        }
      })
      if (block.merge) {
        const { continuation } = block.merge
        regions.m = {
          initial: 'waiting',
          states: {
            waiting: {
              on: { [mergeEvent]: { target: `#${this.key(continuation.entry!)}` } },
              // Every branch ended elsewhere, none arrived: nothing to continue.
              always: { guard: and(block.branches.map((branch) => stateIn(`#${branch.key}_done`))), target: 'done' },
            },
            ...this.scopeStates(continuation),
            done: { id: `${continuation.key}_done`, type: 'final' },
          },
        }
      }
      states[`b${this.graph.indexOf.get(id)}`] = {
        id: `b${this.graph.indexOf.get(id)}`,
        type: 'parallel',
        states: regions,
        onDone: { target: block.join ? `#${this.key(block.join)}` : this.scopeEnd(scope) },
      }
    }
    return states
  }

  /** Where a path that ends in `scope` goes: the process's end, or the branch's final state. */
  private scopeEnd(scope: Scope) {
    return scope.block ? `#${scope.key}_done` : '#completed'
  }

  /** The target of an edge from `from` to `to`, leaving the branch when `to` is its join. */
  private target(from: string, to: string) {
    const scope = this.graph.ownerOf.get(from)!
    if (scope.block && scope.exits.has(to)) return `#${scope.key}_${scope.block.merge?.gateway === to ? 'merged' : 'done'}`
    return `#${this.key(to)}`
  }

  /** Where a node goes when it is done (not gateways): its edge, or its parallel block. */
  private next(id: string) {
    if (isSplit(this.graph, id)) return `#b${this.graph.indexOf.get(id)}`
    const edge = this.graph.outgoing.get(id)![0]
    return this.target(id, edge.to)
  }

  private errorTarget(id: string) {
    const boundary = (this.graph.boundaries.get(id) ?? []).find((b) => {
      const rule = boundaryRule(b.type)
      return rule !== undefined && 'catches' in rule
    })
    return boundary ? `#${this.key(boundary.id)}` : '#failed'
  }

  /**
   * Leaving a synchronous node: fatal errors fail, other errors go to its error boundary, else
   * `onwards`. Taken at once (`always`), or on `STEP` in durable mode.
   */
  private leave(ids: string | string[], onwards: Array<{ guard?: (args: Ctx) => boolean; target: string; reenter?: boolean }>) {
    const caught = (Array.isArray(ids) ? ids : [ids]).map((id) => ({ id, target: this.errorTarget(id) })).filter((c) => c.target !== '#failed')
    const transitions = [
      { guard: ({ context }: Ctx) => context.fatal, target: '#failed' },
      ...caught.map(({ id, target }) => ({ guard: ({ context }: Ctx) => context.error !== null && context.error.nodeId === id, target })),
      { guard: ({ context }: Ctx) => context.error !== null, target: '#failed' },
      ...onwards.map((t) => ({ ...t, reenter: true })),
    ]
    return {
      always: transitions.map(({ guard, ...rest }) => ({ ...rest, guard: guard ? (args: Ctx) => goesOn(args.context) && guard(args) : ({ context }: Ctx) => goesOn(context) })),
      on: { STEP: transitions },
    }
  }

  private nodeState(node: ScenarioNode): Record<string, unknown> {
    const plan = this.plan(node.id)
    if (plan.kind === 'wait') return this.waitState(node, plan.ms)
    if (plan.kind === 'activity') return this.activityState(node)
    const nodes = this.chain(node.id)
    const tail = nodes[nodes.length - 1]
    return {
      entry: syncSteps(nodes.map((n) => [n, this.work(n)])),
      ...this.leave(
        nodes.map((n) => n.id),
        this.onwards(tail),
      ),
    }
  }

  /** What a synchronous node does: its plan's work. */
  private work(node: ScenarioNode): Work {
    const plan = this.plan(node.id)
    const work = plan.kind === 'step' ? plan.work : null
    return work ? stepWork(node, work) : () => []
  }

  /** Where a synchronous node goes when its work is done. */
  private onwards(node: ScenarioNode): Array<{ guard?: (args: Ctx) => boolean; target: string }> {
    const plan = this.plan(node.id)
    switch (plan.kind === 'step' ? plan.onwards : 'next') {
      case 'endPath':
        return [{ target: this.scopeEnd(this.graph.ownerOf.get(node.id)!) }]
      case 'endProcess':
        return [{ target: '#completed' }]
      case 'route':
        return this.graph.outgoing.get(node.id)!.map((edge: IndexedEdge, i) => ({ guard: ({ context }: Ctx) => context.route === i, target: this.target(node.id, edge.to) }))
      default:
        return [{ target: this.next(node.id) }]
    }
  }

  private waitState(node: ScenarioNode, ms: number) {
    return {
      entry: assign(({ context }: Ctx) => {
        const counted = countStep(context, node)
        if ('fatal' in counted) return counted
        startStep(liveProcess(context.pid), counted.stepCount - 1, node.id, node.type)
        return { ...counted, deadlines: { ...context.deadlines, [node.id]: clock.now() + ms } }
      }),
      always: [{ guard: ({ context }: Ctx) => context.fatal, target: '#failed' }],
      invoke: {
        id: `timer_${this.key(node.id)}`,
        src: 'sleep',
        input: ({ context }: Ctx) => ({ pid: context.pid, key: node.id }),
        onDone: {
          target: this.next(node.id),
          reenter: true,
          actions: assign(({ context }: Ctx) => {
            const live = liveProcess(context.pid)
            finishStep(live, runningStep(live, node, context))
            const { [node.id]: _done, ...deadlines } = context.deadlines
            return { deadlines }
          }),
        },
      },
    }
  }

  private activityState(node: ScenarioNode) {
    const timeouts = (this.graph.boundaries.get(node.id) ?? []).flatMap((b) => {
      const rule = boundaryRule(b.type)
      return rule && 'timeout' in rule ? [{ id: b.id, after: rule.timeout(b.config) }] : []
    })
    const outcomes = new WeakMap<object, { vars?: Variables; error?: ProcessError }>()
    const outcome = (context: ProcessContext, event: { output: VariableWrite[] }) => {
      let result = outcomes.get(event)
      if (!result) {
        const live = liveProcess(context.pid)
        const step = runningStep(live, node, context)
        try {
          result = { vars: applyStepWrites(live, step, context.vars, event.output ?? []) }
          finishStep(live, step)
        } catch (error) {
          result = { error: processError(error, node.id, context.vars) }
          finishStep(live, step, result.error)
        }
        outcomes.set(event, result)
      }
      return result
    }
    return {
      entry: assign(({ context }: Ctx) => {
        const counted = countStep(context, node)
        if ('fatal' in counted) return counted
        startStep(liveProcess(context.pid), counted.stepCount - 1, node.id, node.type)
        const deadlines = { ...context.deadlines }
        for (const b of timeouts) deadlines[b.id] = clock.now() + durationMs(b.after)
        return { ...counted, deadlines, entered: { ...context.entered, [node.id]: counted.stepCount - 1 } }
      }),
      exit: timeouts.length
        ? assign(({ context }: Ctx) => {
            const deadlines = { ...context.deadlines }
            for (const b of timeouts) delete deadlines[b.id]
            return { deadlines }
          })
        : undefined,
      always: [{ guard: ({ context }: Ctx) => context.fatal, target: '#failed' }],
      invoke: [
        {
          id: `activity_${this.key(node.id)}`,
          src: 'activity',
          input: ({ context }: Ctx) => ({ pid: context.pid, node: node.id }),
          onDone: [
            {
              guard: ({ context, event }: Ctx) => outcome(context, event).error !== undefined,
              target: '#failed',
              actions: assign(({ context, event }: Ctx) => ({ error: outcome(context, event).error!, fatal: true })),
            },
            { target: this.next(node.id), reenter: true, actions: assign(({ context, event }: Ctx) => ({ vars: outcome(context, event).vars! })) },
          ],
          onError: {
            target: this.errorTarget(node.id),
            reenter: true,
            actions: assign(({ context, event }: Ctx) => {
              const live = liveProcess(context.pid)
              const error = processError(event.error, node.id, context.vars)
              finishStep(live, runningStep(live, node, context), error)
              return { error }
            }),
          },
        },
        ...timeouts.map((boundary) => ({
          id: `timeout_${this.key(boundary.id)}`,
          src: 'sleep',
          input: ({ context }: Ctx) => ({ pid: context.pid, key: boundary.id }),
          onDone: {
            target: `#${this.key(boundary.id)}`,
            actions: assign(({ context }: Ctx) => {
              const live = liveProcess(context.pid)
              finishStep(live, runningStep(live, node, context), { code: 'TIMEOUT', message: `"${node.id}" ran longer than ${boundary.after} (timeout boundary "${boundary.id}")` })
              return {}
            }),
          },
        })),
      ],
    }
  }
}

/** Counts a step against MAX_STEPS. */
function countStep(context: ProcessContext, node: ScenarioNode): { stepCount: number } | (Partial<ProcessContext> & { fatal: true }) {
  const stepCount = context.stepCount + 1
  if (context.fatal) return { fatal: true }
  if (stepCount > context.maxSteps) {
    return {
      stepCount,
      fatal: true,
      error: { code: 'STEP_LIMIT', message: `the process took more than ${context.maxSteps} steps (MAX_STEPS); is there an endless loop?`, nodeId: node.id, variables: context.vars },
    }
  }
  return { stepCount }
}

type Work = (live: LiveProcess, context: ProcessContext) => VariableWrite[] | { writes?: VariableWrite[]; route?: number; clearError?: boolean }

/**
 * A state's entry action running one synchronous node, or a fused chain of them, in order: each
 * counts its step, does its work, records it; the first error stops the chain.
 */
function syncSteps(nodes: Array<[ScenarioNode, Work]>) {
  return assign(({ context }: Ctx) => {
    let current = context
    for (const [node, work] of nodes) {
      const done = syncStep(current, node, work)
      current = { ...current, ...done }
      if (current.fatal || current.error !== null) break
    }
    // Fairness: a run that has held the thread for its slice rests here until `run` sends STEP
    // on the next turn of the event loop, so timers, cancels and other processes get their turn.
    if (!context.stepwise) {
      const live = liveProcess(context.pid)
      if (performance.now() > live.sliceEnd) live.yielding = true
    }
    return current
  })
}

/** Whether a synchronous node moves on in the same macrostep (not in durable mode, not when yielding). */
function goesOn(context: ProcessContext): boolean {
  return !context.stepwise && findLive(context.pid)?.yielding !== true
}

function syncStep(context: ProcessContext, node: ScenarioNode, work: Work): Partial<ProcessContext> {
  const counted = countStep(context, node)
  if ('fatal' in counted) return counted
  const live = liveProcess(context.pid)
  watchProcess(live.watchTag)
  const step = startStep(live, counted.stepCount - 1, node.id, node.type)
  try {
    const done = work(live, context)
    const { writes = [], route, clearError } = Array.isArray(done) ? { writes: done } : done
    const vars = applyStepWrites(live, step, context.vars, writes)
    finishStep(live, step)
    return { ...counted, vars, ...(route === undefined ? {} : { route }), ...(clearError ? { error: null } : {}) }
  } catch (thrown) {
    const error = processError(thrown, node.id, context.vars)
    finishStep(live, step, error)
    return { ...counted, error, fatal: FATAL.has(error.code) }
  }
}

/** A component's step work, given what it may see of the process. */
function stepWork(node: ScenarioNode, work: StepWork): Work {
  const component = getComponent(node.type)!
  return (live, context) =>
    work({
      vars: context.vars,
      error: context.error,
      firstTrue: (sources) =>
        live.sandbox.firstTruthy(
          sources.map((source) => live.sandbox.compile(source)),
          context.vars,
        ),
      run: () => {
        const writes = component.run!(componentContext(live, node.id, node.config, context.vars, never))
        if (!Array.isArray(writes)) throw new Error(`component ${node.type} is synchronous but returned a promise`)
        return writes
      },
    })
}
