/**
 * Compile-time analysis of scenario expressions and `code` bodies, on the host, with acorn:
 * syntax check, free variables, and the rewrite that lets the sandbox run them.
 *
 * An expression becomes a strict function of one scope argument, every free variable `x`
 * rewritten to `scope.x` (`typeof x` to `("x" in scope ? typeof scope.x : "undefined")`), so
 * a missing variable throws only when it is read. Each free variable's member chains
 * (`body.user.name`) are recorded so the host copies into the sandbox only what is read.
 */
import { parse, type Node as AcornNode } from 'acorn'
import { analyze as analyzeScopes, type Scope } from 'periscopic'
import { walk } from 'estree-walker'
import type * as ESTree from 'estree'
import { addRead, type ReadTree } from './reads.ts'

export interface ExpressionPlan {
  /** Script for QuickJS: evaluates to `function (scope) { return (expression) }`. */
  script: string
  /** What the expression reads of each variable. */
  reads: ReadTree
  /**
   * Made of literals only (strings, numbers, booleans, null, arrays and objects of them, a sign):
   * its value is the same in every call, so the sandbox computes it once (see `Sandbox.assign`).
   */
  constant: boolean
}

export interface CodePlan {
  /** Script for QuickJS: evaluates to `function (...inputs) { body }`. */
  script: string
}

/** Thrown for a syntax error or a forbidden construct; `message` is for the scenario author. */
export class ExpressionSyntaxError extends Error {}

const EXPRESSION_PREFIX = '"use strict";(\n'
const EXPRESSION_SUFFIX = '\n)'
/** Globals that are values, not bindings a variable could shadow. */
const NEVER_VARIABLES = new Set(['undefined', 'NaN', 'Infinity'])
const OBJECT_PROTOTYPE_KEYS = new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__'])

type Parent = ESTree.Node | null

export function planExpression(source: string): ExpressionPlan {
  const wrapped = EXPRESSION_PREFIX + source + EXPRESSION_SUFFIX
  const program = parseScript(wrapped, EXPRESSION_PREFIX.length)
  const statement = program.body[1]
  const paren = statement?.type === 'ExpressionStatement' ? (statement.expression as ESTree.Node) : undefined
  if (program.body.length !== 2 || paren === undefined || (paren.type as string) !== 'ParenthesizedExpression' || start(paren) !== EXPRESSION_PREFIX.length - 2 || end(paren) !== wrapped.length) {
    throw new ExpressionSyntaxError('Expected a single expression')
  }
  const expression = (paren as unknown as { expression: ESTree.Expression }).expression
  const scopeName = unusedName(expression, '$scope')
  const reads: ReadTree = new Map()
  const edits: Edit[] = []

  forEachFreeIdentifier(expression, (node, parent, ancestors) => {
    const name = node.name
    if (NEVER_VARIABLES.has(name)) return
    if (isWriteTarget(node, parent, ancestors)) {
      throw new ExpressionSyntaxError(`Cannot assign to "${name}": an expression does not change variables`)
    }
    if (parent?.type === 'UnaryExpression' && parent.operator === 'typeof') {
      edits.push({ from: start(parent), to: end(parent), text: `(${JSON.stringify(name)} in ${scopeName} ? typeof ${scopeName}.${name} : "undefined")` })
      addRead(reads, name, [])
      return
    }
    const member = `${scopeName}.${name}`
    if (parent?.type === 'Property' && parent.shorthand && parent.value === node) {
      edits.push({ from: start(parent), to: end(parent), text: `${name}: ${member}` })
    } else {
      edits.push({ from: start(node), to: end(node), text: member })
    }
    addRead(reads, name, readPath(node, ancestors))
  })

  const body = applyEdits(wrapped, edits, EXPRESSION_PREFIX.length, wrapped.length - EXPRESSION_SUFFIX.length)
  return { script: `"use strict";(function (${scopeName}) { return (\n${body}\n) })`, reads, constant: isLiteralOnly(expression, 0) }
}

/** Literals nested this deep are left to the sandbox (the check recurses). */
const LITERAL_DEPTH = 32

/**
 * Whether `node` is built of literals alone: no variable, call, operator (but a sign or `!`),
 * regular expression, template substitution, spread, computed key or method. Such a value is
 * the same in every call.
 */
