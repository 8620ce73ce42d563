/**
 * An address where a connection is refused, without a probed port that something else could
 * take meanwhile: a listener of this test holds the port on 127.0.0.1 (no one can bind it on
 * 0.0.0.0 or 127.0.0.1 while it does), and nothing listens on it at 127.0.0.2 (still loopback).
 *
 * @example
 * const refused = await refusedAddress()   // afterAll(() => refused.close())
 * await fetch(`http://${refused.host}:${refused.port}/`)   // ECONNREFUSED
 */
import { createServer } from 'node:net'

export interface RefusedAddress {
  host: string
  port: number
  close(): Promise<void>
}

export async function refusedAddress(): Promise<RefusedAddress> {
  const holder = createServer((socket) => socket.destroy())
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve))
  const { port } = holder.address() as { port: number }
  return { host: '127.0.0.2', port, close: () => new Promise((resolve) => holder.close(() => resolve())) }
}
