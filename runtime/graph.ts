/**
 * The structure of a scenario graph: who follows whom, which nodes split into parallel
 * branches, where those branches meet, and which scope (the root flow or a parallel branch)
 * owns each node. Validation reports what breaks these rules; the compiler turns scopes into
 * XState compound and parallel states.
 */
import { getComponent, registeredComponents } from './registry.ts'
import type { Problem } from './scenario.ts'
import type { BoundaryRule, Component, GraphRules, Scenario, ScenarioEdge, ScenarioNode } from './types.ts'

export interface IndexedEdge extends ScenarioEdge {
  index: number
}

/** The root flow, or one branch of a parallel split. */
export interface Scope {
  key: string
  nodes: string[]
  /** Set for a branch: the split it belongs to. */
  block?: ParallelBlock
  /** For a branch: the join gateway(s) it reached (valid graphs have at most one per split). */
  exits: Set<string>
  /** For a branch: the node it starts at. */
  entry?: string
}

/** A parallel split, its branches and the gateway where they meet (null: they end separately). */
export interface ParallelBlock {
  split: string
  join: string | null
  branches: Scope[]
  scope: Scope
  /**
   * An exclusiveGateway the branches merge at, "any one" (Bpium's way): the first branch to
   * arrive goes on through it — the continuation, a scope of its own running beside the other
   * branches — and each later arrival ends its branch there.
   */
  merge?: { gateway: string; continuation: Scope }
}

export interface Graph {
  scenario: Scenario
  byId: Map<string, ScenarioNode>
  indexOf: Map<string, number>
  outgoing: Map<string, IndexedEdge[]>
  incoming: Map<string, IndexedEdge[]>
  /** Boundary nodes attached to each activity. */
  boundaries: Map<string, ScenarioNode[]>
  root: Scope
  ownerOf: Map<string, Scope>
  blocks: Map<string, ParallelBlock>
  problems: Problem[]
}

const isBoundaryType = (type: string) => getComponent(type)?.kind === 'boundary'
const NO_RULES: GraphRules = {}

/** The graph rules a node type declares (none for an unknown type). */
export function graphRules(type: string): GraphRules {
  return getComponent(type)?.graph ?? NO_RULES
}

/** What makes a boundary node's activity leave through it (undefined: not a boundary). */
export function boundaryRule(type: string): BoundaryRule<any> | undefined {
  return getComponent(type)?.boundary
}

/** The registered types that match, quoted for a message: `"end" or "errorEnd"`. */
function typesWhere(test: (component: Component<any>) => boolean, quote = '"', separator = ' or '): string {
  return [...registeredComponents().values()]
    .filter(test)
    .map((c) => `${quote}${c.type}${quote}`)
    .join(separator)
}

/** A node whose outgoing edges all run at once: a parallel gateway, or any activity with several. */
export function isSplit(graph: Graph, id: string): boolean {
  const node = graph.byId.get(id)
  if (!node || graphRules(node.type).chooses || isBoundaryType(node.type)) return false
  return (graph.outgoing.get(id)?.length ?? 0) > 1
}

export function isJoin(graph: Graph, id: string): boolean {
  const node = graph.byId.get(id)
  return node !== undefined && graphRules(node.type).joins === true && (graph.incoming.get(id)?.length ?? 0) > 1
}

export function analyzeGraph(scenario: Scenario): Graph {
  const problems: Problem[] = []
  const nodePath = (id: string, field?: string) => {
    const index = graph.indexOf.get(id)
    return `nodes[${index}]${field ? `.${field}` : ''}`
  }
  const graph: Graph = {
    scenario,
    byId: new Map(),
    indexOf: new Map(),
    outgoing: new Map(),
    incoming: new Map(),
    boundaries: new Map(),
    root: { key: 'flow', nodes: [], exits: new Set() },
    ownerOf: new Map(),
    blocks: new Map(),
    problems,
  }

  scenario.nodes.forEach((node, index) => {
    if (graph.byId.has(node.id)) {
      problems.push({ path: `nodes[${index}].id`, message: `duplicate node id "${node.id}" (also used by nodes[${graph.indexOf.get(node.id)}])` })
      return
    }
    graph.byId.set(node.id, node)
    graph.indexOf.set(node.id, index)
    graph.outgoing.set(node.id, [])
    graph.incoming.set(node.id, [])
  })

  scenario.edges.forEach((edge, index) => {
    let ok = true
    for (const end of ['from', 'to'] as const) {
      if (!graph.byId.has(edge[end])) {
        problems.push({ path: `edges[${index}].${end}`, message: `edge ${end === 'from' ? 'starts at' : 'leads to'} "${edge[end]}", which is not a node of this scenario` })
        ok = false
      }
    }
    if (!ok) return
    graph.outgoing.get(edge.from)!.push({ ...edge, index })
    graph.incoming.get(edge.to)!.push({ ...edge, index })
  })

  checkNodes(graph, nodePath)
  checkEdges(graph)
  buildScopes(graph, nodePath)
  return graph
}

