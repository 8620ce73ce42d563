/**
 * Answers Node's protocol-level failures — a request that does not parse (400), headers over
 * Node's limit (431), headers or body not received within HTTP_HEADERS_TIMEOUT_MS /
 * HTTP_REQUEST_TIMEOUT_MS (408) — with the standard JSON error body instead of Node's bare status
 * line, then closes the connection (its state is unknown).
 *
 * @example
 * nodeServer.on('clientError', answerClientError)
 */
import type { Socket } from 'node:net'
import { errorBody } from './errors.ts'
import { type ErrorCode, PotokError } from '../runtime/index.ts'

const ANSWERS: Record<string, [number, string, ErrorCode, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'HEADERS_TOO_LARGE', 'the request headers are over the server limit'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'REQUEST_TIMEOUT', 'the request was not received in time (HTTP_HEADERS_TIMEOUT_MS / HTTP_REQUEST_TIMEOUT_MS)'],
}

/** The `clientError` listener of the Node server. */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage
  if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy()
    return
  }
  const [status, reason, code, message] = ANSWERS[error.code ?? ''] ?? [400, 'Bad Request', 'BAD_REQUEST', 'the request is not valid HTTP']
  const body = JSON.stringify(errorBody(new PotokError(code, message)))
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
}
