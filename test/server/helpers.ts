/**
 * A real potok server for a test file: `serve()` on a random port, the real SQLite store in a
 * temporary DATA_DIR, FLOWS_DIR = the repository's `flows/` plus the fixture scenarios below.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ProcessRecord } from '../../store/port.ts'
import { createLogger } from '../../server/log.ts'
import { serve, type RunningServer } from '../../server/serve.ts'
import { loadSettings, type Settings } from '../../server/settings.ts'

export const REPO_FLOWS = fileURLToPath(new URL('../../flows/', import.meta.url))
export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef'

const start = { id: 'start', type: 'start' }
const end = { id: 'end', type: 'end' }
const chain = (...ids: string[]) => ids.slice(1).map((to, i) => ({ from: ids[i], to }))
const assign = (id: string, assignments: Record<string, string>) => ({ id, type: 'setVariables', config: { assignments: Object.entries(assignments).map(([name, value]) => ({ name, value })) } })

/** Fixture scenarios (each with its external requests), written into the test's FLOWS_DIR. */
export const FIXTURES: Record<string, unknown> = {
  echo: {
    id: 'echo',
    nodes: [start, assign('answer', { $body: '({ event, script, user, url, method, headers, cookies, query, body })' }), end],
    edges: chain('start', 'answer', 'end'),
    webrequests: [
      { urlId: 'echo', name: 'Echo' },
      { urlId: 'echo-off', name: 'Disabled echo', enabled: false },
      { urlId: 'basic', name: 'Basic auth', auth: { type: 'basic', username: 'ann', password: 's3cret' } },
      { urlId: 'bearer', name: 'Bearer auth', auth: { type: 'bearer', token: { env: 'POTOK_TEST_BEARER' } } },
      { urlId: 'hmac', name: 'HMAC auth', auth: { type: 'hmac', header: 'X-Signature', secret: 'hmac-key', prefix: 'sha256=' } },
      { urlId: 'hmac64', name: 'HMAC base64', auth: { type: 'hmac', header: 'X-Signature', secret: 'hmac-key', encoding: 'base64' } },
      { urlId: 'limited', name: 'Rate limited', rateLimit: { requests: 3, windowMs: 60_000 } },
      { urlId: 'cors', name: 'CORS by potok', cors: { origins: ['http://allowed.example'], maxAge: 600 } },
      { urlId: 'cors-any', name: 'CORS any origin', cors: { origins: '*', methods: ['PUT', 'POST'], headers: ['Content-Type', 'X-Token'] } },
      { urlId: 'cors-auth', name: 'CORS with auth', cors: { origins: ['http://allowed.example'], credentials: true }, auth: { type: 'bearer', token: 'cors-token' } },
    ],
  },
  reply: {
    id: 'reply',
    description: 'Answers with the $status, $headers and $body given in the posted JSON.',
    nodes: [start, assign('answer', { $status: 'body.status', $headers: 'body.headers', $body: 'body.body' }), end],
    edges: chain('start', 'answer', 'end'),
    webrequests: [
      { urlId: 'reply', name: 'Reply' },
      { urlId: 'idem', name: 'Idempotent', idempotency: { windowMs: 60_000 } },
      { urlId: 'idem-header', name: 'Idempotent, own header', idempotency: { header: 'X-Request-Id' } },
    ],
  },
  mirror: {
    id: 'mirror',
    description: 'Sends the request body back as it came (binary values as bytes).',
    nodes: [start, assign('answer', { $body: 'body' }), end],
    edges: chain('start', 'answer', 'end'),
    webrequests: [{ urlId: 'mirror', name: 'Mirror' }],
  },
  preflight: {
    id: 'preflight',
    description: "Bpium's way: the scenario answers CORS itself, preflight included.",
    nodes: [
      start,
      assign('answer', {
        $status: "method === 'OPTIONS' ? 204 : 200",
        $headers: "({ 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Methods': 'PUT, POST', 'Access-Control-Allow-Headers': 'Content-Type' })",
        $body: "method === 'OPTIONS' ? null : ({ ran: method })",
      }),
      end,
    ],
    edges: chain('start', 'answer', 'end'),
    webrequests: [{ urlId: 'preflight', name: 'Scenario-made CORS' }],
  },
  fail: { id: 'fail', nodes: [start, assign('boom', { x: 'missingVariable + 1' }), end], edges: chain('start', 'boom', 'end'), webrequests: [{ urlId: 'fail', name: 'Fails' }] },
  slow: {
    id: 'slow',
    description: 'Waits 1.5 s, then answers.',
    nodes: [start, { id: 'wait', type: 'timer', config: { pause: 'PT1.5S' } }, assign('answer', { $body: '({ waited: true })' }), end],
    edges: chain('start', 'wait', 'answer', 'end'),
    webrequests: [
      { urlId: 'slow', name: 'Slow', timeoutMs: 200 },
      { urlId: 'slow-reset', name: 'Slow, reset', timeoutMs: 200, onTimeout: 'reset' },
      { urlId: 'slow-async', name: 'Slow, async', timeoutMs: 200, onTimeout: 'async' },
      { urlId: 'slow-ok', name: 'Slow, long timeout', timeoutMs: 10_000 },
      { urlId: 'slow-idem', name: 'Slow, idempotent', timeoutMs: 10_000, idempotency: {} },
    ],
  },
  early: {
    id: 'early',
    description: 'Answers through `respond`, then works on and answers again (skipped).',
    nodes: [
      start,
      assign('first', { $status: '202', $body: "({ answered: 'early' })" }),
      { id: 'respond', type: 'respond' },
      { id: 'wait', type: 'timer', config: { pause: 'PT0.4S' } },
      assign('later', { after: 'true', $status: '200', $body: "({ answered: 'late' })" }),
      { id: 'respondAgain', type: 'respond' },
      end,
    ],
    edges: chain('start', 'first', 'respond', 'wait', 'later', 'respondAgain', 'end'),
    webrequests: [{ urlId: 'early', name: 'Early answer' }],
  },
}

