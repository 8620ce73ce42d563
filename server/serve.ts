/**
 * `serve(settings)`: the whole server — opens the store (SQLite under DATA_DIR, or MongoDB),
 * loads FLOWS_DIR (an invalid file refuses the start, listing every problem), resolves the
 * admin token, starts the asynchronous executor, and listens on HOST:PORT through h3's own
 * `serve()` (srvx; measured against listhen in docs/server.md).
 *
 * Graceful shutdown (SIGTERM/SIGINT, or `close()`): stop accepting connections, let running
 * synchronous processes finish (each within its own timeout), flush their records, hand the
 * asynchronous ones back to the store (queued, resumed from their snapshot on the next start),
 * close the store.
 *
 * @example
 * const server = await serve(loadSettings(process.env, { port: 0 }))
 * await fetch(`${server.url}healthz`)
 * await server.close()
 */
import { setFlagsFromString } from 'node:v8'
import { registerComponents } from '../components/index.ts'
import { childProcessService, PotokError, type ProcessResult, type ProcessRunner, type RuntimeServices, setRuntimeLimits } from '../runtime/index.ts'
import { ProcessExecutor } from '../processes/executor.ts'
import { WorkerPool } from '../processes/pool.ts'
import { openStore } from '../store/index.ts'
import type { ProcessStore } from '../store/port.ts'
import { resolveAdminToken, type AdminToken } from './admin-token.ts'
import { buildApp, createServerContext } from './app.ts'
import { answerClientError } from './client-error.ts'
import { Redactor, redactingStore } from './redact.ts'
import { withCatalogCache } from './catalog-cache.ts'
import type { ServerContext } from './context.ts'
import { Connections } from './connections/connections.ts'
import { loadConnectionFiles } from './connections/flows.ts'
import { secretKeyFromEnv } from './connections/secretKey.ts'
import { loadFlows } from './flows.ts'
import { listenWith, type Listener } from './listen.ts'
import { RecordService, recordServices } from './records.ts'
import { createLogger, type Logger } from './log.ts'
import { startRetention } from './retention.ts'
import { loadSettings, type Settings } from './settings.ts'
import { finishedRecord } from '../store/process-record.ts'

export interface ServeOptions {
  /** Handle SIGTERM/SIGINT (close, then exit). Default true; tests pass false. */
  handleSignals?: boolean
  /** A logger instead of pino on stdout at LOG_LEVEL. */
  logger?: Logger
  /** Print the address and the admin token's place to stdout (default true). */
  banner?: boolean
  /** What puts the app on a socket: srvx (default) or listhen (`potok dev`). */
  listener?: Listener
}

export interface RunningServer {
  /** `http://host:port/` (with the real port when PORT=0). */
  url: string
  port: number
  adminToken: AdminToken
  store: ProcessStore
  context: ServerContext
  /** Graceful shutdown (see the file comment); safe to call twice. */
  close(): Promise<void>
}

/**
 * Turns V8's allocation-site pretenuring off for this whole process, workers included
 * (docs/server.md, "Running", says why). `potok serve` does it before it serves; an embedder
 * calling `serve()` may too. The flag is set here because Node takes it on its command line but
 * refuses it in NODE_OPTIONS, and `potok` is started many ways.
 */
export function tuneGarbageCollector(): void {
  setFlagsFromString('--no-allocation-site-pretenuring')
}

