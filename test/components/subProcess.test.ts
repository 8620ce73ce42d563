import { describe, expect, test } from 'vitest'
import { childProcessService, type ChildProcessServiceOptions } from '../../runtime/children.ts'
import { startProcess } from '../../runtime/process.ts'
import { validateScenario } from '../../runtime/scenario.ts'
import type { ChildProcessRequest, ProcessResult, Scenario, ScenarioNode } from '../../runtime/types.ts'
import { chain, eventually, loadFlow, withErrorBoundary } from './helpers.ts'

/** A child-process service over an in-memory scenario map, remembering what it records. */
function host(scenarios: Scenario[], options: Partial<ChildProcessServiceOptions> = {}) {
  const byId = new Map(scenarios.map((s) => [s.id, s]))
  const records: Array<{ result: ProcessResult; parentId: string }> = []
  const startChild = childProcessService({
    loadScenario: async (id) => byId.get(id) ?? null,
    record: async (result: ProcessResult, request: ChildProcessRequest) => {
      records.push({ result, parentId: request.parent.id })
    },
    ...options,
  })
  return { services: { startChild }, records }
}

const sub = (config: Record<string, unknown>, id = 'sub'): ScenarioNode => ({ id, type: 'subProcess', config })
const named = (id: string, s: Scenario): Scenario => ({ ...s, id })
const set = (id: string, assignments: Record<string, string>): ScenarioNode => ({
  id,
  type: 'setVariables',
  config: { assignments: Object.entries(assignments).map(([name, value]) => ({ name, value })) },
})
const flows = [loadFlow('sub-process'), loadFlow('sub-process-child')]
const uuid = /^[0-9a-f-]{36}$/

