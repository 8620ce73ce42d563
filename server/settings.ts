/**
 * Server settings (docs/server.md): read from environment variables, validated with zod, every one
 * with a default. An invalid value stops the start with every problem listed.
 *
 * @example
 * const settings = loadSettings(process.env)            // PORT=8080 → settings.port === 8080
 * const test = loadSettings({}, { port: 0, dataDir })   // overrides win over the environment
 */
import { availableParallelism } from 'node:os'
import { z } from 'zod'
import { DEFAULT_RUNTIME_LIMITS, DEFAULT_SANDBOX_TZ, formatPath, PotokError, type RuntimeLimits, timeZoneProblem } from '../runtime/index.ts'

/** Empty strings count as unset, so `PORT= npm start` takes the default. */
const env = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), schema)

const count = (fallback: number) => env(z.coerce.number().int().positive().default(fallback))
const whole = (fallback: number) => env(z.coerce.number().int().min(0).default(fallback))
/** A comma-separated list, trimmed, lower case, empty items dropped. */
const names = (fallback: string) =>
  env(
    z
      .string()
      .default(fallback)
      .transform((value) =>
        value
          .split(',')
          .map((item) => item.trim().toLowerCase())
          .filter(Boolean),
      ),
  )
const flag = (fallback: boolean) =>
  env(
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(fallback ? 'true' : 'false')
      .transform((value) => value === 'true' || value === '1' || value === 'yes'),
  )