function isLiteralOnly(node: ESTree.Node, depth: number): boolean {
  if (depth > LITERAL_DEPTH) return false
  switch (node.type as string) {
    case 'Literal': {
      const literal = node as ESTree.Literal
      return !('regex' in literal) && !('bigint' in literal)
    }
    case 'TemplateLiteral':
      return (node as ESTree.TemplateLiteral).expressions.length === 0
    case 'UnaryExpression': {
      const unary = node as ESTree.UnaryExpression
      return (unary.operator === '-' || unary.operator === '+' || unary.operator === '!') && isLiteralOnly(unary.argument, depth + 1)
    }
    case 'ParenthesizedExpression':
      return isLiteralOnly((node as unknown as { expression: ESTree.Node }).expression, depth + 1)
    case 'ArrayExpression':
      return (node as ESTree.ArrayExpression).elements.every((element) => element !== null && element.type !== 'SpreadElement' && isLiteralOnly(element, depth + 1))
    case 'ObjectExpression':
      return (node as ESTree.ObjectExpression).properties.every(
        (property) => property.type === 'Property' && property.kind === 'init' && !property.method && !property.computed && !property.shorthand && isLiteralOnly(property.value, depth + 1),
      )
    default:
      return false
  }
}

export function planCode(source: string, inputNames: readonly string[]): CodePlan {
  for (const name of inputNames) {
    if (!/^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u.test(name)) {
      throw new ExpressionSyntaxError(`Input name "${name}" is not an identifier`)
    }
  }
  if (new Set(inputNames).size !== inputNames.length) throw new ExpressionSyntaxError('Input names repeat')
  const prefix = `"use strict";(function (${inputNames.join(', ')}) {\n`
  const wrapped = `${prefix + source}\n})`
  const program = parseScript(wrapped, prefix.length)
  const statement = program.body[1]
  const fn = statement?.type === 'ExpressionStatement' ? (statement.expression as ESTree.Node) : undefined
  const inner = fn && (fn.type as string) === 'ParenthesizedExpression' ? (fn as unknown as { expression: ESTree.Node }).expression : undefined
  if (program.body.length !== 2 || inner?.type !== 'FunctionExpression' || end(fn!) !== wrapped.length) {
    throw new ExpressionSyntaxError('Expected a function body')
  }
  if (!hasOwnReturn(inner.body)) throw new ExpressionSyntaxError('Code must return a value (no return statement)')
  return { script: wrapped }
}

/** The syntax error of an expression, or null (no sandbox needed). */
export function expressionSyntaxMessage(source: string): string | null {
  try {
    planExpression(source)
    return null
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) return error.message
    throw error
  }
}

// ---------------------------------------------------------------------------------------------

interface Edit {
  from: number
  to: number
  text: string
}

function parseScript(wrapped: string, userStart: number): ESTree.Program {
  try {
    return parse(wrapped, { ecmaVersion: 2022, sourceType: 'script', preserveParens: true }) as unknown as ESTree.Program
  } catch (error) {
    const { message, pos } = error as { message: string; pos?: number }
    const text = message.replace(/\s*\(\d+:\d+\)$/, '')
    if (typeof pos !== 'number') throw new ExpressionSyntaxError(text)
    const offset = pos - userStart
    const userLength = wrapped.length - userStart - 2
    if (offset >= userLength) throw new ExpressionSyntaxError(`${text} (unexpected end of input)`)
    throw new ExpressionSyntaxError(`${text} (at ${lineColumn(wrapped.slice(userStart), Math.max(0, offset))})`)
  }
}

function lineColumn(source: string, offset: number): string {
  const before = source.slice(0, offset).split('\n')
  return `line ${before.length}, column ${before[before.length - 1]!.length + 1}`
}

function start(node: ESTree.Node): number {
  return (node as unknown as AcornNode).start
}
function end(node: ESTree.Node): number {
  return (node as unknown as AcornNode).end
}

/** A name for the scope parameter that no identifier in the expression uses. */
function unusedName(root: ESTree.Node, base: string): string {
  const used = new Set<string>()
  walk(root, {
    enter(node) {
      if (node.type === 'Identifier') used.add(node.name)
    },
  })
  let name = base
  for (let n = 1; used.has(name); n++) name = base + n
  return name
}

/** Calls `visit` for every identifier that refers to a variable declared nowhere inside. */
function forEachFreeIdentifier(root: ESTree.Node, visit: (node: ESTree.Identifier, parent: Parent, ancestors: readonly ESTree.Node[]) => void): void {
  const { map, scope: rootScope } = analyzeScopes(root)
  const scopes: Scope[] = [rootScope]
  const ancestors: ESTree.Node[] = []
  const seen = new Set<number>()
  let functionDepth = 0
  walk(root, {
    enter(node, parent) {
      const own = map.get(node)
      if (own) scopes.push(own)
      if (node.type === 'FunctionExpression' || node.type === 'FunctionDeclaration') functionDepth++
      if (node.type === 'Identifier' && isReference(node, parent as Parent) && !seen.has(start(node))) {
        const scope = scopes[scopes.length - 1]!
        const freeArguments = node.name !== 'arguments' || functionDepth === 0
        if (!scope.find_owner(node.name) && freeArguments) {
          seen.add(start(node))
          visit(node, parent as Parent, ancestors)
        }
      }
      ancestors.push(node)
    },
    leave(node) {
      ancestors.pop()
      if (map.get(node)) scopes.pop()
      if (node.type === 'FunctionExpression' || node.type === 'FunctionDeclaration') functionDepth--
    },
  })
}

