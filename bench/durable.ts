/**
 * Durable execution under load, with real servers (`potok serve` child processes):
 *
 * 1. async completions per second — `BENCH_ASYNC` (default 400) greet processes accepted with
 *    `?async=true`, split between the servers, until every one is completed — with one and with
 *    two servers, on a store already holding `BENCH_STORED` (default 10 000) finished processes;
 * 2. time to wake `BENCH_TIMERS` (default 10 000) processes parked at a timer that all fall due
 *    at once: from the deadline until every one is completed.
 *
 * On SQLite (a temp dir) and, with MONGODB_URI, on MongoDB/FerretDB (a scratch database).
 * Completions are counted from each server's `/metrics` (potok_processes_total).
 *
 *   node --import tsx bench/durable.ts
 *   BENCH_STORES=mongodb BENCH_STORED=10000 node --import tsx bench/durable.ts
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startProcess } from '../runtime/process.ts'
import { MongoStore } from '../store/mongo.ts'
import type { ProcessRecord, ProcessStore } from '../store/port.ts'
import { SqliteStore } from '../store/sqlite.ts'
import type { Scenario } from '../runtime/types.ts'
import { killChildren, startChildServer, type ChildServer } from '../test/server/child.ts'
import { registerComponents } from '../components/index.ts'

registerComponents()

const ASYNC = Number(process.env.BENCH_ASYNC ?? 400)
const STORED = Number(process.env.BENCH_STORED ?? 10_000)
const TIMERS = Number(process.env.BENCH_TIMERS ?? 10_000)
const STORES = (process.env.BENCH_STORES ?? (process.env.MONGODB_URI ? 'sqlite,mongodb' : 'sqlite')).split(',')

const greet: Scenario = {
  id: 'greet',
  nodes: [
    { id: 'start', type: 'start' },
    {
      id: 'vars',
      type: 'setVariables',
      config: {
        assignments: [
          { name: '$status', value: '201' },
          { name: '$body', value: "({ greeting: 'Hello, ' + body.name })" },
        ],
      },
    },
    { id: 'end', type: 'end' },
  ],
  edges: [
    { from: 'start', to: 'vars' },
    { from: 'vars', to: 'end' },
  ],
}
const nap: Scenario = {
  id: 'nap',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'wait', type: 'timer', config: { pause: 'PT1H' } },
    { id: 'after', type: 'setVariables', config: { assignments: [{ name: 'woke', value: 'true' }] } },
    { id: 'end', type: 'end' },
  ],
  edges: [
    { from: 'start', to: 'wait' },
    { from: 'wait', to: 'after' },
    { from: 'after', to: 'end' },
  ],
}

interface Target {
  kind: 'sqlite' | 'mongodb'
  env: Record<string, string>
  open(): Promise<ProcessStore>
  dispose(): Promise<void>
}

function target(kind: 'sqlite' | 'mongodb'): Target {
  const flowsDir = mkdtempSync(join(tmpdir(), 'potok-bench-flows-'))
  writeFileSync(join(flowsDir, 'greet.json'), JSON.stringify({ ...greet, webrequests: [{ urlId: 'greet', name: 'Greet' }] }))
  writeFileSync(join(flowsDir, 'nap.json'), JSON.stringify(nap))
  if (kind === 'sqlite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'potok-bench-durable-'))
    return {
      kind,
      env: { DATA_DIR: dataDir, FLOWS_DIR: flowsDir },
      open: async () => {
        const store = new SqliteStore({ dataDir })
        await store.init()
        return store
      },
      dispose: async () => {
        rmSync(dataDir, { recursive: true, force: true })
        rmSync(flowsDir, { recursive: true, force: true })
      },
    }
  }
  const dbName = `potok_bench_durable_${randomBytes(4).toString('hex')}`
  const uri = process.env.MONGODB_URI!.replace(/\/?(\?|$)/, `/${dbName}$1`)
  return {
    kind,
    env: { MONGODB_URI: uri, FLOWS_DIR: flowsDir },
    open: async () => {
      const store = new MongoStore({ uri, dbName })
      await store.init()
      return store
    },
    dispose: async () => {
      const store = new MongoStore({ uri, dbName })
      await store.init()
      await store.dropDatabase()
      await store.close()
      rmSync(flowsDir, { recursive: true, force: true })
    },
  }
}

/** `count` finished processes, written 64 at a time. */
async function seed(store: ProcessStore, count: number): Promise<void> {
  const scenario = await store.getScenario('greet')
  for (let done = 0; done < count; done += 64) {
    await Promise.all(
      Array.from({ length: Math.min(64, count - done) }, async (_, i) => {
        const result = await startProcess(greet, { body: { name: `seed${done + i}` } })
        await store.recordProcess(
          {
            id: result.processId,
            scenario: { id: 'greet', version: scenario!.version },
            trigger: { type: '$webRequest', id: 'greet', async: true },
            status: result.status,
            input: { body: { name: `seed${done + i}` } },
            output: result.output,
            error: null,
            startedAt: result.startedAt,
            finishedAt: result.finishedAt,
            durationMs: result.durationMs,
            snapshot: result.snapshot,
            lease: null,
          },
          result.steps,
        )
      }),
    )
  }
  // As the servers' housekeeping leaves them between runs (MongoDB: out of the working collection).
  while ((await store.archiveEnded?.({ endedBefore: new Date(Date.now() + 60_000).toISOString() })) ?? 0) {}
}

