import { describe, expect, test } from 'vitest'
import { startProcess } from '../../runtime/process.ts'
import { loadFlow, scenario, set } from './helpers.ts'

describe('example flows', () => {
  test('greet answers 201 with a header and a greeting', async () => {
    const result = await startProcess(loadFlow('greet'), { body: { name: 'Ada', n: 41 } })
    expect(result.status).toBe('completed')
    expect(result.error).toBeNull()
    expect(result.output.$status).toBe(201)
    expect(result.output.$headers).toEqual({ 'X-Flow': 'yes' })
    expect(result.output.$body).toEqual({ greeting: 'Hello, Ada', next: 42 })
    expect(result.output.body).toEqual({ name: 'Ada', n: 41 })
    expect(result.steps.map((s) => [s.nodeId, s.status])).toEqual([
      ['start', 'completed'],
      ['vars', 'completed'],
      ['end', 'completed'],
    ])
  })

  test('loop runs 1 000 iterations through a back edge', async () => {
    const result = await startProcess(loadFlow('loop'), {})
    expect(result.status).toBe('completed')
    expect(result.output.$body).toEqual({ n: 1000, sum: 500500 })
    expect(result.steps.filter((s) => s.nodeId === 'step')).toHaveLength(1000)
    expect(result.steps.filter((s) => s.nodeId === 'check')).toHaveLength(1001)
    expect(result.steps.map((s) => s.index)).toEqual(result.steps.map((_, i) => i))
  })

  test('parallel split waits for both branches at the join', async () => {
    const result = await startProcess(loadFlow('parallel'), {})
    expect(result.status).toBe('completed')
    expect(result.output.$body).toEqual({ both: 'LR', keys: ['left', 'right'] })
    const order = result.steps.map((s) => s.nodeId)
    expect(order.indexOf('join')).toBeGreaterThan(order.indexOf('right'))
    expect(order.indexOf('join')).toBeGreaterThan(order.indexOf('left'))
    expect(order.filter((n) => n === 'join')).toHaveLength(1)
  })

  test('error boundary catches a failing expression and writes code and message', async () => {
    const result = await startProcess(loadFlow('error-boundary'), { body: { price: 2, qty: 3 } })
    expect(result.status).toBe('completed')
    expect(result.output.errCode).toBe('UNDEFINED_VARIABLE')
    expect(result.output.errMsg).toMatch(/missingVariable/)
    expect(result.output.$status).toBe(422)
    expect(result.steps.find((s) => s.nodeId === 'risky')?.status).toBe('failed')
    expect(result.steps.find((s) => s.nodeId === 'risky')?.error?.code).toBe('UNDEFINED_VARIABLE')
  })

  test('timer waits its ISO 8601 pause', async () => {
    const result = await startProcess(loadFlow('timer'), {})
    expect(result.status).toBe('completed')
    expect((result.output.$body as { waitedMs: number }).waitedMs).toBeGreaterThanOrEqual(195)
  })
})

