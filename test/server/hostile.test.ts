/** Issue 11: hostile and careless input through HTTP — every bad input a clear 4xx, nothing stored that cannot be read back. */
import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { DEFAULT_RUNTIME_LIMITS } from '../../runtime/limits.ts'
import { errorOf, startServer, type TestServer } from './helpers.ts'

let server: TestServer
beforeAll(async () => {
  server = await startServer({
    maxBodyBytes: 300_000,
    maxConcurrentProcesses: 1,
    runtime: { ...DEFAULT_RUNTIME_LIMITS, maxDataBytes: 300_000 },
  })
})
afterAll(() => server.close())

const post = (path: string, body: BodyInit, type = 'application/json') =>
  server.call(path, { method: 'POST', headers: { 'content-type': type }, body })

/** A raw connection that sent the headers of a POST and `sent` bytes of its body, then stalls. */
function trickle(path: string, declared: number, sent: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1', () => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n${sent}`)
      resolve(socket)
    })
    socket.on('error', reject)
  })
}

describe('bodies', () => {
  test('a JSON body nested deeper than MAX_BODY_DEPTH is a 400, no process; lists still read', async () => {
    const before = (await server.processes()).length
    const deep = '{"a":'.repeat(4000) + '1' + '}'.repeat(4000)
    for (const path of ['/api/webrequest/echo', '/api/webrequest/echo?async=true']) {
      const answer = await post(path, deep)
      expect(answer.status).toBe(400)
      expect(answer.headers.get('x-process-id')).toBeNull()
      const error = await errorOf(answer)
      expect(error.code).toBe('BODY_TOO_DEEP')
      expect(error.message).toMatch(/MAX_BODY_DEPTH/)
    }
    expect((await server.processes()).length).toBe(before)
    const list = await server.api('GET', '/api/v1/processes?status=failed')
    expect(list.status).toBe(200)
    // Nesting within the limit is an ordinary body.
    const fine = await post('/api/webrequest/echo', '{"a":'.repeat(60) + '1' + '}'.repeat(60))
    expect(fine.status).toBe(200)
  })

  test('brackets inside strings do not count as nesting', async () => {
    const answer = await post('/api/webrequest/echo', JSON.stringify({ text: '['.repeat(5000), q: '\\"{{{' }))
    expect(answer.status).toBe(200)
  })

  test('the management API refuses a too deep body with the same 400', async () => {
    const deep = '['.repeat(1000) + ']'.repeat(1000)
    const answer = await server.api('POST', '/api/v1/scenarios', deep)
    expect(answer.status).toBe(400)
    expect((await errorOf(answer)).code).toBe('BODY_TOO_DEEP')
  })

  test('input the process could not hold is a 413 before any process exists', async () => {
    const before = (await server.processes()).length
    // 280 KB fits MAX_BODY_BYTES (300 000) but not the process data limit once base64-encoded.
    const form = new FormData()
    form.append('file', new Blob([new Uint8Array(280_000).fill(7)], { type: 'application/octet-stream' }), 'upload.bin')
    for (const path of ['/api/webrequest/echo', '/api/webrequest/echo?async=true']) {
      const answer = await server.call(path, { method: 'POST', body: form })
      expect(answer.status).toBe(413)
      expect(answer.headers.get('x-process-id')).toBeNull()
      const error = await errorOf(answer)
      expect(error.code).toBe('PAYLOAD_TOO_LARGE')
      expect(error.message).toMatch(/MAX_PROCESS_DATA_BYTES/)
    }
    expect((await server.processes()).length).toBe(before)
  })

  test('slow bodies hold no process slot: the slot is taken once the body is read', async () => {
    const slow = await Promise.all([trickle('/api/webrequest/echo', 100, '{"a":'), trickle('/api/webrequest/echo', 100, '{')])
    try {
      await new Promise((resolve) => setTimeout(resolve, 100))
      // MAX_CONCURRENT_PROCESSES is 1 here: a trickling upload must not take it.
      const answer = await post('/api/webrequest/echo', '{"fine":true}')
      expect(answer.status).toBe(200)
    } finally {
      for (const socket of slow) socket.destroy()
    }
  })
})
