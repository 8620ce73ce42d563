/**
 * Server settings (SPEC §7): read from environment variables, validated with zod, every one
 * with a default. An invalid value stops the start with every problem listed.
 *
 * @example
 * const settings = loadSettings(process.env)            // PORT=8080 → settings.port === 8080
 * const test = loadSettings({}, { port: 0, dataDir })   // overrides win over the environment
 */
import { z } from 'zod'
import { PotokError } from '../runtime/errors.ts'
import { formatPath } from '../runtime/scenario.ts'

/** Empty strings count as unset, so `PORT= npm start` takes the default. */
const env = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), schema)

const count = (fallback: number) => env(z.coerce.number().int().positive().default(fallback))
const flag = (fallback: boolean) => env(z.enum(['true', 'false', '1', '0', 'yes', 'no']).default(fallback ? 'true' : 'false')
  .transform((value) => value === 'true' || value === '1' || value === 'yes'))

export const settingsSchema = z.object({
  PORT: env(z.coerce.number().int().min(0).max(65535).default(3000)),
  HOST: env(z.string().default('127.0.0.1')),
  DATA_DIR: env(z.string().default('./data')),
  MONGODB_URI: env(z.string().regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://').optional()),
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
  /** `true`: trust X-Forwarded-* from anyone; `loopback`: only from a proxy on 127.0.0.0/8 or ::1. */
  TRUST_PROXY: env(z.enum(['true', 'false', '1', '0', 'loopback']).default('false')
    .transform((value): boolean | 'loopback' => (value === 'loopback' ? 'loopback' : value === 'true' || value === '1'))),
  METRICS_PUBLIC: flag(false),
  LOG_LEVEL: env(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
  /** Deadline of one call to a MongoDB store; while it is unreachable calls fail at once (503). */
  STORE_TIMEOUT_MS: count(5_000),
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
  trustProxy: boolean | 'loopback'
  metricsPublic: boolean
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  storeTimeoutMs: number
}

/**
 * Reads the settings from `env` (default `process.env`); `overrides` (already typed) win.
 * Throws `PotokError('INVALID_SETTINGS')` naming every bad variable.
 */
export function loadSettings(source: Record<string, string | undefined> = process.env, overrides: Partial<Settings> = {}): Settings {
  const parsed = settingsSchema.safeParse(source)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }))
    throw new PotokError('INVALID_SETTINGS', `invalid settings: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, {
      details: { problems },
    })
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
    trustProxy: s.TRUST_PROXY,
    metricsPublic: s.METRICS_PUBLIC,
    logLevel: s.LOG_LEVEL,
    storeTimeoutMs: s.STORE_TIMEOUT_MS,
    ...overrides,
  }
}