export async function serve(settings: Settings = loadSettings(), options: ServeOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(settings.logLevel)
  registerComponents()
  // MAX_FILE_BYTES bounds both the store and fileUpload's download: one value for both.
  setRuntimeLimits({ ...settings.runtime, fileMaxBytes: settings.maxFileBytes }, true)
  // Settings are the one source: an unset MONGODB_URI means SQLite even if the variable changes later.
  const store = withCatalogCache(await openStore({ mongodbUri: settings.mongodbUri ?? '', dataDir: settings.dataDir, storeTimeoutMs: settings.storeTimeoutMs }), { ttlMs: settings.catalogCacheMs })
  let executor: ProcessExecutor | undefined
  let pool: WorkerPool | null = null
  try {
    const flows = await loadFlows(store, settings.flowsDir)
    logger.info({ dir: settings.flowsDir, scenarios: flows.scenarios.length, webrequests: flows.webrequests.length, catalogs: flows.catalogs.length }, 'flows loaded')
    const connections = new Connections(store, secretKeyFromEnv())
    const declared = await loadConnectionFiles(connections, settings.flowsDir)
    await connections.checkKey()
    if (declared.length) logger.info({ connections: declared.length }, 'connections loaded')
    const adminToken = await resolveAdminToken(settings)
    pool = startWorkers(settings, logger)
    const runner = pool ?? undefined
    // Every process write of this server goes through the redaction (server/redact.ts).
    const redactor = new Redactor(settings.redactHeaders, [adminToken.token])
    const redacted = redactingStore(store, redactor)
    const services = processServices(redacted, () => executor, { runner, maxFileBytes: settings.maxFileBytes, shared: { getConnection: (id: string) => connections.resolve(id) } })
    executor = new ProcessExecutor(redacted, {
      concurrency: settings.asyncConcurrency,
      leaseMs: settings.asyncLeaseMs,
      asyncTimeoutMs: settings.asyncTimeoutMs,
      services,
      runner,
      onError: (error) => logger.error({ err: { message: (error as Error)?.message } }, 'async executor error'),
      // Asynchronous, replayed, resumed and adopted processes count in the process metrics too.
      onEnd: (end) => {
        const labels = { scenario: end.scenarioId, status: end.status }
        context?.metrics.processes.inc(labels)
        context?.metrics.processDuration.observe(labels, end.durationMs / 1000)
      },
    })
    let context: ServerContext | undefined
    context = createServerContext({ store: redacted, redactor, settings, logger, executor, services, connections, runner, adminToken: adminToken.token })
    await pool?.ready()
    const app = buildApp(context)
    const server = await listenWith(options.listener ?? 'srvx', app.fetch, settings)
    server.node?.on('clientError', answerClientError)
    executor.start()
    const stopRetention = startRetention(store, settings.processRetentionDays, logger)
    const port = server.port
    const url = `http://${settings.host.includes(':') ? `[${settings.host}]` : settings.host}:${port}/`

    let closing: Promise<void> | null = null
    const close = () => (closing ??= shutdown())
    const shutdown = async () => {
      logger.info('shutting down')
      stopRetention()
      const stopListening = server.close()
      // Asynchronous processes are handed back at once; synchronous ones get their timeout.
      // Processes adopted at their deadline (onTimeout "async") run in this memory only: they
      // are interrupted (SHUTDOWN; resumable through the processes API) rather than waited for.
      for (const controller of context.adopted) controller.abort(new PotokError('SHUTDOWN', 'the server is shutting down'))
      await Promise.all([context.gate.idle(), executor!.stop()])
      await context.writes.flush()
      await pool?.close()
      // Let the last answers reach their callers (closing connections as they fall idle), then close what is still open.
      const sweep = setInterval(() => server.node?.closeIdleConnections(), 25)
      await Promise.race([stopListening, new Promise((resolve) => setTimeout(resolve, DRAIN_MS))])
      clearInterval(sweep)
      await server.close(true)
      await stopListening
      await store.close()
      if (options.handleSignals !== false) for (const signal of SIGNALS) process.off(signal, onSignal)
      logger.info('stopped')
    }
    const onSignal = () => {
      close().then(
        () => process.exit(0),
        (error) => {
          logger.error({ err: { message: (error as Error)?.message } }, 'shutdown failed')
          process.exit(1)
        },
      )
    }
    if (options.handleSignals !== false) for (const signal of SIGNALS) process.on(signal, onSignal)

    if (options.banner !== false) {
      const where = adminToken.source === 'env' ? 'from POTOK_ADMIN_TOKEN' : `in ${adminToken.file}`
      process.stdout.write(`potok listening on ${url} (store: ${store.kind}; admin token ${where})\n`)
      if (adminToken.generated) process.stdout.write(`admin token (printed once, kept in ${adminToken.file}): ${adminToken.token}\n`)
    }
    return { url, port, adminToken, store: redacted, context, close }
  } catch (error) {
    await executor?.stop().catch(() => {})
    await pool?.close().catch(() => {})
    await store.close().catch(() => {})
    throw error
  }
}

