import { describe, expect, test } from 'vitest'
import { startProcess } from '../../runtime/process.ts'
import { validateScenario } from '../../runtime/scenario.ts'
import type { ScenarioNode } from '../../runtime/types.ts'
import { chain, loadFlow, withErrorBoundary, withTimeoutBoundary } from './helpers.ts'

const codeNode = (code: string, inputs: Array<{ name: string; value: string }> = [], extra: Record<string, unknown> = {}): ScenarioNode => ({
  id: 'js',
  type: 'code',
  config: { inputs, code, saveTo: 'result', ...extra },
})
const run = (node: ScenarioNode, input: Record<string, unknown> = {}) => startProcess(chain([node]), input)

describe('code', () => {
  test('inputs are evaluated in the process scope; the return value goes to saveTo', async () => {
    const result = await run(
      codeNode(
        'return { sum: a + b.n, names: list.map((x) => x.toUpperCase()) }',
        [
          { name: 'a', value: 'x + 1' },
          { name: 'b', value: '({ n: y })' },
          { name: 'list', value: "['p', 'q']" },
        ],
        { saveTo: 'out.value' },
      ),
      { x: 1, y: 40 },
    )
    expect(result.status).toBe('completed')
    expect(result.output.out).toEqual({ value: { sum: 42, names: ['P', 'Q'] } })
  })

  test('the code sees only its inputs, plus _ and moment', async () => {
    const result = await run(codeNode("return [typeof secret, _.chunk([1, 2, 3], 2), moment.utc('2024-01-31').add(1, 'month').format('YYYY-MM-DD')]"), { secret: 's3cr3t' })
    expect(result.output.result).toEqual(['undefined', [[1, 2], [3]], '2024-02-29'])
  })

  test('returning undefined stores null; no saveTo writes nothing', async () => {
    expect((await run(codeNode('return undefined'))).output.result).toBeNull()
    const none = await run({ id: 'js', type: 'code', config: { inputs: [], code: 'return 1' } })
    expect(none.status).toBe('completed')
    expect(Object.keys(none.output)).toEqual([])
  })

  test('a thrown error is CODE_ERROR with its message, caught by an error boundary', async () => {
    const result = await startProcess(withErrorBoundary(codeNode("if (id > 5) throw new Error('bad order ' + id)\nreturn id", [{ name: 'id', value: '7' }])), {})
    expect(result.status).toBe('completed')
    expect(result.output.err).toEqual({ code: 'CODE_ERROR', message: expect.stringMatching(/bad order 7/) })
    const flow = await startProcess(loadFlow('code'), { body: { lines: [{ price: 1 }, { qty: 2 }] } })
    expect(flow.output).toMatchObject({ $status: 400, $body: { error: 'CODE_ERROR', message: expect.stringMatching(/line 2 has no numeric price/) } })
  })

  test('flows/code.json totals the lines with lodash and moment', async () => {
    const result = await startProcess(loadFlow('code'), { body: { lines: [{ price: 10, qty: 2 }, { price: 1.5 }], days: 31 } })
    expect(result.output.$body).toEqual({ total: 21.5, lines: 2, deliverBy: '2024-02-01' })
  })

  test.each([
    ['Function constructor via this', "return this.constructor.constructor('return typeof process')()"],
    ['Function constructor via an arrow', "return (() => 0).constructor('return typeof process')()"],
    ['sloppy this', "return Function('return this')().process"],
    ['require', "return typeof require === 'function' ? require('fs').readdirSync('/') : typeof require"],
    ['globalThis.process', 'return globalThis.process && globalThis.process.env'],
    ['dynamic import', "return import('node:fs')"],
    ['input prototype', "return x.constructor.constructor('return typeof process')()"],
  ])('no escape: %s', async (_name, attack) => {
    const result = await run(codeNode(attack, [{ name: 'x', value: '({})' }]))
    if (result.status === 'completed') expect([undefined, null, 'undefined', {}]).toContainEqual(result.output.result)
    else expect(result.error?.code).toBe('CODE_ERROR')
    expect(JSON.stringify(result.output)).not.toMatch(/PATH|HOME|node_modules/)
  })

  test('an endless loop stops at timeoutMs; the next process is fine', async () => {
    const started = Date.now()
    const result = await run(codeNode('while (true) {} return 1', [], { timeoutMs: 300 }))
    expect(result.status).toBe('failed')
    expect(result.error).toMatchObject({ code: 'CODE_ERROR', nodeId: 'js', message: expect.stringMatching(/longer than 300 ms/) })
    expect(Date.now() - started).toBeLessThan(3000)
    expect((await run(codeNode('return a * 2', [{ name: 'a', value: '21' }]))).output.result).toBe(42)
  })

  test('a memory bomb fails within bounded time; the next process is fine', async () => {
    const started = Date.now()
    const result = await run(codeNode('const all = []; while (true) all.push(new Array(1e6).fill(7)); return all.length', [], { timeoutMs: 5000 }))
    expect(result.status).toBe('failed')
    expect(result.error?.code).toBe('CODE_ERROR')
    expect(Date.now() - started).toBeLessThan(8000)
    expect((await run(codeNode('return _.sum([1, 2]) + moment.utc(0).year()'))).output.result).toBe(1973)
  })

  test('a timeout boundary shorter than timeoutMs wins over the code', async () => {
    const result = await startProcess(withTimeoutBoundary(codeNode('while (true) {} return 1', [], { timeoutMs: 600 }), 'PT0.1S'), {})
    expect(result.status).toBe('completed')
    expect(result.output.timedOut).toBe(true)
    expect(result.output.result).toBeUndefined()
  })

  test('validation: code syntax with its line, input names, timeout bounds', () => {
    const problems = (config: Record<string, unknown>) => {
      const result = validateScenario(chain([{ id: 'js', type: 'code', config }]))
      return result.ok ? [] : result.problems
    }
    expect(problems({ inputs: [], code: 'const a = 1\nreturn a +* 2' })).toContainEqual({ path: 'nodes[1].config.code', message: expect.stringMatching(/line 2/) })
    expect(problems({ inputs: [{ name: 'not valid', value: '1' }], code: 'return 1' })[0]?.path).toBe('nodes[1].config.inputs[0].name')
    expect(
      problems({
        inputs: [
          { name: 'a', value: '1' },
          { name: 'a', value: '2' },
        ],
        code: 'return a',
      })[0]?.path,
    ).toBe('nodes[1].config.inputs')
    expect(problems({ inputs: [], code: 'return 1', timeoutMs: 10 ** 9 })[0]?.path).toBe('nodes[1].config.timeoutMs')
    expect(problems({ inputs: [{ name: 'a', value: 'a +' }], code: 'return a' })[0]?.path).toBe('nodes[1].config.inputs[0].value')
    expect(problems({ code: 'const x = 1' })).toContainEqual({ path: 'nodes[1].config.code', message: expect.stringMatching(/no return/) })
    expect(problems({ code: 'return 1' })).toEqual([])
  })
})