describe('subProcess', () => {
  test("sync: the child's variables come back; async: only its id, at once", async () => {
    const { services, records } = host(flows)
    const result = await startProcess(loadFlow('sub-process'), { body: {} }, { services })
    expect(result.status).toBe('completed')
    const body = result.output.$body as { total: number; childId: string; asyncChildId: string }
    expect(body.total).toBe(11)
    expect(body.childId).toMatch(uuid)
    expect(body.asyncChildId).toMatch(uuid)
    expect(result.output.child).toMatchObject({ order: { id: 'A-1' }, total: 11 })
    await eventually(() => records.length === 2)
    expect(records.map((r) => [r.result.processId, r.result.status, r.parentId])).toEqual([
      [body.childId, 'completed', result.processId],
      [body.asyncChildId, 'completed', result.processId],
    ])
    expect(records[1]!.result.output).toMatchObject({ note: 'started asynchronously', total: 11 })
  })

  test('async returns before the child ends; a failing async child crashes nothing', async () => {
    const slow = named('slow', chain([{ id: 'wait', type: 'timer', config: { pause: 'PT0.3S' } }, set('boom', { x: 'missing' })]))
    const { services, records } = host([slow])
    const started = Date.now()
    const result = await startProcess(chain([sub({ scenario: "'slow'", mode: 'async', processIdTo: 'id' })]), {}, { services })
    expect(result.status).toBe('completed')
    expect(Date.now() - started).toBeLessThan(250)
    expect(records).toHaveLength(0)
    await eventually(() => records.length === 1)
    expect(records[0]!.result).toMatchObject({ processId: result.output.id, status: 'failed', error: { code: 'UNDEFINED_VARIABLE' } })
  })

  test('a failing child is SUBPROCESS_FAILED naming the child and its error, caught by a boundary', async () => {
    const { services, records } = host(flows)
    const result = await startProcess(loadFlow('sub-process'), { body: { order: { id: 'empty' } } }, { services })
    expect(result.output.$status).toBe(502)
    const child = records[0]!.result
    expect(child.status).toBe('failed')
    expect(result.output.$body).toEqual({
      error: 'SUBPROCESS_FAILED',
      message: expect.stringContaining(`child process ${child.processId} (scenario "sub-process-child") failed at node "total": EXPRESSION_ERROR`),
    })
  })

  test('a scenario that starts itself ends with SUBPROCESS_DEPTH', async () => {
    const self = named('self', chain([sub({ scenario: "'self'", resultTo: 'r' })]))
    const { services, records } = host([self])
    const result = await startProcess(self, {}, { services })
    expect(result.status).toBe('failed')
    expect(result.error).toMatchObject({ code: 'SUBPROCESS_DEPTH', message: expect.stringMatching(/may nest 8 deep \(MAX_SUBPROCESS_DEPTH\).*does a scenario start itself/) })
    expect(records).toHaveLength(8)
    expect(records.every((r) => r.result.status === 'failed' && r.result.error?.code === 'SUBPROCESS_DEPTH')).toBe(true)
    const limited = host([self], { maxDepth: 2 })
    expect((await startProcess(self, {}, { services: limited.services })).error?.code).toBe('SUBPROCESS_DEPTH')
    expect(limited.records).toHaveLength(2)
  })

  test('inputs: a list of names (dotted paths allowed) or one object expression', async () => {
    const plain = named('plain', chain([]))
    const { services } = host([plain])
    const list = await startProcess(
      chain([
        sub({
          scenario: "'plain'",
          inputs: [
            { name: 'a.b', value: 'n + 1' },
            { name: 'c', value: "'x'" },
          ],
          resultTo: 'r',
        }),
      ]),
      { n: 1 },
      { services },
    )
    expect(list.output.r).toEqual({ a: { b: 2 }, c: 'x' })
    const object = await startProcess(chain([sub({ scenario: "'pla' + 'in'", inputs: '({ ...payload, extra: true })', resultTo: 'r', processIdTo: 'id' })]), { payload: { k: 1 } }, { services })
    expect(object.output.r).toEqual({ k: 1, extra: true })
    expect(object.output.id).toMatch(uuid)
    const wrong = await startProcess(chain([sub({ scenario: "'plain'", inputs: '[1, 2]' })]), {}, { services })
    expect(wrong.error).toMatchObject({ code: 'SUBPROCESS_INPUT', message: expect.stringMatching(/not a list/) })
  })

  test('unknown scenario, invalid scenario, no service', async () => {
    const broken = { id: 'broken', nodes: [{ id: 'start', type: 'start' }], edges: [] } as Scenario
    const { services } = host([broken])
    const missing = await startProcess(withErrorBoundary(sub({ scenario: "'nope'" })), {}, { services })
    expect(missing.output.err).toMatchObject({ code: 'SUBPROCESS_NOT_FOUND', message: expect.stringMatching(/"nope"/) })
    const invalid = await startProcess(chain([sub({ scenario: "'broken'" })]), {}, { services })
    expect(invalid.error).toMatchObject({ code: 'SUBPROCESS_INVALID', message: expect.stringMatching(/scenario "broken" cannot run/) })
    const bare = await startProcess(chain([sub({ scenario: "'broken'" })]), {})
    expect(bare.error?.code).toBe('SUBPROCESS_UNAVAILABLE')
  })

  test('stopping the parent interrupts a sync child', async () => {
    const slow = named('slow', chain([{ id: 'wait', type: 'timer', config: { pause: 'PT5S' } }]))
    const { services, records } = host([slow])
    const result = await startProcess(chain([sub({ scenario: "'slow'" })]), {}, { services, timeoutMs: 200 })
    expect(result.status).toBe('interrupted')
    await eventually(() => records.length === 1)
    expect(records[0]!.result.status).toBe('interrupted')
  })

  test('startAsync and startOptions let the host take over children', async () => {
    const plain = named('plain', chain([]))
    const launched: string[] = []
    const { services, records } = host([plain], {
      startAsync: (launch) => {
        launched.push(launch.processId)
      },
      startOptions: () => ({ maxSteps: 1 }),
    })
    const result = await startProcess(chain([sub({ scenario: "'plain'", mode: 'async', processIdTo: 'id' })]), {}, { services })
    expect(launched).toEqual([result.output.id])
    expect(records).toHaveLength(0)
    const sync = await startProcess(chain([sub({ scenario: "'plain'" })]), {}, { services })
    expect(sync.error).toMatchObject({ code: 'SUBPROCESS_FAILED', message: expect.stringMatching(/STEP_LIMIT/) })
  })

  test('validation: an async sub-process has no resultTo', () => {
    const result = validateScenario(chain([sub({ scenario: "'x'", mode: 'async', resultTo: 'r' })]))
    expect(result.ok ? [] : result.problems).toContainEqual({ path: 'nodes[1].config.resultTo', message: expect.stringMatching(/processIdTo/) })
  })
})
