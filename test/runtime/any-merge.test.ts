/**
 * An exclusive gateway merging parallel branches, "any one" as Bpium's does: the first branch
 * to arrive goes on through the gateway, each later arrival ends its branch there; the process
 * ends when the continuation and every branch have ended.
 */
import { describe, expect, test } from 'vitest'
import { startProcess } from '../../runtime/process.ts'
import { manualClock } from '../clock.ts'
import { validateScenario } from '../../runtime/scenario.ts'
import type { Scenario } from '../../runtime/types.ts'

const set = (id: string, assignments: Record<string, string>) => ({ id, type: 'setVariables', config: { assignments: Object.entries(assignments).map(([name, value]) => ({ name, value })) } })
const wait = (id: string, pause: string) => ({ id, type: 'timer', config: { pause } })

/** start → split into a fast and a slow branch → exclusive gateway → log → end. */
function race(fast = 'PT0.05S', slow = 'PT0.3S'): Scenario {
  return {
    id: 'race',
    nodes: [
      { id: 'start', type: 'start' },
      { id: 'split', type: 'parallelGateway' },
      wait('fastWait', fast),
      set('fast', { 'seen.fast': 'true', winner: "typeof winner === 'undefined' ? 'fast' : winner" }),
      wait('slowWait', slow),
      set('slow', { 'seen.slow': 'true', winner: "typeof winner === 'undefined' ? 'slow' : winner" }),
      { id: 'merge', type: 'exclusiveGateway' },
      set('after', { runs: "(typeof runs === 'undefined' ? 0 : runs) + 1", firstWinner: 'winner' }),
      { id: 'end', type: 'end' },
    ],
    edges: [
      { from: 'start', to: 'split' },
      { from: 'split', to: 'fastWait' },
      { from: 'fastWait', to: 'fast' },
      { from: 'fast', to: 'merge' },
      { from: 'split', to: 'slowWait' },
      { from: 'slowWait', to: 'slow' },
      { from: 'slow', to: 'merge' },
      { from: 'merge', to: 'after', default: true },
      { from: 'after', to: 'end' },
    ],
  }
}

describe('exclusive gateway merging parallel branches ("any one")', () => {
  test('is valid (it used to be a branch conflict)', () => {
    const result = validateScenario(race())
    expect(result.ok ? [] : result.problems).toEqual([])
  })

  test('the first arrival continues at once, the later one ends its branch; the process waits for both', async () => {
    for (const options of [{}, { persist: () => {} }]) {
      // The timers run on this clock: the fast branch arrives 250 ms before the slow one however busy the machine is.
      const time = manualClock()
      const running = startProcess(race(), {}, options)
      const result = await (async () => {
        try {
          await expect.poll(() => time.pending()).toBe(2)
          await time.advance(50)
          await time.advance(250)
          return await running
        } finally {
          time.restore()
        }
      })()
      expect(result.error).toBeNull()
      expect(result.status).toBe('completed')
      expect(result.output).toMatchObject({ runs: 1, firstWinner: 'fast', seen: { fast: true, slow: true } })
      const order = result.steps.map((s) => s.nodeId)
      expect(order.filter((id) => id === 'after')).toHaveLength(1)
      expect(order.indexOf('after')).toBeLessThan(order.indexOf('slow'))
      expect(order.filter((id) => id === 'merge')).toHaveLength(1)
    }
  })

  test("the slow branch first when it is the fast one; the gateway's conditions still choose the way on", async () => {
    const scenario = race('PT0.3S', 'PT0.05S')
    scenario.nodes.push(set('other', { took: "'other'" }), { id: 'end2', type: 'end' })
    scenario.edges = scenario.edges.filter((e) => e.from !== 'merge')
    scenario.edges.push({ from: 'merge', to: 'other', condition: "winner === 'slow'" }, { from: 'merge', to: 'after', default: true }, { from: 'other', to: 'end2' })
    const result = await startProcess(scenario, {})
    expect(result.error).toBeNull()
    expect(result.output).toMatchObject({ winner: 'slow', took: 'other', seen: { fast: true, slow: true } })
    expect(result.output.runs).toBeUndefined()
  })

  test('when no branch arrives (each ended elsewhere), nothing is left waiting', async () => {
    const scenario = race()
    scenario.nodes.push({ id: 'fastGate', type: 'exclusiveGateway' }, { id: 'endFast', type: 'end' }, { id: 'slowGate', type: 'exclusiveGateway' }, { id: 'endSlow', type: 'end' })
    scenario.edges = scenario.edges.filter((e) => e.to !== 'merge')
    scenario.edges.push(
      { from: 'fast', to: 'fastGate' },
      { from: 'fastGate', to: 'endFast', condition: 'skip' },
      { from: 'fastGate', to: 'merge', default: true },
      { from: 'slow', to: 'slowGate' },
      { from: 'slowGate', to: 'endSlow', condition: 'skip' },
      { from: 'slowGate', to: 'merge', default: true },
    )
    expect(validateScenario(scenario).ok).toBe(true)
    const skipped = await startProcess(scenario, { skip: true }, { timeoutMs: 3000 })
    expect(skipped.status).toBe('completed')
    expect(skipped.output.runs).toBeUndefined()
    const merged = await startProcess(scenario, { skip: false }, { timeoutMs: 3000 })
    expect(merged.status).toBe('completed')
    expect(merged.output).toMatchObject({ runs: 1, firstWinner: 'fast' })
  })

  test('a node other than a gateway reached from two branches is still an error', () => {
    const scenario = race()
    scenario.nodes = scenario.nodes.filter((n) => n.id !== 'merge')
    scenario.edges = scenario.edges.filter((e) => e.from !== 'merge').map((e) => (e.to === 'merge' ? { ...e, to: 'after' } : e))
    const result = validateScenario(scenario)
    expect(result.ok).toBe(false)
    expect(result.ok ? '' : result.problems[0]!.message).toMatch(/must meet at a parallelGateway \(waiting for all\) or an exclusiveGateway/)
  })
})

describe('flows/first-answer.json', () => {
  test('the fallback answers first; without it the computed answer does', async () => {
    const { readFileSync } = await import('node:fs')
    const flow = JSON.parse(readFileSync(new URL('../../flows/first-answer.json', import.meta.url), 'utf8')) as Scenario
    const quick = await startProcess(flow, { body: {} })
    expect(quick.error).toBeNull()
    expect(quick.output.$body).toEqual({ answer: 'fallback' })
    const slow = await startProcess(flow, { body: { delayMs: 500 } })
    expect(slow.error).toBeNull()
    expect(slow.output.$body).toEqual({ answer: 'computed' })
  })
})