function checkNodes(graph: Graph, nodePath: (id: string, field?: string) => string) {
  const { problems, scenario } = graph
  const starts = scenario.nodes.filter((n) => graphRules(n.type).starts)
  if (starts.length === 0) problems.push({ path: 'nodes', message: `a scenario needs exactly one start node; add a node of type ${typesWhere((c) => c.graph?.starts === true)}` })
  starts.slice(1).forEach((n) => problems.push({ path: nodePath(n.id, 'type'), message: `a scenario has exactly one start node; "${n.id}" is another one` }))
  if (!scenario.nodes.some((n) => graphRules(n.type).ends)) {
    problems.push({ path: 'nodes', message: `a scenario needs at least one end node (${typesWhere((c) => c.graph?.ends === true)})` })
  }

  for (const node of graph.byId.values()) {
    const kind = getComponent(node.type)?.kind
    const rules = graphRules(node.type)
    const out = graph.outgoing.get(node.id)!.length
    const inc = graph.incoming.get(node.id)!.length
    if (kind === 'boundary') {
      const host = node.attachedTo ? graph.byId.get(node.attachedTo) : undefined
      const hostKind = host ? getComponent(host.type)?.kind : undefined
      // A timeout watches an activity that runs while the process waits: an async one.
      const rule = boundaryRule(node.type)
      const waitsOnly = rule !== undefined && 'timeout' in rule
      if (!node.attachedTo) problems.push({ path: nodePath(node.id), message: `boundary node "${node.id}" needs "attachedTo": the id of the activity it watches` })
      else if (!host) problems.push({ path: nodePath(node.id, 'attachedTo'), message: `boundary node "${node.id}" is attached to "${node.attachedTo}", which is not a node of this scenario` })
      else if (waitsOnly ? hostKind !== 'async' : hostKind !== 'async' && hostKind !== 'sync') {
        problems.push({
          path: nodePath(node.id, 'attachedTo'),
          message: `boundary node "${node.id}" must be attached to an activity${waitsOnly ? ' that waits (code, webRequest, subProcess…)' : ''}; "${host.id}" is a ${host.type}`,
        })
      } else {
        const list = graph.boundaries.get(host.id) ?? []
        list.push(node)
        graph.boundaries.set(host.id, list)
      }
      if (out !== 1) problems.push({ path: nodePath(node.id), message: `boundary node "${node.id}" needs exactly one outgoing edge (it has ${out})` })
      if (inc > 0) problems.push({ path: nodePath(node.id), message: `boundary node "${node.id}" cannot have incoming edges; it is entered when its activity fails or times out` })
      continue
    }
    if (node.attachedTo !== undefined)
      problems.push({
        path: nodePath(node.id, 'attachedTo'),
        message: `only boundary nodes (${typesWhere((c) => c.kind === 'boundary', '', ', ')}) are attached to activities; "${node.id}" is a ${node.type}`,
      })
    if (rules.starts && inc > 0) problems.push({ path: nodePath(node.id), message: `the start node "${node.id}" cannot have incoming edges` })
    if (rules.ends && out > 0) problems.push({ path: nodePath(node.id), message: `end node "${node.id}" cannot have outgoing edges` })
    if (!rules.ends && out === 0) problems.push({ path: nodePath(node.id), message: `node "${node.id}" has no outgoing edge; connect it to the next node or to an end node` })
  }
}

