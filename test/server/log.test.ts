/** The server's log lines (server/log.ts), read from the stream they are written to. */
import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLogger, logRequest } from '../../server/log.ts'

function capture(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  let text = ''
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += chunk
      done()
    },
  })
  return {
    stream,
    lines: () =>
      text
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line)),
  }
}

describe('server log', () => {
  it('a request line carries its fixed fields only, at info (warn from 500 on), through the logger it was given', () => {
    const { stream, lines } = capture()
    const logger = createLogger('info', stream)
    logRequest(logger, { method: 'POST', path: '/api/webrequest/greet', status: 201, ms: 1.5, urlId: 'greet', processId: 'p1' })
    // A field outside RequestLog (a caller's mistake) does not reach the line.
    logRequest(logger, { method: 'GET', path: '/healthz', status: 503, ms: 2, headers: { authorization: 'Bearer s3cret' } } as never)
    const [first, second] = lines()
    expect(first).toMatchObject({ level: 30, service: 'potok', msg: 'request', method: 'POST', path: '/api/webrequest/greet', status: 201, ms: 1.5, urlId: 'greet', processId: 'p1' })
    expect(second).toMatchObject({ level: 40, msg: 'request', method: 'GET', path: '/healthz', status: 503 })
    expect(JSON.stringify(second)).not.toContain('s3cret')
    expect(lines()).toHaveLength(2)
  })

  it('every other line is still redacted by name, and the level holds for request lines too', () => {
    const { stream, lines } = capture()
    const logger = createLogger('warn', stream)
    logRequest(logger, { method: 'GET', path: '/healthz', status: 200, ms: 1 })
    logger.warn({ headers: { authorization: 'Bearer s3cret' }, token: 't0ken', detail: { password: 'pw' } }, 'odd')
    const all = lines()
    expect(all).toHaveLength(1)
    expect(all[0]).toMatchObject({ msg: 'odd', headers: '[redacted]', token: '[redacted]', detail: { password: '[redacted]' } })
  })
})
