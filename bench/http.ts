/**
 * HTTP throughput of the public endpoint against a bare h3 handler and Node-RED, measured in
 * one sitting: autocannon on loopback, 50 connections, POSTing `{"name":"Ada","n":41}`.
 *
 * - bare h3: an h3 app on srvx that answers what greet answers (201, X-Flow, JSON) in one line;
 * - potok sync: `/api/webrequest/greet` — validation, input variables, the XState machine, the
 *   QuickJS sandbox (in a worker thread), and every process recorded in the embedded SQLite store;
 * - potok async: `/api/webrequest/greet?async=true` — each process stored `queued` before the
 *   202, then run by the executor in the same server;
 * - both with WORKERS=1 and WORKERS=2 (BENCH_WORKERS=0,1,2 adds the in-thread runner);
 * - Node-RED 4.1.15: http in → function node → http response, the same answer. Not a dependency:
 *   install it beside the repository (`npm install --prefix /work/nodered node-red@4.1.15`) and
 *   point NODE_RED_DIR at `…/node_modules/node-red` (that path is the default); skipped if absent.
 *
 * Each server runs in its own child process (bare h3 with the Node flags of `npm start`, Node-RED
 * as its own start runs it); the load generator runs in this one. potok runs as `npm start` runs
 * it: `bin/potok.mjs serve` on the JavaScript of `npm run build` (built first, so it is the code of
 * the checkout), not the TypeScript through tsx (BENCH_SOURCE=1 measures that instead: tsx's
 * helpers cost about 5 % more CPU per request). After each run
 * the CPU time per request is printed, split into the server's main thread, its other threads
 * (process workers, libuv, GC) and the load generator (from /proc: Linux only).
 *
 *   node --import tsx bench/http.ts                       # BENCH_DURATION=10 s per run
 *   BENCH_DURATION=3 BENCH_CONNECTIONS=50 node --import tsx bench/http.ts
 *   BENCH_SERVER=listhen …                               # potok served through listhen instead of srvx
 *   BENCH_COMPARE_SERVING=1 …                            # the bare app through srvx vs listhen
 *   (listhen is a dependency now, for `potok dev`; LISTHEN_MODULE=<path to a dist/index.mjs> measures another build)
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
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
  /** CPU µs per request: server main thread, server other threads, load generator. */
  cpu?: { main: number; others: number; load: number }
}

// ---- child: one server ------------------------------------------------------------------

/** The bare h3 app: greet's answer computed in one line. */
async function bareApp() {
  const { H3 } = await import('h3')
  const app = new H3()
  app.post('/greet', async (event) => {
    const body = (await event.req.json()) as { name: string; n: number }
    return new Response(JSON.stringify({ greeting: `Hello, ${body.name}`, next: body.n + 1 }), { status: 201, headers: { 'content-type': 'application/json; charset=utf-8', 'x-flow': 'yes' } })
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
  const { serve, tuneGarbageCollector } = await import('../server/serve.ts')
  const { loadSettings } = await import('../server/settings.ts')
  tuneGarbageCollector() // as `potok serve` does
  const dataDir = mkdtempSync(join(tmpdir(), 'potok-bench-'))
  process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }))
  const settings = loadSettings(process.env, {
    port: 0,
    host: '127.0.0.1',
    dataDir,
    mongodbUri: undefined,
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
  const { openStore } = await import('../store/index.ts')
  const { buildApp, createServerContext } = await import('../server/app.ts')
  const { loadFlows } = await import('../server/flows.ts')
  const { createLogger } = await import('../server/log.ts')
  const { loadSettings } = await import('../server/settings.ts')
  const { processServices } = await import('../server/serve.ts')
  const { ProcessExecutor } = await import('../processes/executor.ts')
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

const NODE_RED_DIR = process.env.NODE_RED_DIR ?? '/work/nodered/node_modules/node-red'

/** Node-RED's greet: http in → function → http response (flow file written to a fresh userDir). */
function startNodeRed(): Promise<{ url: string; child: ChildProcess }> {
  const userDir = mkdtempSync(join(tmpdir(), 'potok-bench-nodered-'))
  process.on('exit', () => rmSync(userDir, { recursive: true, force: true }))
  const flow = [
    { id: 'tab', type: 'tab', label: 'greet' },
    { id: 'in', z: 'tab', type: 'http in', url: '/greet', method: 'post', wires: [['fn']] },
    {
      id: 'fn',
      z: 'tab',
      type: 'function',
      outputs: 1,
      wires: [['out']],
      func: "msg.payload = { greeting: 'Hello, ' + msg.payload.name, next: msg.payload.n + 1 };\nmsg.statusCode = 201;\nmsg.headers = { 'X-Flow': 'yes' };\nreturn msg;",
    },
    { id: 'out', z: 'tab', type: 'http response', wires: [] },
  ]
  writeFileSync(join(userDir, 'flows.json'), JSON.stringify(flow))
  return freePort().then(
    (port) =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [join(NODE_RED_DIR, 'red.js'), '--port', String(port), '--userDir', userDir, 'flows.json'], { stdio: ['ignore', 'ignore', 'ignore'] })
        child.on('exit', (code) => reject(new Error(`Node-RED exited with ${code}`)))
        const url = `http://127.0.0.1:${port}/greet`
        const poll = async () => {
          for (let i = 0; i < 300; i++) {
            const ok = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY }).then(
              (r) => r.status === 201,
              () => false,
            )
            if (ok) return resolve({ url, child })
            await new Promise((r) => setTimeout(r, 100))
          }
          reject(new Error('Node-RED did not start'))
        }
        void poll()
      }),
  )
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })
}

