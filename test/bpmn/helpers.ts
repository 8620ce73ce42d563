import { readFileSync, readdirSync } from 'node:fs'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'

export const FIXTURES = new URL('./fixtures/', import.meta.url)
export const FLOWS = new URL('../../flows/', import.meta.url)

export function fixture(name: string): string {
  return readFileSync(new URL(`${name}.bpmn`, FIXTURES), 'utf8')
}

export function fixtureNames(): string[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.bpmn'))
    .map((f) => f.slice(0, -5))
    .sort()
}

/** Every scenario file in flows/, read when called (other engineers add flows as we go). */
export function flowFiles(): string[] {
  return readdirSync(FLOWS)
    .filter((f) => f.endsWith('.json'))
    .sort()
}

export interface Received {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: string
}

/**
 * A small upstream API for the fixtures: `POST /leads` (answers `{ id: 42 }`), `GET /items/:id`
 * (answers `{ name: 'item-<id>', n }`), `GET /slow` (answers after 2 s).
 */
export async function startUpstream(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = []
  const timers = new Set<NodeJS.Timeout>()
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => {
      body += chunk
    })
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
      const url = new URL(req.url ?? '/', 'http://x')
      const send = (value: unknown) => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify(value))
      }
      if (url.pathname === '/leads') return send({ id: 42 })
      if (url.pathname.startsWith('/items/')) return send({ name: `item-${url.pathname.slice(7)}`, n: url.searchParams.get('n') })
      if (url.pathname === '/slow') {
        const timer = setTimeout(() => send({ name: 'slow' }), 2000)
        timers.add(timer)
        return
      }
      res.writeHead(404).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer)
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