/** Completed processes of `scenario` the servers counted (their /metrics). */
async function completed(servers: ChildServer[], scenario: string): Promise<number> {
  let total = 0
  for (const server of servers) {
    const text = await (await server.api('GET', '/metrics')).text()
    const match = new RegExp(`potok_processes_total\\{scenario="${scenario}",status="completed"\\} (\\d+)`).exec(text)
    total += match ? Number(match[1]) : 0
  }
  return total
}

async function untilCompleted(servers: ChildServer[], scenario: string, count: number, limitMs: number): Promise<number> {
  const deadline = Date.now() + limitMs
  for (;;) {
    const done = await completed(servers, scenario)
    if (done >= count || Date.now() > deadline) return done
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

async function asyncCompletions(t: Target, serverCount: number): Promise<string> {
  const servers = await Promise.all(Array.from({ length: serverCount }, () => startChildServer({ ...t.env, ASYNC_CONCURRENCY: '16' })))
  const started = performance.now()
  let next = 0
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < ASYNC) {
        const n = next++
        const response = await fetch(`${servers[n % serverCount].base}/api/webrequest/greet?async=true`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: `a${n}` }),
        })
        if (response.status !== 202) throw new Error(`accept answered ${response.status}: ${await response.text()}`)
      }
    }),
  )
  const acceptedMs = performance.now() - started
  const done = await untilCompleted(servers, 'greet', ASYNC, 600_000)
  const seconds = (performance.now() - started) / 1000
  await Promise.all(servers.map((server) => server.kill()))
  return `${t.kind}: ${serverCount} server(s), ${ASYNC} async greets (accepted in ${(acceptedMs / 1000).toFixed(1)} s): ${done} completed in ${seconds.toFixed(1)} s = ${(done / seconds).toFixed(1)} completions/s`
}

/** A snapshot of `nap` parked at its timer, its deadline moved to `wakeAt`, as process `id`. */
async function parkedSnapshot(): Promise<{ snapshot: string; pid: string }> {
  const pid = randomUUID()
  let snapshot: unknown = null
  const result = await startProcess(
    nap,
    {},
    {
      processId: pid,
      parkAfterMs: 1000,
      persist: (update) => {
        snapshot = update.snapshot
      },
    },
  )
  if (result.status !== 'queued' || !result.wakeAt) throw new Error(`nap did not park: ${result.status}`)
  return { snapshot: JSON.stringify(snapshot ?? result.snapshot), pid }
}

async function wakeTimers(t: Target, serverCount: number): Promise<string> {
  const store = await t.open()
  const scenario = await store.getScenario('nap')
  const { snapshot, pid } = await parkedSnapshot()
  const wakeAt = Date.now() + 60_000 // written before the deadline, all due at once
  const records: ProcessRecord[] = []
  for (let i = 0; i < TIMERS; i++) {
    const id = randomUUID()
    const taken = JSON.parse(snapshot.split(pid).join(id)) as { context: { deadlines: Record<string, number> } }
    taken.context.deadlines.wait = wakeAt
    records.push({
      id,
      scenario: { id: 'nap', version: scenario!.version },
      trigger: { type: '$manual', async: true },
      status: 'queued',
      input: {},
      startedAt: new Date().toISOString(),
      snapshot: taken,
      wakeAt: new Date(wakeAt).toISOString(),
      lease: null,
    })
  }
  const written = performance.now()
  for (let i = 0; i < records.length; i += 200) await Promise.all(records.slice(i, i + 200).map((record) => store.createProcess(record)))
  const writeSeconds = (performance.now() - written) / 1000
  await store.close()
  const servers = await Promise.all(Array.from({ length: serverCount }, () => startChildServer({ ...t.env, ASYNC_CONCURRENCY: '16' })))
  const rest = wakeAt - Date.now()
  if (rest < 0) throw new Error(`writing ${TIMERS} parked processes took longer than a minute (${writeSeconds.toFixed(0)} s): lower BENCH_TIMERS`)
  await new Promise((resolve) => setTimeout(resolve, rest))
  const started = performance.now()
  const done = await untilCompleted(servers, 'nap', TIMERS, 900_000)
  const seconds = (performance.now() - started) / 1000
  await Promise.all(servers.map((server) => server.kill()))
  return `${t.kind}: ${serverCount} server(s), ${TIMERS} parked timers due at once (written in ${writeSeconds.toFixed(1)} s): ${done} woken and completed in ${seconds.toFixed(1)} s = ${(done / seconds).toFixed(0)}/s`
}

// Interrupted: the servers it started go with it.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    killChildren()
    process.exit(130)
  })

try {
  for (const kind of STORES as Array<'sqlite' | 'mongodb'>) {
    const t = target(kind)
    try {
      const store = await t.open()
      await store.saveScenario(greet)
      await store.saveScenario(nap)
      const seeded = performance.now()
      await seed(store, STORED)
      console.log(`${kind}: ${STORED} finished processes stored in ${((performance.now() - seeded) / 1000).toFixed(1)} s`)
      await store.close()
      if (!process.env.BENCH_SKIP_ASYNC) {
        console.log(await asyncCompletions(t, 1))
        console.log(await asyncCompletions(t, 2))
      }
      if (!process.env.BENCH_SKIP_TIMERS) console.log(await wakeTimers(t, Number(process.env.BENCH_TIMER_SERVERS ?? 1)))
    } finally {
      await t.dispose()
    }
  }
} finally {
  killChildren()
}
