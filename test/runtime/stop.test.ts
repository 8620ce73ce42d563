import { describe, expect, it } from 'vitest'
import { PotokError } from '../../runtime/errors.ts'
import { startProcess } from '../../runtime/process.ts'
import { StopSource } from '../../runtime/stop.ts'
import type { Scenario } from '../../runtime/types.ts'
import { registerComponents } from '../../components/index.ts'

registerComponents()

describe('StopSource', () => {
  it('calls each listener once, in order, with the reason set; later aborts change nothing', () => {
    const stop = new StopSource()
    const heard: string[] = []
    const removed = () => heard.push('removed')
    stop.addEventListener('abort', () => heard.push(`first ${(stop.reason as Error).message}`))
    stop.addEventListener('abort', removed)
    stop.addEventListener('abort', () => heard.push('second'), { once: true })
    stop.removeEventListener('abort', removed)
    expect(stop.aborted).toBe(false)
    stop.abort(new Error('why'))
    stop.abort(new Error('again'))
    expect(heard).toEqual(['first why', 'second'])
    expect((stop.reason as Error).message).toBe('why')
    stop.addEventListener('abort', () => heard.push('late'))
    expect(heard).toEqual(['first why', 'second'])
  })

  it('defaults the reason to an AbortError, as AbortController does', () => {
    const stop = new StopSource()
    stop.abort()
    expect(stop.reason).toBeInstanceOf(DOMException)
    expect((stop.reason as DOMException).name).toBe('AbortError')
  })

  it('stops a running process with its reason, like an AbortSignal', async () => {
    const waits: Scenario = {
      id: 'waits',
      nodes: [
        { id: 'start', type: 'start' },
        { id: 'pause', type: 'timer', config: { pause: 'PT10S' } },
        { id: 'end', type: 'end' },
      ],
      edges: [
        { from: 'start', to: 'pause' },
        { from: 'pause', to: 'end' },
      ],
    }
    const stop = new StopSource()
    const running = startProcess(waits, {}, { signal: stop })
    setTimeout(() => stop.abort(new PotokError('CANCELLED', 'cancelled by the test')), 20)
    const result = await running
    expect(result.status).toBe('cancelled')
    expect(result.error).toMatchObject({ code: 'CANCELLED', message: 'cancelled by the test', nodeId: 'pause' })
  })
})