/** Whether an identifier is a variable reference (not a property name, label or key). */
function isReference(node: ESTree.Identifier, parent: Parent): boolean {
  if (!parent) return true
  switch (parent.type) {
    case 'MemberExpression':
      return parent.computed || node === parent.object
    case 'MethodDefinition':
      return parent.computed
    case 'PropertyDefinition':
      return parent.computed || node === parent.value
    case 'Property':
      return parent.computed || node === parent.value
    case 'MetaProperty':
      return false
    case 'LabeledStatement':
    case 'BreakStatement':
    case 'ContinueStatement':
      return false
    default:
      return true
  }
}

function isWriteTarget(node: ESTree.Node, parent: Parent, ancestors: readonly ESTree.Node[]): boolean {
  let child: ESTree.Node = node
  let current = parent
  for (let i = ancestors.length - 2; current; i--) {
    switch (current.type) {
      case 'AssignmentExpression':
        return current.left === child
      case 'UpdateExpression':
        return true
      case 'ForInStatement':
      case 'ForOfStatement':
        return current.left === child
      case 'ArrayPattern':
      case 'ObjectPattern':
      case 'RestElement':
        break
      case 'AssignmentPattern':
        if (current.left !== child) return false
        break
      case 'Property':
        if (current.value !== child) return false
        break
      default:
        return false
    }
    child = current
    current = i >= 0 ? ancestors[i]! : null
  }
  return false
}

/**
 * The static member chain read from a free variable: `body.user.name` → ['user', 'name'].
 * Stops (the level is copied whole) at a computed key, a key Object.prototype also has, or
 * a method call (the method may look at anything in its receiver).
 */
function readPath(node: ESTree.Identifier, ancestors: readonly ESTree.Node[]): string[] {
  const path: string[] = []
  let child: ESTree.Node = node
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const parent = ancestors[i]!
    if ((parent.type as string) === 'ParenthesizedExpression' || parent.type === 'ChainExpression') {
      child = parent
      continue
    }
    if (parent.type !== 'MemberExpression' || parent.object !== child) break
    const key = staticKey(parent)
    if (key === null || OBJECT_PROTOTYPE_KEYS.has(key)) break
    if (isCallee(parent, ancestors, i)) break
    path.push(key)
    child = parent
  }
  return path
}

function staticKey(member: ESTree.MemberExpression): string | null {
  if (!member.computed) return member.property.type === 'Identifier' ? member.property.name : null
  const property = member.property
  if (property.type === 'Literal' && (typeof property.value === 'string' || typeof property.value === 'number')) {
    return String(property.value)
  }
  return null
}

/** Whether the member expression at `ancestors[index]` is called as a method or tag. */
function isCallee(member: ESTree.Node, ancestors: readonly ESTree.Node[], index: number): boolean {
  let child = member
  for (let i = index - 1; i >= 0; i--) {
    const parent = ancestors[i]!
    if ((parent.type as string) === 'ParenthesizedExpression' || parent.type === 'ChainExpression') {
      child = parent
      continue
    }
    return (parent.type === 'CallExpression' && parent.callee === child) || (parent.type === 'TaggedTemplateExpression' && parent.tag === child)
  }
  return false
}

function hasOwnReturn(body: ESTree.Node): boolean {
  let found = false
  walk(body, {
    enter(node) {
      if (found) return this.skip()
      if (node !== body && (node.type === 'FunctionExpression' || node.type === 'FunctionDeclaration' || node.type === 'ArrowFunctionExpression' || node.type === 'ClassBody')) return this.skip()
      if (node.type === 'ReturnStatement') found = true
    },
  })
  return found
}

function applyEdits(text: string, edits: Edit[], from: number, to: number): string {
  edits.sort((a, b) => a.from - b.from)
  let out = ''
  let at = from
  for (const edit of edits) {
    if (edit.from < at) continue // nested in an edit already made (cannot happen for identifiers)
    out += text.slice(at, edit.from) + edit.text
    at = edit.to
  }
  return out + text.slice(at, to)
}
