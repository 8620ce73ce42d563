/**
 * Adding a node type is one module plus one line in the list handed to the engine: two made-up
 * control types, registered here the way `components/index.ts` registers the real ones, run,
 * validate and round-trip through BPMN with no change to the engine.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { z } from 'zod'
import { exportBpmn } from '../../bpmn/export.ts'
import { importBpmn } from '../../bpmn/import.ts'
import { canonicalScenario } from '../../bpmn/canonical.ts'
import { components, registerComponents } from '../../components/index.ts'
import { expr } from '../../components/schema.ts'
import { startProcess } from '../../runtime/process.ts'
import { useComponents } from '../../runtime/registry.ts'
import { validateScenario } from '../../runtime/scenario.ts'
import type { Component } from '../../runtime/types.ts'
import { scenario, set } from './helpers.ts'

/** «Ответить и закончить»: answers with a status and a body, and ends the whole process. */
const finish: Component<{ status: number; body?: string }> = {
  type: 'finish',
  displayName: { ru: 'Ответить и закончить', en: 'Finish' },
  kind: 'control',
  config: z.object({ status: z.number().int().min(100).max(599), body: expr.optional() }).strict(),
  expressions: (c) => (c.body ? [{ path: ['body'], source: c.body }] : []),
  run: (ctx) => [{ path: '$status', value: ctx.config.status }, ...(ctx.config.body ? [{ path: '$body', value: ctx.evaluate(ctx.config.body) }] : [])],
  graph: { ends: true },
  compile: (_node, build) => build.step(undefined, 'endProcess'),
  instant: true,
}

/** «Пауза, мс»: waits a number of milliseconds (a process restored from a snapshot waits the rest). */
const pauseMs: Component<{ ms: number }> = {
  type: 'pauseMs',
  displayName: { ru: 'Пауза, мс', en: 'Pause, ms' },
  kind: 'control',
  config: z.object({ ms: z.number().int().min(0) }).strict(),
  compile: (node, build) => build.wait(`PT${node.config.ms / 1000}S`),
}

const greet = () =>
  scenario(
    [
      { id: 'start', type: 'start' },
      { id: 'wait', type: 'pauseMs', config: { ms: 30 } },
      set('vars', { greeting: "'Hello, ' + body.name" }),
      { id: 'done', type: 'finish', config: { status: 202, body: '({ greeting })' } },
    ],
    ['start>wait', 'wait>vars', 'vars>done'],
  )

describe('a node type added as one module', () => {
  beforeAll(() => useComponents([...components.values(), finish, pauseMs]))
  afterAll(() => registerComponents())

  test('runs end to end: the wait, then the answer that ends the process', async () => {
    const result = await startProcess(greet(), { body: { name: 'Ada' } })
    expect(result.error).toBeNull()
    expect(result.status).toBe('completed')
    expect(result.output.$status).toBe(202)
    expect(result.output.$body).toEqual({ greeting: 'Hello, Ada' })
    expect(result.steps.map((s) => [s.nodeId, s.type, s.status])).toEqual([
      ['start', 'start', 'completed'],
      ['wait', 'pauseMs', 'completed'],
      ['vars', 'setVariables', 'completed'],
      ['done', 'finish', 'completed'],
    ])
    const wait = result.steps.find((s) => s.nodeId === 'wait')!
    expect(Date.parse(wait.finishedAt!) - Date.parse(wait.startedAt)).toBeGreaterThanOrEqual(25)
  })

  test('its own end ends the whole process, a parallel branch still waiting included', async () => {
    const result = await startProcess(
      scenario(
        [
          { id: 'start', type: 'start' },
          { id: 'slow', type: 'pauseMs', config: { ms: 60_000 } },
          { id: 'end', type: 'end' },
          { id: 'done', type: 'finish', config: { status: 200 } },
        ],
        ['start>slow', 'slow>end', 'start>done'],
      ),
      {},
    )
    expect(result.status).toBe('completed')
    expect(result.output.$status).toBe(200)
    expect(result.durationMs).toBeLessThan(60_000)
    expect(result.steps.find((s) => s.nodeId === 'end')).toBeUndefined()
  })

  test('an error in its work fails the process at its node, as any step', async () => {
    const result = await startProcess(
      scenario(
        [
          { id: 'start', type: 'start' },
          { id: 'done', type: 'finish', config: { status: 200, body: 'missing.field' } },
        ],
        ['start>done'],
      ),
      {},
    )
    expect(result.status).toBe('failed')
    expect(result.error).toMatchObject({ code: 'UNDEFINED_VARIABLE', nodeId: 'done' })
    expect(result.output.$status).toBeUndefined()
  })

  test('validation applies its graph rules and its schema', () => {
    // Its own end is an end: a scenario needs no other.
    expect(validateScenario(greet()).ok).toBe(true)

    const bad = validateScenario(
      scenario(
        [
          { id: 'start', type: 'start' },
          { id: 'done', type: 'finish', config: { status: 200 } },
          { id: 'after', type: 'pauseMs', config: { ms: 1 } },
          { id: 'wrong', type: 'finish', config: { status: 1000 } },
          { id: 'broken', type: 'finish', config: { status: 200, body: 'a +' } },
        ],
        ['start>done', 'done>after', 'after>done?x > 1'],
      ),
    )
    expect(bad.ok).toBe(false)
    const messages = bad.problems.map((p) => `${p.path}: ${p.message}`)
    expect(messages).toContain('nodes[1]: end node "done" cannot have outgoing edges')
    expect(messages.some((m) => m.startsWith('edges[2].condition: only edges leaving an exclusiveGateway carry conditions; "after" is a pauseMs'))).toBe(true)
    expect(messages.some((m) => m.startsWith('nodes[3].config.status:'))).toBe(true)
    expect(messages.some((m) => m.startsWith('nodes[4].config.body: expression does not parse'))).toBe(true)

    const endless = validateScenario(
      scenario(
        [
          { id: 'start', type: 'start' },
          { id: 'wait', type: 'pauseMs', config: { ms: 1 } },
        ],
        ['start>wait', 'wait>start'],
      ),
    )
    expect(endless.ok).toBe(false)
    expect(endless.problems).toContainEqual({ path: 'nodes', message: 'a scenario needs at least one end node ("end" or "errorEnd" or "finish")' })
  })

  test('BPMN keeps it: written as a potok action, read back as the same node', () => {
    const source = greet()
    const { scenario: back, report } = importBpmn(exportBpmn(source))
    expect(report.unsupported).toEqual([])
    expect(report.valid).toBe(true)
    expect(back).toEqual(canonicalScenario(source))
  })
})

describe('the same scenario without the module registered', () => {
  test('names the unknown types', () => {
    const result = validateScenario(greet())
    expect(result.ok).toBe(false)
    expect(result.problems).toContainEqual({ path: 'nodes[1].type', message: 'unknown component type "pauseMs" (node "wait")' })
    expect(result.problems).toContainEqual({ path: 'nodes[3].type', message: 'unknown component type "finish" (node "done")' })
  })
})
