/** Issue 11: step records of timers resumed after a restart. */
import { expect, test } from 'vitest'
import { resumeProcess, startProcess } from '../../runtime/process.ts'
import type { PersistUpdate } from '../../runtime/types.ts'
import { manualClock } from '../clock.ts'
import { loadFlow } from './helpers.ts'

test('a timer resumed after a restart reports the whole pause, from when it started', async () => {
  const time = manualClock()
  try {
    const updates: PersistUpdate[] = []
    const whole = startProcess(
      loadFlow('timer'),
      {},
      {
        persist: (u) => {
          updates.push(JSON.parse(JSON.stringify(u)))
        },
      },
    )
    const waitingAt = () => updates.find((u) => JSON.stringify((u.snapshot as { value: unknown }).value).includes('s2'))
    await expect.poll(waitingAt).toBeTruthy()
    await time.advance(200)
    expect((await whole).status).toBe('completed')
    const waiting = waitingAt()!
    const deadline = (waiting.snapshot as { context: { deadlines: Record<string, number> } }).context.deadlines.pause
    // The server was down until 100 ms after the deadline; the timer (PT0.2S) resumes and ends at once.
    await time.advance(Math.max(0, deadline - time.now()) + 100)
    const resumed = await resumeProcess(loadFlow('timer'), waiting.snapshot)
    expect(resumed.status).toBe('completed')
    const pause = resumed.steps.find((step) => step.nodeId === 'pause')!
    expect(pause.status).toBe('completed')
    expect(Date.parse(pause.startedAt)).toBe(deadline - 200)
    expect(pause.durationMs).toBe(300)
  } finally {
    time.restore()
  }
})
