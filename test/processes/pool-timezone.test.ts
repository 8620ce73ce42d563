/**
 * SANDBOX_TZ reaches the sandboxes of worker threads as a runtime limit (set from the settings at
 * start), not through the environment: a worker started after `setRuntimeLimits` evaluates in
 * that zone with no SANDBOX_TZ variable anywhere.
 */
import { afterAll, expect, test } from 'vitest'
import { WorkerPool } from '../../processes/pool.ts'
import { DEFAULT_RUNTIME_LIMITS, setRuntimeLimits } from '../../runtime/limits.ts'
import type { Scenario } from '../../runtime/types.ts'

delete process.env.SANDBOX_TZ

const clock: Scenario = {
  id: 'clock',
  version: 1,
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'read', type: 'setVariables', config: { assignments: [{ name: 'hours', value: 'new Date(0).getHours()' }] } },
    { id: 'end', type: 'end' },
  ],
  edges: [
    { from: 'start', to: 'read' },
    { from: 'read', to: 'end' },
  ],
}

let pool: WorkerPool | undefined
afterAll(async () => {
  await pool?.close()
  setRuntimeLimits(DEFAULT_RUNTIME_LIMITS, true)
})

test('a worker evaluates in the zone of the runtime limits', async () => {
  setRuntimeLimits({ sandboxTimeZone: 'Europe/Moscow' })
  pool = new WorkerPool({ size: 1 })
  await pool.ready()
  const result = await pool.start(clock, {})
  expect(result).toMatchObject({ status: 'completed', output: { hours: 3 } })
})
