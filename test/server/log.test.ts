/** The server's log lines (server/log.ts), read from the stream they are written to. */
import { spawn } from 'node:child_process'
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
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

  describe("on stdout (the server's own logger)", () => {
    const log = fileURLToPath(new URL('../../server/log.ts', import.meta.url))
    /** A Node child that makes the stdout logger and runs `body`; resolves with the lines it printed and when each came. */
    function child(body: string): Promise<{ lines: Array<{ at: number; line: Record<string, unknown> }>; code: number | null; closedAt: number }> {
      const script = `const { createLogger, logRequest } = await import(${JSON.stringify(log)}); const logger = createLogger('info'); ${body}`
      const started = Date.now()
      const node = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
      const lines: Array<{ at: number; line: Record<string, unknown> }> = []
      let rest = ''
      node.stdout.on('data', (chunk) => {
        const parts = (rest + chunk).split('\n')
        rest = parts.pop()!
        for (const part of parts) if (part) lines.push({ at: Date.now() - started, line: JSON.parse(part) })
      })
      return new Promise((resolve) => node.on('close', (code) => resolve({ lines, code, closedAt: Date.now() - started })))
    }

    it('writes request lines within a tenth of a second, a warning at once with the lines before it, and all of them on exit', async () => {
      // A request line, then the thread is held for 1.5 s: only the periodic write can bring it out meanwhile.
      const held = await child(
        `logRequest(logger, { method: 'POST', path: '/a', status: 201, ms: 1 }); setTimeout(() => { const until = Date.now() + 1500; while (Date.now() < until); }, 400); setTimeout(() => {}, 2000)`,
      )
      expect(held.code).toBe(0)
      expect(held.lines.map((l) => l.line.path)).toEqual(['/a'])
      // It came out before the thread was let go (1.5 s held, then 0.1 s to the end at the latest).
      expect(held.closedAt - held.lines[0]!.at).toBeGreaterThan(1000)
      // A warning is not left in the buffer, nor is what came before it (the thread is held right after).
      const warned = await child(
        `logRequest(logger, { method: 'GET', path: '/b', status: 200, ms: 1 }); logger.warn('trouble'); const until = Date.now() + 1500; while (Date.now() < until); setTimeout(() => {}, 200)`,
      )
      expect(warned.lines.map((l) => l.line.msg)).toEqual(['request', 'trouble'])
      expect(warned.closedAt - warned.lines[1]!.at).toBeGreaterThan(1000)
      // Lines still buffered when the process exits are written.
      const exiting = await child(`for (let i = 0; i < 5; i++) logRequest(logger, { method: 'GET', path: '/c' + i, status: 200, ms: 1 }); process.exit(0)`)
      expect(exiting.lines.map((l) => l.line.path)).toEqual(['/c0', '/c1', '/c2', '/c3', '/c4'])
    })
  })
})