/** The Node flags `npm start` gives the server (package.json's start script): potok is measured as it runs in production. */
function startFlags(): string[] {
  const { scripts } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } }
  return scripts.start.split(/\s+/).filter((word) => word.startsWith('--'))
}

/** Serves from the TypeScript sources through tsx (BENCH_SOURCE=1) instead of the build. */
const FROM_SOURCE = Boolean(process.env.BENCH_SOURCE)

/** potok as `npm start` runs it: `bin/potok.mjs serve` on the build, on a free port and a fresh data directory. */
async function startBuiltPotok(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'potok-bench-'))
  process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }))
  const port = await freePort()
  const child = spawn(process.execPath, [...startFlags(), fileURLToPath(new URL('../bin/potok.mjs', import.meta.url)), 'serve'], {
    env: {
      ...process.env,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      FLOWS_DIR: fileURLToPath(new URL('../flows/', import.meta.url)),
      POTOK_ADMIN_TOKEN: 'bench-admin-token-0123456789',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  child.stdout!.resume() // request logs (pino, LOG_LEVEL=info) go nowhere, but are written
  const exited = new Promise<never>((_, reject) => child.on('exit', (code) => reject(new Error(`potok exited with ${code}`))))
  exited.catch(() => {})
  const url = `http://127.0.0.1:${port}/api/webrequest/greet`
  for (let i = 0; i < 300; i++) {
    const ok = await Promise.race([
      fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      ),
      exited,
    ])
    if (ok) return { url, child }
    await new Promise((r) => setTimeout(r, 100))
  }
  child.kill('SIGKILL')
  throw new Error('potok did not start')
}

function startChild(kind: string, env: Record<string, string> = {}): Promise<{ url: string; child: ChildProcess }> {
  if (kind === 'nodered') return startNodeRed()
  if (kind === 'potok' && !FROM_SOURCE) return startBuiltPotok(env)
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...startFlags(), '--import', 'tsx', SELF, '--serve', kind], {
      env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', ...env },
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

/** CPU seconds (user + system) of a whole process and of its main thread, from /proc. */
function cpuOf(pid: number): { total: number; main: number } | null {
  const ticks = (file: string) => {
    const fields = readFileSync(file, 'utf8')
      .replace(/^.*\) /s, '')
      .split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100 // utime + stime, in USER_HZ (100 on Linux)
  }
  try {
    return { total: ticks(`/proc/${pid}/stat`), main: ticks(`/proc/${pid}/task/${pid}/stat`) }
  } catch {
    return null
  }
}

async function load(name: string, url: string, duration: number, pid?: number): Promise<Run> {
  const before = pid ? cpuOf(pid) : null
  const self = process.cpuUsage()
  const result = await autocannon({ url, method: 'POST', connections: CONNECTIONS, duration, headers: { 'content-type': 'application/json' }, body: BODY })
  const after = pid ? cpuOf(pid) : null
  const used = process.cpuUsage(self)
  const requests = Math.max(1, result.requests.total)
  const perRequest = (seconds: number) => (seconds * 1e6) / requests
  const statuses = Object.entries(result.statusCodeStats ?? {})
    .map(([code, s]) => `${code}×${(s as { count: number }).count}`)
    .join(' ')
  return {
    name,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    statuses,
    errors: result.errors + result.timeouts,
    cpu:
      before && after
        ? { main: perRequest(after.main - before.main), others: perRequest(after.total - after.main - (before.total - before.main)), load: perRequest((used.user + used.system) / 1e6) }
        : undefined,
  }
}

async function measure(kind: string, runs: Array<{ name: string; path: (url: string) => string }>, env: Record<string, string> = {}): Promise<Run[]> {
  const { url, child } = await startChild(kind, env)
  try {
    const results: Run[] = []
    for (const run of runs) {
      await load(`${run.name} (warm-up)`, run.path(url), WARMUP)
      results.push(await load(run.name, run.path(url), DURATION, child.pid))
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
    const url = kind === 'bare' ? await serveBare() : kind === 'bare-listhen' ? await serveBareListhen() : kind === 'listhen' ? await serveListhen() : await servePotok()
    process.stdout.write(`READY ${url}\n`)
    return
  }
  if (process.env.BENCH_COMPARE_SERVING) {
    // The serving layer alone: the bare app through h3's serve() (srvx) and through listhen.
    console.log(`serving layer: bare h3 app, ${CONNECTIONS} connections, ${DURATION} s per run`)
    const rows: Run[] = []
    for (let round = 0; round < 2; round++) {
      rows.push(...(await measure('bare', [{ name: `srvx (round ${round + 1})`, path: (u) => u }])))
      rows.push(...(await measure('bare-listhen', [{ name: `listhen (round ${round + 1})`, path: (u) => u }])))
    }
    console.log('| server | req/s | p50 ms | p99 ms |\n|---|---:|---:|---:|')
    for (const r of rows) console.log(`| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} |`)
    return
  }
  const potokKind = process.env.BENCH_SERVER === 'listhen' ? 'listhen' : 'potok'
  if (potokKind === 'potok' && !FROM_SOURCE) {
    // The build of this checkout, as `npm install` makes it (the server only: the console is not measured).
    execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build.mjs', import.meta.url)), 'server'], { stdio: 'inherit' })
  }
  const workerCounts = (process.env.BENCH_WORKERS ?? '1,2')
    .split(',')
    .map((w) => w.trim())
    .filter(Boolean)
  console.log(
    `autocannon: ${CONNECTIONS} connections, ${DURATION} s per run (+${WARMUP} s warm-up), POST ${BODY}; potok served by ${potokKind === 'listhen' ? 'listhen' : 'srvx (h3 serve)'}${potokKind === 'potok' ? (FROM_SOURCE ? ' from the TypeScript (tsx)' : ' from the build (bin/potok.mjs serve)') : ''}, LOG_LEVEL=${process.env.LOG_LEVEL ?? 'info'}`,
  )
  const [bare] = await measure('bare', [{ name: 'bare h3', path: (u) => u }])
  const rows = [bare]
  const syncRows: Run[] = []
  for (const workers of workerCounts) {
    const [sync, async] = await measure(
      potokKind,
      [
        { name: `potok sync, WORKERS=${workers}`, path: (u) => u },
        { name: `potok async accept, WORKERS=${workers}`, path: (u) => `${u}?async=true` },
      ],
      { WORKERS: workers },
    )
    rows.push(sync, async)
    syncRows.push(sync)
  }
  let nodeRed: Run | undefined
  if (existsSync(join(NODE_RED_DIR, 'red.js'))) {
    ;[nodeRed] = await measure('nodered', [{ name: 'Node-RED 4 function node', path: (u) => u }])
    rows.push(nodeRed)
  } else {
    console.log(`(Node-RED skipped: no ${NODE_RED_DIR}; see the comment at the top of this file)`)
  }
  console.log('')
  console.log('| run | req/s | ratio to bare | p50 ms | p99 ms | p99 / bare p99 | statuses | errors | CPU µs/req: main / other threads / load gen |')
  console.log('|---|---:|---:|---:|---:|---:|---|---:|---|')
  for (const r of rows) {
    const cpu = r.cpu ? `${r.cpu.main.toFixed(0)} / ${r.cpu.others.toFixed(0)} / ${r.cpu.load.toFixed(0)}` : '—'
    console.log(`| ${r.name} | ${r.rps.toFixed(0)} | ${(r.rps / bare.rps).toFixed(2)} | ${r.p50} | ${r.p99} | ${(r.p99 / Math.max(bare.p99, 1)).toFixed(2)} | ${r.statuses} | ${r.errors} | ${cpu} |`)
  }
  console.log('')
  const best = syncRows.reduce((a, b) => (b.rps > a.rps ? b : a))
  const asyncBest = rows.filter((r) => r.name.startsWith('potok async')).reduce((a, b) => (b.rps > a.rps ? b : a))
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met')
  console.log(
    `goals (best sync: ${best.name}): sync ≥ 0.3 × bare: ${verdict(best.rps >= 0.3 * bare.rps)} (${(best.rps / bare.rps).toFixed(2)}); p99 ≤ 5 × bare: ${verdict(best.p99 <= 5 * Math.max(bare.p99, 1))} (${best.p99} vs ${bare.p99} ms); async ≥ 0.3 × bare: ${verdict(asyncBest.rps >= 0.3 * bare.rps)} (${(asyncBest.rps / bare.rps).toFixed(2)})` +
      (nodeRed ? `; sync ≥ 1.25 × Node-RED: ${verdict(best.rps >= 1.25 * nodeRed.rps)} (${(best.rps / nodeRed.rps).toFixed(2)})` : ''),
  )
}

await main()
