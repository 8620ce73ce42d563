/**
 * Store throughput: finished synchronous processes recorded per second (`recordProcess`, a
 * greet-sized record with 3 steps and ~1 KB of input and output) and queued processes accepted
 * per second (`createProcess`), one at a time and with 32 in flight; a synchronous process
 * written twice (`running` at its start, then its end: what `SYNC_RECORD_AFTER_MS=0` and a
 * process outliving the window cost) against once (its end alone), in CPU µs per process; and durable asynchronous
 * completions per second (the executor end to end), on SQLite (a file in a temp
 * dir, WAL) and — when MONGODB_URI is set — MongoDB/FerretDB in a scratch database.
 *
 *   node --import tsx bench/store.ts            # BENCH_SECONDS=2 per measurement by default
 */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { registerComponents } from '../components/index.ts'
import { ProcessExecutor } from '../processes/executor.ts'
import { MongoStore } from '../store/mongo.ts'
import type { ProcessRecord, ProcessStore } from '../store/port.ts'
import { SqliteStore } from '../store/sqlite.ts'
import type { StepRecord } from '../runtime/types.ts'

registerComponents() // the async completions run greet through the engine

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2)
const IN_FLIGHT = 32

const input = {
  event: { id: 'greet', type: '$webRequest', async: false },
  script: { id: 'greet' },
  user: { id: null },
  url: 'http://127.0.0.1:3000/api/webrequest/greet?x=1',
  method: 'POST',
  headers: { host: '127.0.0.1:3000', 'content-type': 'application/json', 'user-agent': 'bench/1.0', accept: '*/*', 'content-length': '512', 'x-request-id': randomUUID() },
  cookies: {},
  query: { x: '1' },
  body: { name: 'Ann', n: 41, note: 'x'.repeat(500) },
}

function finished(): { record: ProcessRecord; steps: StepRecord[] } {
  const startedAt = new Date().toISOString()
  const output = { ...input, $status: 201, $headers: { 'X-Flow': 'yes' }, $body: { greeting: 'Hello, Ann', next: 42 } }
  return {
    record: {
      id: randomUUID(),
      scenario: { id: 'greet', version: 1 },
      trigger: { type: '$webRequest', id: 'greet', async: false },
      status: 'completed',
      input,
      output,
      response: { status: 201, headers: { 'X-Flow': 'yes' }, body: output.$body },
      error: null,
      startedAt,
      finishedAt: startedAt,
      durationMs: 0.1,
    },
    steps: ['start', 'vars', 'end'].map((nodeId, index) => ({
      index,
      nodeId,
      type: nodeId === 'vars' ? 'setVariables' : nodeId,
      startedAt,
      finishedAt: startedAt,
      durationMs: 0,
      status: 'completed' as const,
    })),
  }
}

function queued(): ProcessRecord {
  return { id: randomUUID(), scenario: { id: 'greet', version: 1 }, trigger: { type: '$webRequest', id: 'greet', async: true }, status: 'queued', input, startedAt: new Date().toISOString() }
}

/** Operations per second of `op`, with `inFlight` callers for SECONDS (`cpu`: CPU µs per op, out). */
async function rate(op: () => Promise<void>, inFlight: number, cpu?: { perOp: number }): Promise<number> {
  const deadline = performance.now() + SECONDS * 1000
  let done = 0
  const start = performance.now()
  const used = process.cpuUsage()
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < deadline) {
        await op()
        done++
      }
    }),
  )
  if (cpu) {
    const { user, system } = process.cpuUsage(used)
    cpu.perOp = (user + system) / Math.max(1, done)
  }
  return done / ((performance.now() - start) / 1000)
}

/**
 * Durable asynchronous completions per second: COMPLETIONS greet processes queued at once, run
 * by the executor in durable mode (a snapshot and step records stored after every step), from
 * the first enqueue to the last `completed`.
 */
