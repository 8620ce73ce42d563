/**
 * The server's error answer takes its status from the error catalogue (runtime/error-codes.ts):
 * a known code answers its status, a code potok does not know answers 500, and a relayed status
 * (a failed process's, h3's) is kept.
 */
import { HTTPError } from 'h3'
import { describe, expect, test } from 'vitest'
import { PotokError } from '../../runtime/index.ts'
import { errorResponse } from '../../server/errors.ts'

describe('errorResponse', () => {
  test('a known code answers its catalogue status with the standard error body', async () => {
    const response = errorResponse(new PotokError('NOT_CANCELLABLE', 'process p1 is completed'), { processId: 'p1' })
    expect(response.status).toBe(409)
    expect(response.headers.get('x-process-id')).toBe('p1')
    expect(await response.json()).toEqual({ error: { code: 'NOT_CANCELLABLE', message: 'process p1 is completed', processId: 'p1' } })
  })

  test('a code not in the catalogue answers 500, keeping its code', async () => {
    const response = errorResponse(new PotokError('ORDER_REJECTED', "a scenario's own code"))
    expect(response.status).toBe(500)
    expect((await response.json()).error.code).toBe('ORDER_REJECTED')
  })

  test('Retry-After from details on 429 and 503; a 413 closes the connection', () => {
    const busy = errorResponse(new PotokError('TOO_MANY_PROCESSES', 'busy', { details: { retryAfter: 1 } }))
    expect([busy.status, busy.headers.get('retry-after')]).toEqual([429, '1'])
    const down = errorResponse(new PotokError('STORE_UNAVAILABLE', 'down', { details: { retryAfter: 5 } }))
    expect([down.status, down.headers.get('retry-after')]).toEqual([503, '5'])
    expect(errorResponse(new PotokError('PAYLOAD_TOO_LARGE', 'big')).headers.get('connection')).toBe('close')
  })

  test("relayed statuses are kept: a failed process's 500, h3's own status", () => {
    expect(errorResponse(new PotokError('RECORD_NOT_FOUND', 'the process failed with it', { status: 500 })).status).toBe(500)
    expect(errorResponse(new HTTPError({ status: 405, message: 'no' })).status).toBe(405)
    expect(errorResponse(new HTTPError({ status: 410, message: 'gone' })).status).toBe(410)
  })
})