export interface TestServer extends RunningServer {
  dataDir: string
  flowsDir: string
  token: string
  /** Management API call with the admin token (or `token`). */
  api(method: string, path: string, body?: unknown, token?: string | null): Promise<Response>
  /** A fetch to `path` on this server. */
  call(path: string, init?: RequestInit): Promise<Response>
  /** Every process stored, once the writes made after answers have landed. */
  processes(): Promise<ProcessRecord[]>
}

export async function startServer(overrides: Partial<Settings> = {}, fixtures: Record<string, unknown> = FIXTURES): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'potok-server-data-'))
  const flowsDir = mkdtempSync(join(tmpdir(), 'potok-server-flows-'))
  cpSync(REPO_FLOWS, flowsDir, { recursive: true })
  for (const [name, flow] of Object.entries(fixtures)) writeFileSync(join(flowsDir, `${name}.json`), JSON.stringify(flow, null, 2))
  process.env.POTOK_TEST_BEARER = 'bearer-from-env'
  const settings = loadSettings(
    {},
    {
      port: 0,
      host: '127.0.0.1',
      dataDir,
      flowsDir,
      mongodbUri: undefined,
      adminToken: ADMIN_TOKEN,
      logLevel: 'silent',
      // Tests send many wrong credentials from one address on purpose; hostile.test.ts tests the limit.
      authFailureLimit: 1_000_000,
      // One worker thread (and its standby) instead of one per core: each costs ~1 s of CPU to start
      // from the sources, and a file starts several servers. The pool's own tests ask for two.
      workers: 1,
      ...overrides,
    },
  )
  const server = await serve(settings, { handleSignals: false, banner: false, logger: createLogger('silent') })
  const base = server.url.replace(/\/$/, '')
  const close = server.close
  return Object.assign(server, {
    dataDir,
    flowsDir,
    token: server.adminToken.token,
    api: (method: string, path: string, body?: unknown, token: string | null = server.adminToken.token) =>
      fetch(base + path, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      }),
    call: (path: string, init?: RequestInit) => fetch(base + path, init),
    processes: async () => {
      await server.context.writes.flush()
      return (await server.store.listProcesses({ limit: 1000 })).items
    },
    close: async () => {
      await close()
      rmSync(dataDir, { recursive: true, force: true })
      rmSync(flowsDir, { recursive: true, force: true })
    },
  })
}

/** The error body every error answers with (docs/server.md, Errors): `{ error: { code: SCREAMING_SNAKE, message, processId?, details? } }` and nothing else. */
export function isErrorBody(value: unknown): boolean {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false
  const keys = Object.keys(value)
  if (keys.length !== 1 || keys[0] !== 'error') return false
  const error = (value as { error: Record<string, unknown> }).error
  if (!error || typeof error !== 'object') return false
  if (typeof error.code !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(error.code)) return false
  if (typeof error.message !== 'string') return false
  if (JSON.stringify(value).includes('    at ')) return false // a stack trace
  return Object.keys(error).every((key) => ['code', 'message', 'processId', 'details'].includes(key))
}

/** Reads an error answer and checks its shape. */
export async function errorOf(response: Response): Promise<{ code: string; message: string; processId?: string; details?: Record<string, any> }> {
  const text = await response.text()
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new Error(`not a JSON error body (${response.status}): ${text.slice(0, 200)}`)
  }
  if (!isErrorBody(body)) throw new Error(`not the standard error body (${response.status}): ${text.slice(0, 300)}`)
  return (body as { error: any }).error
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
