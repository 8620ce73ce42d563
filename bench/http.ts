/**
 * HTTP throughput of the public endpoint against a bare h3 handler, measured in the same run:
 * autocannon on loopback, 50 connections, POSTing `{"name":"Ada","n":41}`.
 *
 * - bare h3: an h3 app on srvx that answers what greet answers (201, X-Flow, JSON) in one line;
 * - potok sync: `/api/webrequest/greet` — validation, input variables, the XState machine, the
 *   QuickJS sandbox, and every process recorded in the embedded SQLite store;
 * - potok async: `/api/webrequest/greet?async=true` — each process stored `queued` before the
 *   202, then run by the executor in the same server.
 *
 * Each server runs in its own child process (autocannon takes a core of its own).
 *
 *   node --import tsx bench/http.ts                       # BENCH_DURATION=10 s per run
 *   BENCH_DURATION=3 BENCH_CONNECTIONS=50 node --import tsx bench/http.ts
 *   BENCH_SERVER=listhen …                               # potok served through listhen instead of srvx
 *   BENCH_COMPARE_SERVING=1 …                            # the bare app through srvx vs listhen
 *   (listhen is not a dependency: `npm install --no-save listhen@1.10`, or LISTHEN_MODULE=<path to its dist/index.mjs>)
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'

const DURATION = Number(process.env.BENCH_DURATION ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)
const WARMUP = Number(process.env.BENCH_WARMUP ?? Math.max(2, Math.round(DURATION / 2)))
const BODY = JSON.stringify({ name: 'Ada', n: 41 })
const SELF = fileURLToPath(import.meta.url)

interface Run {
  name: string
  rps: number
  p50: number
  p99: number
  statuses: string
  errors: number
}

// ---- child: one server ------------------------------------------------------------------

/** The bare h3 app: greet's answer computed in one line. */
async function bareApp() {
  const { H3 } = await import('h3')
  const app = new H3()
  app.post('/greet', async (event) => {
    const body = await event.req.json() as { name: string; n: number }
    return new Response(JSON.stringify({ greeting: `Hello, ${body.name}`, next: body.n + 1 }), {
      status: 201,
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-flow': 'yes' },
    })
  })
  return app
}

async function serveBare(): Promise<string> {
  const { serve } = await import('h3')
  const server = serve(await bareApp(), { port: 0, hostname: '127.0.0.1', silent: true, gracefulShutdown: false })
  await server.ready()
  return `${server.url!.replace(/\/$/, '')}/greet`
}

/** The bare app through listhen (`listen(toNodeHandler(app))`), for the serving-layer comparison. */
async function serveBareListhen(): Promise<string> {
  const { listen } = await import(process.env.LISTHEN_MODULE ?? 'listhen')
  const { toNodeHandler } = await import('h3')
  const listener = await listen(toNodeHandler(await bareApp()), { port: 0, hostname: '127.0.0.1', showURL: false, qr: false, public: false })
  return `${listener.url.replace(/\/$/, '')}/greet`
}

async function servePotok(): Promise<string> {
  const { serve } = await import('../server/serve.ts')
  const { loadSettings } = await import('../server/settings.ts')
  const dataDir = mkdtempSync(join(tmpdir(), 'potok-bench-'))
  process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }))
  const settings = loadSettings(process.env, {
    port: 0, host: '127.0.0.1', dataDir, mongodbUri: undefined,
    flowsDir: fileURLToPath(new URL('../flows/', import.meta.url)),
    adminToken: 'bench-admin-token-0123456789',
  })
  const server = await serve(settings, { banner: false })
  return `${server.url}api/webrequest/greet`
}

async function serveListhen(): Promise<string> {
  // Same app as potok's, served through listhen (needs `npm install --no-save listhen`).
  const { listen } = await import(process.env.LISTHEN_MODULE ?? 'listhen')
  const { toNodeHandler } = await import('h3')
  const { openStore } = await import('../runtime/store/index.ts')
  const { buildApp, createServerContext } = await import('../server/app.ts')
  const { loadFlows } = await import('../server/flows.ts')
  const { createLogger } = await import('../server/log.ts')
  const { loadSettings } = await import('../server/settings.ts')
  const { processServices } = await import('../server/serve.ts')
  const { ProcessExecutor } = await import('../runtime/executor.ts')
  const dataDir = mkdtempSync(join(tmpdir(), 'potok-bench-'))
  process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }))
  const settings = loadSettings(process.env, { port: 0, dataDir, mongodbUri: undefined })
  const store = await openStore({ dataDir, mongodbUri: '' })
  await loadFlows(store, fileURLToPath(new URL('../flows/', import.meta.url)))
  const services = processServices(store)
  const executor = new ProcessExecutor(store, { services })
  executor.start()
  const context = createServerContext({ store, settings, logger: createLogger(settings.logLevel), executor, services, adminToken: 'bench-admin-token-0123456789' })
  const listener = await listen(toNodeHandler(buildApp(context)), { port: 0, hostname: '127.0.0.1', showURL: false, qr: false, public: false })
  return `${listener.url.replace(/\/$/, '')}/api/webrequest/greet`
}

