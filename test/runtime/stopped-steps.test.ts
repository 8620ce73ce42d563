/** Issue 11: step records of timers resumed after a restart. */
import { expect, test } from 'vitest'
import { resumeProcess, startProcess } from '../../runtime/process.ts'
import type { PersistUpdate } from '../../runtime/types.ts'
import { loadFlow } from './helpers.ts'

test('a timer resumed after a restart reports the whole pause, from when it started', async () => {
  const updates: PersistUpdate[] = []
  await startProcess(loadFlow('timer'), {}, { persist: (u) => { updates.push(JSON.parse(JSON.stringify(u))) } })
  const waiting = updates.find((u) => JSON.stringify((u.snapshot as { value: unknown }).value).includes('s2'))!
  const deadline = (waiting.snapshot as { context: { deadlines: Record<string, number> } }).context.deadlines.pause
  // The server was down until after the deadline; the timer (PT0.2S) resumes and ends at once.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now()) + 100))
  const resumed = await resumeProcess(loadFlow('timer'), waiting.snapshot)
  expect(resumed.status).toBe('completed')
  const pause = resumed.steps.find((step) => step.nodeId === 'pause')!
  expect(pause.status).toBe('completed')
  expect(Date.parse(pause.startedAt)).toBe(deadline - 200)
  expect(pause.durationMs).toBeGreaterThanOrEqual(300)
})