export const settingsSchema = z
  .object({
    PORT: env(z.coerce.number().int().min(0).max(65535).default(3000)),
    HOST: env(z.string().default('127.0.0.1')),
    DATA_DIR: env(z.string().default('./data')),
    MONGODB_URI: env(
      z
        .string()
        .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
        .optional(),
    ),
    FLOWS_DIR: env(z.string().default('./flows')),
    POTOK_ADMIN_TOKEN: env(z.string().min(16, 'must be at least 16 characters').optional()),
    WEBREQUEST_TIMEOUT_MS: count(60_000),
    ASYNC_TIMEOUT_MS: count(86_400_000),
    ASYNC_CONCURRENCY: count(16),
    /** How long an async process's lease lasts without a heartbeat (a dead server's processes wait this long). */
    ASYNC_LEASE_MS: count(30_000),
    /** Finished processes older than this many days are pruned (never queued or running ones). */
    PROCESS_RETENTION_DAYS: count(30),
    MAX_BODY_BYTES: count(10 * 1024 * 1024),
    MAX_CONCURRENT_PROCESSES: count(1000),
    /** Largest file stored in a record's file field (docs/catalogs.md). */
    MAX_FILE_BYTES: count(20 * 1024 * 1024),
    /** `true`: trust X-Forwarded-* from anyone; `loopback`: only from a proxy on 127.0.0.0/8 or ::1. */
    TRUST_PROXY: env(
      z
        .enum(['true', 'false', '1', '0', 'loopback'])
        .default('false')
        .transform((value): boolean | 'loopback' => (value === 'loopback' ? 'loopback' : value === 'true' || value === '1')),
    ),
    METRICS_PUBLIC: flag(false),
    LOG_LEVEL: env(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
    /** Time zone of expressions and code (handed to the sandbox as a runtime limit; a bad name stops the start). */
    SANDBOX_TZ: env(
      z
        .string()
        .default(DEFAULT_SANDBOX_TZ)
        .superRefine((zone, ctx) => {
          const problem = timeZoneProblem(zone)
          if (problem) ctx.addIssue({ code: 'custom', message: problem })
        }),
    ),
    /** Deepest nesting of a JSON request body (400 `BODY_TOO_DEEP`). */
    MAX_BODY_DEPTH: count(64),
    MAX_STEPS: count(DEFAULT_RUNTIME_LIMITS.maxSteps),
    MAX_PROCESS_DATA_BYTES: count(DEFAULT_RUNTIME_LIMITS.maxDataBytes),
    MAX_SUBPROCESS_DEPTH: whole(DEFAULT_RUNTIME_LIMITS.maxSubprocessDepth),
    MAX_DESCENDANTS: count(DEFAULT_RUNTIME_LIMITS.maxDescendants),
    MAX_OUTBOUND_REQUESTS: count(DEFAULT_RUNTIME_LIMITS.maxOutboundRequests),
    EXPRESSION_TIMEOUT_MS: count(DEFAULT_RUNTIME_LIMITS.expressionTimeoutMs),
    SANDBOX_MEMORY_MB: count(DEFAULT_RUNTIME_LIMITS.sandboxMemoryBytes / 2 ** 20),
    QJS_STACK: count(DEFAULT_RUNTIME_LIMITS.sandboxStackBytes),
    WEBREQUEST_MAX_RESPONSE_BYTES: count(DEFAULT_RUNTIME_LIMITS.webRequestMaxResponseBytes),
    WEBREQUEST_DENY_PRIVATE: flag(false),
    WEBREQUEST_ALLOW_HOSTS: names(''),
    SLICE_MS: count(DEFAULT_RUNTIME_LIMITS.sliceMs),
    MAIL_MAX_BYTES: count(DEFAULT_RUNTIME_LIMITS.mailMaxBytes),
    CONVERT_MAX_BYTES: count(DEFAULT_RUNTIME_LIMITS.convertMaxBytes),
    CONVERT_MAX_CELLS: count(DEFAULT_RUNTIME_LIMITS.convertMaxCells),
    /** Request headers kept as `***` in stored processes (their values, wherever they were copied). */
    REDACT_HEADERS: names('authorization,proxy-authorization,cookie,set-cookie,x-api-key,api-key,x-auth-token,x-access-token'),
    /** Wrong credentials one client may send in AUTH_FAILURE_WINDOW_MS before it gets 429. */
    AUTH_FAILURE_LIMIT: count(20),
    AUTH_FAILURE_WINDOW_MS: count(60_000),
    /** Time a client has to send the request headers (Node's headersTimeout). */
    HTTP_HEADERS_TIMEOUT_MS: count(20_000),
    /** Time a client has to send the whole request, body included (Node's requestTimeout). */
    HTTP_REQUEST_TIMEOUT_MS: count(60_000),
    /** An idle keep-alive connection is closed after this long. */
    HTTP_KEEPALIVE_TIMEOUT_MS: count(5_000),
    /** Worker threads that run processes (0: run them on the HTTP thread, as `potok run` does). */
    WORKERS: env(z.coerce.number().int().min(0).max(256).default(availableParallelism())),
    /** V8 heap of each worker thread, MB: a process that fills it fails alone (MEMORY_LIMIT). */
    WORKER_MEMORY_MB: count(512),
    /** How long catalog lookups (external requests, scenarios) are served from memory; 0: never. */
    CATALOG_CACHE_MS: env(z.coerce.number().int().min(0).default(1000)),
    /** Deadline of one call to a MongoDB store; while it is unreachable calls fail at once (503). */
    STORE_TIMEOUT_MS: count(5_000),
    /**
     * A synchronous process is put on record `running` this long after it starts (sooner when it
     * answers early or calls a host service); one that ends first is one write. 0: before it starts.
     */
    SYNC_RECORD_AFTER_MS: whole(50),
  })
  .superRefine((s, context) => {
    // A body the process could never hold would fail with DATA_LIMIT after a process was made.
    if (s.MAX_BODY_BYTES > s.MAX_PROCESS_DATA_BYTES) {
      context.addIssue({ code: 'custom', path: ['MAX_BODY_BYTES'], message: `must not exceed MAX_PROCESS_DATA_BYTES (${s.MAX_PROCESS_DATA_BYTES}): a body must fit in the process's variables` })
    }
    if (s.HTTP_HEADERS_TIMEOUT_MS > s.HTTP_REQUEST_TIMEOUT_MS) {
      context.addIssue({ code: 'custom', path: ['HTTP_HEADERS_TIMEOUT_MS'], message: `must not exceed HTTP_REQUEST_TIMEOUT_MS (${s.HTTP_REQUEST_TIMEOUT_MS})` })
    }
  })

export interface Settings {
  port: number
  host: string
  dataDir: string
  mongodbUri?: string
  flowsDir: string
  adminToken?: string
  webrequestTimeoutMs: number
  asyncTimeoutMs: number
  asyncConcurrency: number
  asyncLeaseMs: number
  processRetentionDays: number
  maxBodyBytes: number
  maxConcurrentProcesses: number
  maxFileBytes: number
  trustProxy: boolean | 'loopback'
  metricsPublic: boolean
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  maxBodyDepth: number
  /** Limits of the engine and its components, handed to `setRuntimeLimits` at start. */
  runtime: RuntimeLimits
  redactHeaders: string[]
  authFailureLimit: number
  authFailureWindowMs: number
  httpHeadersTimeoutMs: number
  httpRequestTimeoutMs: number
  httpKeepAliveTimeoutMs: number
  workers: number
  workerMemoryMb: number
  catalogCacheMs: number
  storeTimeoutMs: number
  syncRecordAfterMs: number
}

/**
 * Reads the settings from `env` (default `process.env`); `overrides` (already typed) win.
 * Throws `PotokError('INVALID_SETTINGS')` naming every bad variable.
 */
export function loadSettings(source: Record<string, string | undefined> = process.env, overrides: Partial<Settings> = {}): Settings {
  const parsed = settingsSchema.safeParse(source)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }))
    throw new PotokError('INVALID_SETTINGS', `invalid settings: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, { details: { problems } })
  }
  const s = parsed.data
  return {
    port: s.PORT,
    host: s.HOST,
    dataDir: s.DATA_DIR,
    mongodbUri: s.MONGODB_URI,
    flowsDir: s.FLOWS_DIR,
    adminToken: s.POTOK_ADMIN_TOKEN,
    webrequestTimeoutMs: s.WEBREQUEST_TIMEOUT_MS,
    asyncTimeoutMs: s.ASYNC_TIMEOUT_MS,
    asyncConcurrency: s.ASYNC_CONCURRENCY,
    asyncLeaseMs: s.ASYNC_LEASE_MS,
    processRetentionDays: s.PROCESS_RETENTION_DAYS,
    maxBodyBytes: s.MAX_BODY_BYTES,
    maxConcurrentProcesses: s.MAX_CONCURRENT_PROCESSES,
    maxFileBytes: s.MAX_FILE_BYTES,
    trustProxy: s.TRUST_PROXY,
    metricsPublic: s.METRICS_PUBLIC,
    logLevel: s.LOG_LEVEL,
    maxBodyDepth: s.MAX_BODY_DEPTH,
    runtime: {
      maxSteps: s.MAX_STEPS,
      maxDataBytes: s.MAX_PROCESS_DATA_BYTES,
      maxSubprocessDepth: s.MAX_SUBPROCESS_DEPTH,
      maxDescendants: s.MAX_DESCENDANTS,
      maxOutboundRequests: s.MAX_OUTBOUND_REQUESTS,
      expressionTimeoutMs: s.EXPRESSION_TIMEOUT_MS,
      sandboxMemoryBytes: s.SANDBOX_MEMORY_MB * 2 ** 20,
      sandboxStackBytes: s.QJS_STACK,
      webRequestMaxResponseBytes: s.WEBREQUEST_MAX_RESPONSE_BYTES,
      webRequestDenyPrivate: s.WEBREQUEST_DENY_PRIVATE,
      webRequestAllowHosts: s.WEBREQUEST_ALLOW_HOSTS,
      sliceMs: s.SLICE_MS,
      mailMaxBytes: s.MAIL_MAX_BYTES,
      convertMaxBytes: s.CONVERT_MAX_BYTES,
      convertMaxCells: s.CONVERT_MAX_CELLS,
      fileMaxBytes: s.MAX_FILE_BYTES,
      sandboxTimeZone: s.SANDBOX_TZ,
    },
    redactHeaders: s.REDACT_HEADERS,
    authFailureLimit: s.AUTH_FAILURE_LIMIT,
    authFailureWindowMs: s.AUTH_FAILURE_WINDOW_MS,
    httpHeadersTimeoutMs: s.HTTP_HEADERS_TIMEOUT_MS,
    httpRequestTimeoutMs: s.HTTP_REQUEST_TIMEOUT_MS,
    httpKeepAliveTimeoutMs: s.HTTP_KEEPALIVE_TIMEOUT_MS,
    workers: s.WORKERS,
    workerMemoryMb: s.WORKER_MEMORY_MB,
    catalogCacheMs: s.CATALOG_CACHE_MS,
    storeTimeoutMs: s.STORE_TIMEOUT_MS,
    syncRecordAfterMs: s.SYNC_RECORD_AFTER_MS,
    ...overrides,
  }
}