function checkEdges(graph: Graph) {
  const { problems } = graph
  const choosers = () => typesWhere((c) => c.graph?.chooses === true, '')
  for (const [id, edges] of graph.outgoing) {
    const node = graph.byId.get(id)!
    if (!graphRules(node.type).chooses) {
      for (const edge of edges) {
        if (edge.condition !== undefined) problems.push({ path: `edges[${edge.index}].condition`, message: `only edges leaving an ${choosers()} carry conditions; "${id}" is a ${node.type}` })
        if (edge.default !== undefined) problems.push({ path: `edges[${edge.index}].default`, message: `only edges leaving an ${choosers()} can be the default; "${id}" is a ${node.type}` })
      }
      continue
    }
    const defaults = edges.filter((e) => e.default === true)
    defaults.slice(1).forEach((e) => problems.push({ path: `edges[${e.index}].default`, message: `gateway "${id}" has more than one default edge; keep one` }))
    for (const edge of edges) {
      if (edge.default === true && edge.condition !== undefined)
        problems.push({ path: `edges[${edge.index}].condition`, message: `the default edge of gateway "${id}" is taken when no condition holds; remove its condition` })
      if (edge.default !== true && (edge.condition === undefined || edge.condition.trim() === ''))
        problems.push({ path: `edges[${edge.index}]`, message: `edge from gateway "${id}" to "${edge.to}" needs a "condition" or "default": true` })
    }
  }
}

function buildScopes(graph: Graph, nodePath: (id: string, field?: string) => string) {
  const { problems } = graph
  const reported = new Set<string>()
  const conflict = (id: string, first: Scope, second: Scope) => {
    if (reported.has(id)) return
    reported.add(id)
    const where = (s: Scope) => (s.block ? `branch ${s.key} of the parallel split at "${s.block.split}"` : 'the main flow')
    problems.push({
      path: nodePath(id),
      message: `node "${id}" is reached from ${where(first)} and from ${where(second)}; branches of a parallel split must meet at a parallelGateway (waiting for all) or an exclusiveGateway (the first to arrive goes on), or end separately, and no edge may enter or leave a branch`,
    })
  }

  /**
   * Walks a scope from `entry` with an explicit stack (a scenario may be a chain of thousands of
   * nodes); only parallel splits recurse, once per nesting level.
   */
  const visit = (entry: string, scope: Scope, entryIsContinuation = false): void => {
    const stack: Array<[string, boolean]> = [[entry, entryIsContinuation]]
    while (stack.length) {
      const [id, continuation] = stack.pop()!
      if (!graph.byId.has(id)) continue
      if (!continuation && scope.block && (isJoin(graph, id) || scope.block.merge?.gateway === id)) {
        scope.exits.add(id)
        continue
      }
      const owner = graph.ownerOf.get(id)
      if (owner) {
        if (owner !== scope) conflict(id, owner, scope)
        continue
      }
      graph.ownerOf.set(id, scope)
      scope.nodes.push(id)
      const next: string[] = (graph.boundaries.get(id) ?? []).map((b) => b.id)
      if (!isSplit(graph, id)) {
        next.push(...graph.outgoing.get(id)!.map((edge) => edge.to))
      } else {
        const join = visitBlock(id, scope)
        if (join) stack.push([join, true])
      }
      for (let i = next.length - 1; i >= 0; i--) stack.push([next[i], false])
    }
  }

  /** A parallel split's branches, each a scope of its own; the join they meet at (or null). */
  const visitBlock = (id: string, scope: Scope): string | null => {
    const block: ParallelBlock = { split: id, join: null, branches: [], scope }
    graph.blocks.set(id, block)
    const prefix = `${scope.key === 'flow' ? '' : `${scope.key}_`}p${graph.indexOf.get(id)}`
    const merge = anyMergeOf(graph, id)
    if (merge) block.merge = { gateway: merge, continuation: { key: `${prefix}m`, nodes: [], exits: new Set(), block, entry: merge } }
    graph.outgoing.get(id)!.forEach((edge, i) => {
      const branch: Scope = { key: `${prefix}r${i}`, nodes: [], exits: new Set(), block, entry: edge.to }
      block.branches.push(branch)
      visit(edge.to, branch)
    })
    if (block.merge) {
      // The merge and what follows it run once, in their own scope, when the first branch arrives.
      visit(block.merge.gateway, block.merge.continuation, true)
      return null
    }
    const joins = new Set(block.branches.flatMap((b) => [...b.exits]))
    if (joins.size > 1) {
      problems.push({
        path: nodePath(id),
        message: `the branches of the parallel split at "${id}" meet at different gateways (${[...joins].map((j) => `"${j}"`).join(', ')}); they must meet at one parallelGateway or end separately`,
      })
      return null
    }
    block.join = joins.size === 1 ? [...joins][0] : null
    return block.join
  }

  const start = graph.scenario.nodes.find((n) => graphRules(n.type).starts)
  if (start && graph.byId.get(start.id) === start) visit(start.id, graph.root)

  const joinOf = new Map([...graph.blocks.values()].filter((b) => b.join).map((b) => [b.join!, b]))
  for (const node of graph.byId.values()) {
    if (!graph.ownerOf.has(node.id) && start) {
      const isExitOnly = [...graph.blocks.values()].some((b) => b.branches.some((br) => br.exits.has(node.id)))
      if (!isExitOnly) problems.push({ path: nodePath(node.id), message: `node "${node.id}" cannot be reached from the start node` })
    }
    if (isJoin(graph, node.id)) {
      const block = joinOf.get(node.id)
      const fromOutside = block ? graph.incoming.get(node.id)!.filter((e) => !isInside(graph.ownerOf.get(e.from), block)) : graph.incoming.get(node.id)!
      if (fromOutside.length && graph.ownerOf.has(node.id)) {
        problems.push({
          path: nodePath(node.id),
          message: block
            ? `${node.type} "${node.id}" joins the branches of "${block.split}" but is also entered from ${fromOutside.map((e) => `"${e.from}"`).join(', ')}, outside those branches`
            : `${node.type} "${node.id}" waits for ${graph.incoming.get(node.id)!.length} incoming edges that do not come from one parallel split; merge alternative paths with an exclusiveGateway instead`,
        })
      }
    }
  }
}