describe('control flow', () => {
  test('exclusive gateway takes the first true condition in edge order', async () => {
    const s = scenario(
      [{ id: 's', type: 'start' }, { id: 'g', type: 'exclusiveGateway' }, set('a', { r: "'a'" }), set('b', { r: "'b'" }), set('c', { r: "'c'" }), { id: 'e', type: 'end' }],
      ['s>g', 'g>a?x > 10', 'g>b?x > 1', 'g>c!', 'a>e', 'b>e', 'c>e'],
    )
    expect((await startProcess(s, { x: 5 })).output.r).toBe('b')
    expect((await startProcess(s, { x: 50 })).output.r).toBe('a')
    expect((await startProcess(s, { x: 0 })).output.r).toBe('c')
  })

  test('a node with several outgoing edges runs them in parallel, branches ending separately', async () => {
    const s = scenario(
      [
        { id: 's', type: 'start' },
        set('fork', { n: '1' }),
        set('a', { 'out.a': 'n + 1' }),
        { id: 'w', type: 'timer', config: { pause: 'PT0.02S' } },
        set('b', { 'out.b': 'n + 2' }),
        { id: 'e1', type: 'end' },
        { id: 'e2', type: 'end' },
      ],
      ['s>fork', 'fork>a', 'fork>w', 'w>b', 'a>e1', 'b>e2'],
    )
    const result = await startProcess(s, {})
    expect(result.status).toBe('completed')
    expect(result.output.out).toEqual({ a: 2, b: 3 })
    expect(result.steps.filter((step) => step.nodeId.startsWith('e'))).toHaveLength(2)
  })

  test('nested parallel blocks join in order', async () => {
    const s = scenario(
      [
        { id: 's', type: 'start' },
        { id: 'p1', type: 'parallelGateway' },
        { id: 'p2', type: 'parallelGateway' },
        set('a', { 'x.a': '1' }),
        set('b', { 'x.b': '2' }),
        { id: 'j2', type: 'parallelGateway' },
        set('c', { 'x.c': '3' }),
        { id: 'j1', type: 'parallelGateway' },
        set('sum', { total: 'x.a + x.b + x.c' }),
        { id: 'e', type: 'end' },
      ],
      ['s>p1', 'p1>p2', 'p1>c', 'p2>a', 'p2>b', 'a>j2', 'b>j2', 'j2>j1', 'c>j1', 'j1>sum', 'sum>e'],
    )
    const result = await startProcess(s, {})
    expect(result.status).toBe('completed')
    expect(result.output.total).toBe(6)
  })

  test('a parallel block inside a loop runs again on every pass', async () => {
    const s = scenario(
      [
        { id: 's', type: 'start' },
        set('init', { i: '0', log: '[]' }),
        { id: 'p', type: 'parallelGateway' },
        set('a', { la: "'a' + i" }),
        set('b', { lb: "'b' + i" }),
        { id: 'j', type: 'parallelGateway' },
        set('inc', { i: 'i + 1', log: 'log.concat([la + lb])' }),
        { id: 'g', type: 'exclusiveGateway' },
        { id: 'e', type: 'end' },
        { id: 'm', type: 'exclusiveGateway', name: 'merge' },
      ],
      ['s>init', 'init>m', 'm>p!', 'p>a', 'p>b', 'a>j', 'b>j', 'j>inc', 'inc>g', 'g>m?i < 3', 'g>e!'],
    )
    const result = await startProcess(s, {})
    expect(result.status).toBe('completed')
    expect(result.output.log).toEqual(['a0b0', 'a1b1', 'a2b2'])
  })

  test('setVariables: each line sees the ones before; dotted names keep other keys', async () => {
    const s = scenario([{ id: 's', type: 'start' }, set('v', { a: '1', b: 'a + 1', 'order.total': 'a + b', 'order.items.count': '2' }), { id: 'e', type: 'end' }], ['s>v', 'v>e'])
    const result = await startProcess(s, { order: { id: 7 } })
    expect(result.output).toMatchObject({ a: 1, b: 2, order: { id: 7, total: 3, items: { count: 2 } } })
  })

  test('errorEnd completes the process and marks $error', async () => {
    const s = scenario(
      [
        { id: 's', type: 'start' },
        { id: 'x', type: 'errorEnd', config: { code: 'NOT_ALLOWED', message: "'user ' + who + ' may not'" } },
      ],
      ['s>x'],
    )
    const result = await startProcess(s, { who: 'bob' })
    expect(result.status).toBe('completed')
    expect(result.output.$error).toEqual({ code: 'NOT_ALLOWED', message: 'user bob may not' })
  })

  test('the input object is never mutated', async () => {
    const input = { body: { name: 'Ada', n: 1 } }
    const before = JSON.stringify(input)
    await startProcess(scenario([{ id: 's', type: 'start' }, set('v', { 'body.name': "'Eve'" }), { id: 'e', type: 'end' }], ['s>v', 'v>e']), input)
    expect(JSON.stringify(input)).toBe(before)
  })
})
