import { describe, expect, test } from 'vitest'
import { startProcess } from '../../runtime/process.ts'
import { loadFlow, scenario, set } from './helpers.ts'

const linear = (...nodes: ReturnType<typeof set>[]) =>
  scenario(
    [{ id: 's', type: 'start' }, ...nodes, { id: 'e', type: 'end' }],
    ['s', ...nodes.map((n) => n.id), 'e'].slice(1).map((id, i, all) => `${i === 0 ? 's' : all[i - 1]}>${id}`),
  )

describe('errors are values with a code', () => {
  test('EXPRESSION_ERROR names the expression, the node and the message; variables at failure are kept', async () => {
    const result = await startProcess(linear(set('a', { x: '1' }), set('b', { y: 'x.foo.bar' })), {})
    expect(result.status).toBe('failed')
    expect(result.error).toMatchObject({ code: 'EXPRESSION_ERROR', nodeId: 'b' })
    expect(result.error!.details?.expression).toBe('x.foo.bar')
    expect(result.error!.message).toMatch(/bar|undefined/)
    expect(result.error!.variables).toMatchObject({ x: 1 })
    expect(result.steps.at(-1)).toMatchObject({ nodeId: 'b', status: 'failed' })
  })

  test('UNDEFINED_VARIABLE names the variable; typeof works', async () => {
    const failed = await startProcess(linear(set('a', { y: 'nothing + 1' })), {})
    expect(failed.error).toMatchObject({ code: 'UNDEFINED_VARIABLE', nodeId: 'a' })
    expect(failed.error!.message).toMatch(/nothing/)
    const ok = await startProcess(linear(set('a', { y: "typeof nothing === 'undefined' ? 'none' : nothing" })), {})
    expect(ok.output.y).toBe('none')
  })

  test('NO_BRANCH_MATCHED when no condition holds and there is no default', async () => {
    const s = scenario(
      [
        { id: 's', type: 'start' },
        { id: 'g', type: 'exclusiveGateway' },
        { id: 'e', type: 'end' },
      ],
      ['s>g', 'g>e?false'],
    )
    const result = await startProcess(s, {})
    expect(result.status).toBe('failed')
    expect(result.error).toMatchObject({ code: 'NO_BRANCH_MATCHED', nodeId: 'g' })
  })

  test('STEP_LIMIT ends an endless loop instead of hanging', async () => {
    const s = scenario(
      [{ id: 's', type: 'start' }, set('a', { i: '0' }), { id: 'g', type: 'exclusiveGateway' }, set('b', { i: 'i + 1' }), { id: 'e', type: 'end' }],
      ['s>a', 'a>g', 'g>b?true', 'g>e!', 'b>g'],
    )
    const result = await startProcess(s, {}, { maxSteps: 500 })
    expect(result.status).toBe('failed')
    expect(result.error?.code).toBe('STEP_LIMIT')
    expect(result.steps.length).toBe(500)
  })

  test('STEP_LIMIT is not caught by an error boundary', async () => {
    const s = scenario(
      [{ id: 's', type: 'start' }, set('a', { i: 'typeof i === "number" ? i + 1 : 0' }), { id: 'b', type: 'errorBoundary', attachedTo: 'a' }, { id: 'e', type: 'end' }],
      ['s>a', 'a>a', 'b>e'],
    )
    const result = await startProcess(s, {}, { maxSteps: 50 })
    expect(result.error?.code).toBe('STEP_LIMIT')
  })

  test('DATA_LIMIT when variables grow past the limit', async () => {
    const s = scenario([{ id: 's', type: 'start' }, set('a', { big: "'x'.repeat(2000)" }), { id: 'e', type: 'end' }], ['s>a', 'a>e'])
    const result = await startProcess(s, {}, { maxDataBytes: 1000 })
    expect(result.status).toBe('failed')
    expect(result.error).toMatchObject({ code: 'DATA_LIMIT', nodeId: 'a' })
    const inputTooBig = await startProcess(loadFlow('greet'), { body: { name: 'x'.repeat(5000), n: 1 } }, { maxDataBytes: 1000 })
    expect(inputTooBig.error?.code).toBe('DATA_LIMIT')
  })

  test('TIMEOUT interrupts the process and aborts the running timer', async () => {
    const s = scenario(
      [
        { id: 's', type: 'start' },
        { id: 't', type: 'timer', config: { pause: 'PT10S' } },
        { id: 'e', type: 'end' },
      ],
      ['s>t', 't>e'],
    )
    const started = Date.now()
    const result = await startProcess(s, {}, { timeoutMs: 100 })
    expect(Date.now() - started).toBeLessThan(2000)
    expect(result.status).toBe('interrupted')
    expect(result.error).toMatchObject({ code: 'TIMEOUT', nodeId: 't' })
    expect((result.snapshot as { status: string }).status).toBe('active')
  })

  test('an external abort signal interrupts the process', async () => {
    const s = scenario(
      [
        { id: 's', type: 'start' },
        { id: 't', type: 'timer', config: { pause: 'PT10S' } },
        { id: 'e', type: 'end' },
      ],
      ['s>t', 't>e'],
    )
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 50)
    const result = await startProcess(s, {}, { signal: controller.signal })
    expect(result.status).toBe('interrupted')
    expect(result.error?.code).toBe('ABORTED')
  })

  test('an invalid scenario is refused with every problem', async () => {
    await expect(startProcess({ id: 'bad', nodes: [{ id: 's', type: 'start' }], edges: [] }, {})).rejects.toMatchObject({ code: 'INVALID_SCENARIO', status: 422 })
  })
})