// ---- parent: start servers, load them ----------------------------------------------------

function startChild(kind: string): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SELF, '--serve', kind], {
      env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    const onData = (chunk: Buffer) => {
      out += chunk
      const match = /READY (\S+)/.exec(out)
      if (match) {
        child.stdout!.off('data', onData)
        child.stdout!.resume() // request logs (pino, LOG_LEVEL=info) go nowhere, but are written
        resolve({ url: match[1], child })
      }
    }
    child.stdout!.on('data', onData)
    child.on('exit', (code) => reject(new Error(`${kind} server exited with ${code}: ${out}`)))
  })
}

async function load(name: string, url: string, duration: number): Promise<Run> {
  const result = await autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration,
    headers: { 'content-type': 'application/json' },
    body: BODY,
  })
  const statuses = Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => `${code}×${(s as { count: number }).count}`).join(' ')
  return { name, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, statuses, errors: result.errors + result.timeouts }
}

async function measure(kind: string, runs: Array<{ name: string; path: (url: string) => string }>): Promise<Run[]> {
  const { url, child } = await startChild(kind)
  try {
    const results: Run[] = []
    for (const run of runs) {
      await load(`${run.name} (warm-up)`, run.path(url), WARMUP)
      results.push(await load(run.name, run.path(url), DURATION))
    }
    return results
  } finally {
    child.kill('SIGTERM')
    await new Promise((resolve) => child.once('exit', resolve))
  }
}

async function main(): Promise<void> {
  const serveFlag = process.argv.indexOf('--serve')
  if (serveFlag !== -1) {
    const kind = process.argv[serveFlag + 1]
    const url = kind === 'bare' ? await serveBare()
      : kind === 'bare-listhen' ? await serveBareListhen()
        : kind === 'listhen' ? await serveListhen() : await servePotok()
    process.stdout.write(`READY ${url}\n`)
    return
  }
  if (process.env.BENCH_COMPARE_SERVING) {
    // The serving layer alone: the bare app through h3's serve() (srvx) and through listhen.
    console.log(`serving layer: bare h3 app, ${CONNECTIONS} connections, ${DURATION} s per run`)
    const rows: Run[] = []
    for (let round = 0; round < 2; round++) {
      rows.push(...await measure('bare', [{ name: `srvx (round ${round + 1})`, path: (u) => u }]))
      rows.push(...await measure('bare-listhen', [{ name: `listhen (round ${round + 1})`, path: (u) => u }]))
    }
    console.log('| server | req/s | p50 ms | p99 ms |\n|---|---:|---:|---:|')
    for (const r of rows) console.log(`| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} |`)
    return
  }
  const potokKind = process.env.BENCH_SERVER === 'listhen' ? 'listhen' : 'potok'
  console.log(`autocannon: ${CONNECTIONS} connections, ${DURATION} s per run (+${WARMUP} s warm-up), POST ${BODY}; potok served by ${potokKind === 'listhen' ? 'listhen' : 'srvx (h3 serve)'}, LOG_LEVEL=${process.env.LOG_LEVEL ?? 'info'}`)
  const [bare] = await measure('bare', [{ name: 'bare h3', path: (u) => u }])
  const [sync, async] = await measure(potokKind, [
    { name: 'potok sync', path: (u) => u },
    { name: 'potok async accept', path: (u) => `${u}?async=true` },
  ])
  const rows = [bare, sync, async]
  console.log('')
  console.log('| run | req/s | ratio to bare | p50 ms | p99 ms | p99 / bare p99 | statuses | errors |')
  console.log('|---|---:|---:|---:|---:|---:|---|---:|')
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.rps.toFixed(0)} | ${(r.rps / bare.rps).toFixed(2)} | ${r.p50} | ${r.p99} | ${(r.p99 / Math.max(bare.p99, 1)).toFixed(2)} | ${r.statuses} | ${r.errors} |`)
  }
  const syncOk = sync.rps / bare.rps >= 0.6
  const p99Ok = sync.p99 < 2 * Math.max(bare.p99, 1)
  console.log('')
  console.log(`goal sync ≥ 0.6 × bare: ${syncOk ? 'met' : 'NOT met'} (${(sync.rps / bare.rps).toFixed(2)}); p99 < 2 × bare: ${p99Ok ? 'met' : 'NOT met'} (${sync.p99} vs ${bare.p99} ms)`)
}

await main()
