import { describe, expect, test } from 'vitest'
import { startProcess } from '../../runtime/process.ts'
import { validateScenario } from '../../runtime/scenario.ts'
import type { ScenarioNode } from '../../runtime/types.ts'
import { chain, loadFlow, withErrorBoundary } from './helpers.ts'

const parse = (config: Record<string, unknown>): ScenarioNode => ({ id: 'p', type: 'parser', config: { data: 'doc', saveTo: 'out', ...config } })
const run = async (config: Record<string, unknown>, doc: unknown) => startProcess(chain([parse(config)]), { doc })
const store = {
  books: [
    { title: 'A', price: 8 },
    { title: 'B', price: 12 },
    { title: 'C', price: 9 },
  ],
  owner: { name: 'Ann' },
}

describe('parser', () => {
  test.each([
    ['first', 'A'],
    ['last', 'C'],
    ['all', ['A', 'C']],
  ])('jsonpath, return %s', async (which, expected) => {
    const result = await run({ method: 'jsonpath', query: '$.books[?@.price < 10].title', return: which }, store)
    expect(result.status).toBe('completed')
    expect(result.output.out).toEqual(expected)
  })

  test('jsonpath: no match is null (first/last) or an empty list (all); JSON text is parsed', async () => {
    expect((await run({ method: 'jsonpath', query: '$.nothing' }, store)).output.out).toBeNull()
    expect((await run({ method: 'jsonpath', query: '$..name', return: 'all' }, store)).output.out).toEqual(['Ann'])
    expect((await run({ method: 'jsonpath', query: '$.nothing', return: 'all' }, store)).output.out).toEqual([])
    expect((await run({ method: 'jsonpath', query: '$.owner.name' }, JSON.stringify(store))).output.out).toBe('Ann')
    const notJson = await run({ method: 'jsonpath', query: '$.a' }, 'plain text')
    expect(notJson.error).toMatchObject({ code: 'PARSER_ERROR', message: expect.stringMatching(/not JSON/) })
  })

  test.each([
    ['first', 0, 'id=12-a'],
    ['first', 1, '12'],
    ['last', 1, '7'],
    ['all', 1, ['12', '345', '7']],
    ['all', 2, ['a', null, 'c']],
  ])('regex, return %s of group %i', async (which, group, expected) => {
    const result = await run({ method: 'regex', query: 'id=(\\d+)(?:-([a-z]))?', group, return: which }, 'id=12-a id=345 id=7-c')
    expect(result.output.out).toEqual(expected)
  })

  test('regex: inline flags, no match, numbers searched as text, objects refused', async () => {
    expect((await run({ method: 'regex', query: '(?i)hello' }, 'Say HELLO')).output.out).toBe('HELLO')
    expect((await run({ method: 'regex', query: 'x', return: 'all' }, 'abc')).output.out).toEqual([])
    expect((await run({ method: 'regex', query: 'x' }, 'abc')).output.out).toBeNull()
    expect((await run({ method: 'regex', query: '\\d{2}$' }, 12345)).output.out).toBe('45')
    const caught = await startProcess(withErrorBoundary(parse({ method: 'regex', query: 'a' })), { doc: { a: 1 } })
    expect(caught.output.err).toMatchObject({ code: 'PARSER_ERROR', message: expect.stringMatching(/needs text.*an object/) })
  })

  test('a catastrophic regex finishes fast (linear-time engine)', async () => {
    const started = performance.now()
    const result = await run({ method: 'regex', query: '(a+)+$' }, `${'a'.repeat(30)}!`)
    expect(result.status).toBe('completed')
    expect(result.output.out).toBeNull()
    const big = await run({ method: 'regex', query: '(a|aa)+$', return: 'all' }, `${'a'.repeat(100_000)}!`)
    expect(big.output.out).toEqual([])
    expect(performance.now() - started).toBeLessThan(2000)
  })

  test('validation: regex syntax RE2 lacks, missing groups, bad JSONPath, match()/search()', () => {
    const problems = (config: Record<string, unknown>) => {
      const result = validateScenario(chain([parse(config)]))
      return result.ok ? [] : result.problems
    }
    expect(problems({ method: 'regex', query: 'a(?=b)' })).toEqual([{ path: 'nodes[1].config.query', message: expect.stringMatching(/lookarounds and backreferences are not supported/) }])
    expect(problems({ method: 'regex', query: '(a)\\1' })[0]?.path).toBe('nodes[1].config.query')
    expect(problems({ method: 'regex', query: '(a)', group: 2 })).toEqual([{ path: 'nodes[1].config.group', message: expect.stringMatching(/1 capture group/) }])
    expect(problems({ method: 'jsonpath', query: '$.a[' })[0]?.message).toMatch(/JSONPath does not parse/)
    expect(problems({ method: 'jsonpath', query: "$[?match(@.a, '(a+)+$')]" })[0]?.message).toMatch(/match\(\) is not supported/)
    expect(problems({ method: 'jsonpath', query: "$[?search(@.a, 'x')]" })[0]?.message).toMatch(/search\(\) is not supported/)
    expect(problems({ method: 'jsonpath', query: '$[?foo(@)]' })[0]?.message).toMatch(/foo\(\) does not exist/)
    expect(problems({ method: 'jsonpath', query: '$[?length(@.tags) > 1]' })).toEqual([])
    expect(problems({ method: 'xpath', query: '/a' })[0]?.path).toBe('nodes[1].config.method')
    expect(problems({ method: 'regex', query: 'a', data: 'doc +' })[0]?.path).toBe('nodes[1].config.data')
  })

  test('flows/parser.json extracts e-mail domains and cheap book titles', async () => {
    const result = await startProcess(loadFlow('parser'), { body: {} })
    expect(result.output.$body).toEqual({ domains: ['example.com', 'mail.example.org'], cheap: ['Sayings of the Century', 'Moby Dick'] })
    const own = await startProcess(loadFlow('parser'), { body: { text: 'x@a.io, y@b.dev', books: [{ title: 'T', price: 1 }] } })
    expect(own.output.$body).toEqual({ domains: ['a.io', 'b.dev'], cheap: ['T'] })
  })
})

