/**
 * Resume on the current version: a process that failed in a step goes on from where it stopped
 * under the scenario's latest version (the node fixed there), through the API; a version that
 * no longer has that node is refused with the reason, and the process stays as it was.
 */
import { afterAll, beforeAll, expect, test } from 'vitest'
import { errorOf, sleep, startServer, type TestServer } from './helpers.ts'

let server: TestServer
beforeAll(async () => {
  server = await startServer()
})
afterAll(async () => {
  await server?.close()
})

const scenario = (price: string, withPrice = true) => ({
  id: 'order-total',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'count', type: 'setVariables', config: { assignments: [{ name: 'items', value: '3' }] } },
    ...(withPrice ? [{ id: 'price', type: 'setVariables', config: { assignments: [{ name: '$body', value: price }] } }] : []),
    { id: 'end', type: 'end' },
  ],
  edges: withPrice
    ? [
        { from: 'start', to: 'count' },
        { from: 'count', to: 'price' },
        { from: 'price', to: 'end' },
      ]
    : [
        { from: 'start', to: 'count' },
        { from: 'count', to: 'end' },
      ],
})

async function until(id: string, statuses: string[]) {
  for (let i = 0; i < 300; i++) {
    const record = await (await server.api('GET', `/api/v1/processes/${id}`)).json()
    if (statuses.includes(record.status)) return record
    await sleep(30)
  }
  throw new Error(`process ${id} never became ${statuses.join('/')}`)
}

test('a failed process resumes on the latest version from the node it failed at; a version without that node is refused', async () => {
  expect((await server.api('POST', '/api/v1/scenarios', scenario('({ total: items * unitPrice })'))).status).toBe(201)
  expect((await server.api('POST', '/api/v1/webrequests', { name: 'Order total', urlId: 'order-total', scenarioId: 'order-total' })).status).toBe(201)
  const answer = await server.call('/api/webrequest/order-total', { method: 'POST' })
  expect(answer.status).toBe(500)
  const id = answer.headers.get('x-process-id')!
  const failed = await until(id, ['failed'])
  expect(failed).toMatchObject({ scenario: { version: 1 }, error: { code: 'UNDEFINED_VARIABLE', nodeId: 'price' } })

  // Version 2 fixes the node (and puts another one before it, so node positions differ).
  const fixed = scenario('({ total: items * 7 })')
  fixed.nodes.splice(1, 0, { id: 'note', type: 'setVariables', config: { assignments: [{ name: 'note', value: "'v2'" }] } })
  fixed.edges = [
    { from: 'start', to: 'note' },
    { from: 'note', to: 'count' },
    { from: 'count', to: 'price' },
    { from: 'price', to: 'end' },
  ]
  expect((await server.api('PUT', '/api/v1/scenarios/order-total', fixed)).status).toBe(200)

  const resumed = await server.api('POST', `/api/v1/processes/${id}/resume`, { version: 'current' })
  expect(resumed.status).toBe(202)
  const done = await until(id, ['completed'])
  // It went on from `price` (the steps before it were not run again: no `note` from version 2).
  expect(done).toMatchObject({ status: 'completed', scenario: { id: 'order-total', version: 2 }, output: { items: 3, $body: { total: 21 } } })
  expect(done.output.note).toBeUndefined()

  // Another failure, then a version without the node it failed at: refused, nothing changes.
  const again = await server.call('/api/webrequest/order-total', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
  expect(again.status).toBe(200)
  expect((await server.api('PUT', '/api/v1/scenarios/order-total', scenario('items * unknownPrice'))).status).toBe(200)
  const second = (await server.call('/api/webrequest/order-total', { method: 'POST' })).headers.get('x-process-id')!
  expect((await until(second, ['failed'])).scenario.version).toBe(3)
  expect((await server.api('PUT', '/api/v1/scenarios/order-total', scenario('', false))).status).toBe(200)
  const refused = await server.api('POST', `/api/v1/processes/${second}/resume`, { version: 'current' })
  expect(refused.status).toBe(409)
  const error = await errorOf(refused)
  expect(error).toMatchObject({ code: 'NOT_RESUMABLE', details: { nodeId: 'price' } })
  expect(error.message).toContain('replay it instead')
  expect((await until(second, ['failed'])).scenario.version).toBe(3)

  // On its own version it still resumes (and fails the same way there).
  expect((await server.api('POST', `/api/v1/processes/${second}/resume`, { version: 'original' })).status).toBe(202)
  expect((await until(second, ['failed'])).error.code).toBe('UNDEFINED_VARIABLE')
  expect((await errorOf(await server.api('POST', `/api/v1/processes/${second}/resume`, { version: 'newest' }))).code).toBe('BAD_REQUEST')
})