/** Whether `scope` is one of `block`'s branches or nested inside one. */
function isInside(scope: Scope | undefined, block: ParallelBlock): boolean {
  for (let s = scope; s; s = s.block?.scope) if (s.block === block) return true
  return false
}

/**
 * The exclusiveGateway where the branches of the split at `split` first meet, if they meet at
 * one ("any one" merge); null when they meet at a parallelGateway, at anything else (an error
 * validation reports), at several places, or not at all.
 */
function anyMergeOf(graph: Graph, split: string): string | null {
  const entries = graph.outgoing.get(split)!.map((edge) => edge.to)
  const reached = entries.map((entry) => {
    const seen = new Set<string>()
    const stack = [entry]
    while (stack.length) {
      const id = stack.pop()!
      if (seen.has(id) || id === split || !graph.byId.has(id)) continue
      seen.add(id)
      if (isJoin(graph, id)) continue
      for (const edge of graph.outgoing.get(id)!) stack.push(edge.to)
      for (const boundary of graph.boundaries.get(id) ?? []) stack.push(boundary.id)
    }
    return seen
  })
  const count = new Map<string, number>()
  for (const set of reached) for (const id of set) count.set(id, (count.get(id) ?? 0) + 1)
  const common = (id: string) => (count.get(id) ?? 0) > 1
  // Where a branch first enters ground another branch also reaches.
  const firsts = new Set<string>()
  reached.forEach((set, i) => {
    for (const id of set) {
      if (!common(id)) continue
      const enteredFromOwn =
        graph.incoming.get(id)!.some((edge) => set.has(edge.from) && !common(edge.from)) ||
        (graph.byId.get(id)?.attachedTo !== undefined && set.has(graph.byId.get(id)!.attachedTo!) && !common(graph.byId.get(id)!.attachedTo!))
      if (id === entries[i] || enteredFromOwn) firsts.add(id)
    }
  })
  if (firsts.size !== 1) return null
  const [first] = firsts
  const node = graph.byId.get(first!)
  return node && graphRules(node.type).chooses ? first! : null
}