/**
 * The pool of worker threads that runs processes (WORKERS of them), or null with WORKERS=0
 * (processes then run on this thread). A replaced worker is logged with the process it blamed.
 */
function startWorkers(settings: Settings, logger: Logger): WorkerPool | null {
  if (settings.workers === 0) return null
  return new WorkerPool({ size: settings.workers, memoryMb: settings.workerMemoryMb, onWorkerExit: (info) => logger.warn(info, 'process worker replaced') })
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const
/** How long shutdown waits for open connections to finish their last answer. */
const DRAIN_MS = 2000

/**
 * Host services for processes run by this server: sub-processes find their scenario in the
 * store and are recorded there with `parentId`; an asynchronous child is queued durably through
 * `executor()` (when there is one), so it survives a restart like any asynchronous process.
 */
export function processServices(
  store: ProcessStore,
  executor?: () => ProcessExecutor | undefined,
  options: { runner?: ProcessRunner; maxFileBytes?: number; shared?: Omit<RuntimeServices, 'startChild' | 'respond'> } = {},
): RuntimeServices {
  // Catalogs and records (docs/catalogs.md), connections: event processes and children get these same services.
  const services: RuntimeServices = { ...options.shared }
  const records = new RecordService({ store, services: () => services, executor, runner: options.runner, maxFileBytes: options.maxFileBytes })
  const startChild = childProcessService({
    runner: options.runner,
    services: () => services,
    loadScenario: async (id) => (await store.getScenario(id))?.scenario ?? null,
    startAsync: async (launch) => {
      const durable = executor?.()
      if (!durable) {
        launch.run().catch(() => {
          /* detached: the child's own record is where its failure shows */
        })
        return
      }
      const { scenario, request } = launch
      await durable.enqueue({
        scenario: { id: scenario.id, version: scenario.version ?? 0, scenario, createdAt: new Date().toISOString() },
        input: request.input,
        trigger: { type: '$subProcess', id: request.parent.id, async: true },
        processId: launch.processId,
        parentId: request.parent.id,
      })
    },
    // A sync child of a durable parent is queued like an async one: the parent parks meanwhile.
    durable: executor
      ? {
          find: async (id) => {
            const child = await store.getProcess(id)
            return child && { processId: child.id, status: child.status, output: child.output ?? {}, error: child.error ?? null }
          },
          enqueue: async ({ processId, scenario, request, depth }) => {
            const durable = executor()
            if (!durable) throw new PotokError('SUBPROCESS_UNAVAILABLE', 'sub-processes cannot be queued: the server is not running its executor')
            await durable.enqueue({
              scenario: { id: scenario.id, version: scenario.version ?? 0, scenario, createdAt: new Date().toISOString() },
              input: request.input,
              // The depth goes with the child to whichever server runs it (nesting stays bounded).
              trigger: { type: '$subProcess', id: request.parent.id, async: false, depth },
              processId,
              parentId: request.parent.id,
            })
          },
        }
      : undefined,
    record: async (result: ProcessResult, request) => {
      const scenario = await store.getScenario(request.scenarioId)
      await store.recordProcess(
        finishedRecord(result, {
          scenario: { id: request.scenarioId, version: scenario?.version ?? 0 },
          trigger: { type: '$subProcess', id: request.parent.id, async: request.mode === 'async' },
          input: request.input,
          parentId: request.parent.id,
        }),
        result.steps,
      )
    },
  })
  return Object.assign(services, recordServices(records, store), { startChild })
}