const COMPLETIONS = Number(process.env.BENCH_COMPLETIONS ?? 400)
async function completions(store: ProcessStore): Promise<number> {
  // A fresh store: the queued records createProcess wrote above would be claimed first.
  const greet = JSON.parse(readFileSync(new URL('../flows/greet.json', import.meta.url), 'utf8'))
  const scenario = await store.saveScenario({ ...greet, id: 'greet-async' })
  const executor = new ProcessExecutor(store, { pollMs: 50 })
  const started = performance.now()
  await Promise.all(Array.from({ length: COMPLETIONS }, () => executor.enqueue({ scenario, input, trigger: { type: '$webRequest', id: 'greet', async: true } })))
  executor.start()
  for (;;) {
    const done = await store.listProcesses({ status: 'completed', scenarioId: 'greet-async', limit: COMPLETIONS })
    if (done.items.length >= COMPLETIONS) break
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  const rate = COMPLETIONS / ((performance.now() - started) / 1000)
  await executor.stop()
  return rate
}

async function measure(name: string, store: ProcessStore): Promise<Record<string, string>> {
  await rate(async () => {
    const { record, steps } = finished()
    await store.recordProcess(record, steps)
  }, 1) // warm-up
  const row: Record<string, string> = { store: name }
  for (const inFlight of [1, IN_FLIGHT]) {
    row[`recordProcess/s ×${inFlight}`] = Math.round(
      await rate(async () => {
        const { record, steps } = finished()
        await store.recordProcess(record, steps)
      }, inFlight),
    ).toLocaleString('en')
    row[`createProcess/s ×${inFlight}`] = Math.round(await rate(() => store.createProcess(queued()), inFlight)).toLocaleString('en')
  }
  // A synchronous process: its end alone, or `running` first (awaited, as before the start) and then its end.
  const once = { perOp: 0 }
  const twice = { perOp: 0 }
  await rate(
    async () => {
      const { record, steps } = finished()
      await store.recordProcess(record, steps)
    },
    IN_FLIGHT,
    once,
  )
  await rate(
    async () => {
      const { record, steps } = finished()
      await store.createProcess({ ...record, status: 'running', output: undefined, response: undefined, finishedAt: undefined, durationMs: undefined })
      await store.recordProcess(record, steps)
    },
    IN_FLIGHT,
    twice,
  )
  row[`sync: end only, CPU µs ×${IN_FLIGHT}`] = once.perOp.toFixed(0)
  row[`sync: running + end, CPU µs ×${IN_FLIGHT}`] = twice.perOp.toFixed(0)
  return row
}

const rows: Record<string, string>[] = []
const dir = mkdtempSync(join(tmpdir(), 'potok-bench-'))
try {
  const sqlite = new SqliteStore({ dataDir: dir })
  await sqlite.init()
  const row = await measure('sqlite (WAL, NORMAL)', sqlite)
  await sqlite.close()
  const fresh = new SqliteStore({ dataDir: mkdtempSync(join(dir, 'async-')) })
  await fresh.init()
  row['async completions/s'] = Math.round(await completions(fresh)).toLocaleString('en')
  await fresh.close()
  rows.push(row)
} finally {
  rmSync(dir, { recursive: true, force: true })
}

if (process.env.MONGODB_URI) {
  const mongo = new MongoStore({ uri: process.env.MONGODB_URI, dbName: `potok_bench_${Date.now()}` })
  await mongo.init()
  try {
    const info = await (mongo as unknown as { ping(): Promise<void> }).ping().then(() => 'mongodb')
    const row = await measure(info, mongo)
    const fresh = new MongoStore({ uri: process.env.MONGODB_URI, dbName: `potok_bench_async_${Date.now()}` })
    await fresh.init()
    try {
      row['async completions/s'] = Math.round(await completions(fresh)).toLocaleString('en')
    } finally {
      await fresh.dropDatabase()
      await fresh.close()
    }
    rows.push(row)
  } finally {
    await mongo.dropDatabase()
    await mongo.close()
  }
} else {
  console.warn('MONGODB_URI not set: MongoDB row skipped')
}

console.log(`record ≈ ${JSON.stringify(finished().record).length} B JSON + 3 steps; ${SECONDS} s per cell`)
console.table(rows)