describe('parser: Bpium notations', () => {
  test('regex in /…/flags notation, as Bpium documents it', async () => {
    const run = (config: Record<string, unknown>, data: unknown) => startProcess(chain([parse({ saveTo: 'out', data: 'doc', ...config })]), { doc: data })
    expect((await run({ method: 'regex', query: '/№(\\d+)/', group: 1 }, 'Ваш заказ №12345 подтверждён')).output.out).toBe('12345')
    expect((await run({ method: 'regex', query: '/hello/i' }, 'Say HELLO')).output.out).toBe('HELLO')
    expect((await run({ method: 'regex', query: '/^b$/m', return: 'all' }, 'a\nb\nc')).output.out).toEqual(['b'])
    expect((await run({ method: 'regex', query: '/a.b/s' }, 'a\nb')).output.out).toBe('a\nb')
    expect((await run({ method: 'regex', query: '/x/g', return: 'all' }, 'xax')).output.out).toEqual(['x', 'x'])
    expect((await run({ method: 'regex', query: '/' }, 'a/b')).output.out).toBe('/')
    const result = validateScenario(chain([parse({ method: 'regex', query: '/a/y', data: 'doc', saveTo: 'out' })]))
    expect(result.ok ? [] : result.problems).toEqual([{ path: 'nodes[1].config.query', message: expect.stringContaining('flag "y" is not supported') }])
  })

  test('queryExpression: the query computed at run time, checked then', async () => {
    const run = (config: Record<string, unknown>, vars: Record<string, unknown>) => startProcess(withErrorBoundary(parse({ saveTo: 'out', data: 'doc', ...config })), vars)
    const regex = await run({ method: 'regex', queryExpression: "'/' + prefix + '(\\\\d+)/'", group: 1 }, { doc: 'order A-17', prefix: 'A-' })
    expect(regex.output.out).toBe('17')
    const path = await run({ method: 'jsonpath', queryExpression: '`$.items[*].${field}`', return: 'all' }, { doc: { items: [{ sku: 'a' }, { sku: 'b' }] }, field: 'sku' })
    expect(path.output.out).toEqual(['a', 'b'])
    const bad = await run({ method: 'regex', queryExpression: "'a(?=b)'" }, { doc: 'ab' })
    expect(bad.output.err).toMatchObject({ code: 'PARSER_ERROR', message: expect.stringContaining('lookarounds') })
    const notText = await run({ method: 'jsonpath', queryExpression: '42' }, { doc: {} })
    expect(notText.output.err).toMatchObject({ code: 'PARSER_ERROR', message: expect.stringContaining('not number') })
    const both = validateScenario(chain([parse({ method: 'regex', query: 'a', queryExpression: "'a'", data: 'doc', saveTo: 'out' })]))
    expect(both.ok).toBe(false)
  })
})
