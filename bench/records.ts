/**
 * Catalogs and records (docs/catalogs.md), on SQLite (a file in a temp dir, WAL) and — when MONGODB_URI
 * is set — MongoDB/FerretDB in a scratch database:
 *
 * - records created per second by a scenario (start → createRecord with 4 fields → end, run
 *   in this thread with the server's services), one at a time and 32 in flight;
 * - `findRecords` over 10⁵ records: by a dropdown value (an indexed field filter, 1 % of the
 *   records match, first page of 100 with the total), by an exact number (indexed), by a text
 *   substring (no index: every record is read), and one record by id.
 *
 *   node --import tsx bench/records.ts          # BENCH_SECONDS=2, RECORDS=100000 by default
 *   BENCH_STORES=mongodb node --import tsx bench/records.ts   # only one of sqlite, mongodb
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startProcess } from '../runtime/process.ts'
import { MongoStore } from '../store/mongo.ts'
import type { ProcessStore } from '../store/port.ts'
import type { RecordQuery } from '../store/records-port.ts'
import { SqliteStore } from '../store/sqlite.ts'
import type { Scenario } from '../runtime/types.ts'
import { processServices } from '../server/serve.ts'
import { registerComponents } from '../components/index.ts'

registerComponents()

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2)
const RECORDS = Number(process.env.RECORDS ?? 100_000)
const IN_FLIGHT = 32
const BATCH = 5000
const STORES = (process.env.BENCH_STORES ?? 'sqlite,mongodb').split(',')

const catalog = {
  id: 'bench',
  name: 'Bench',
  fields: [
    { id: '2', name: 'Name', type: 'text' as const },
    { id: '3', name: 'Amount', type: 'number' as const },
    { id: '4', name: 'Status', type: 'dropdown' as const, config: { items: Array.from({ length: 100 }, (_, i) => ({ id: String(i + 1), name: `s${i + 1}` })) } },
    { id: '5', name: 'Phone', type: 'contact' as const },
  ],
}

const scenario: Scenario = {
  id: 'bench-create',
  nodes: [
    { id: 'start', type: 'start' },
    {
      id: 'create',
      type: 'createRecord',
      config: {
        catalogId: "'bench'",
        values: [
          { fieldId: '2', value: 'body.name' },
          { fieldId: '3', value: 'body.n' },
          { fieldId: '4', value: '[String(body.n % 100 + 1)]' },
          { fieldId: '5', value: 'body.phone' },
        ],
        saveTo: 'id',
      },
    },
    { id: 'end', type: 'end' },
  ],
  edges: [
    { from: 'start', to: 'create' },
    { from: 'create', to: 'end' },
  ],
}

async function rate(what: string, once: () => Promise<unknown>, inFlight = 1): Promise<number> {
  const until = performance.now() + SECONDS * 1000
  let count = 0
  const worker = async () => {
    while (performance.now() < until) {
      await once()
      count++
    }
  }
  const started = performance.now()
  await Promise.all(Array.from({ length: inFlight }, worker))
  const perSecond = count / ((performance.now() - started) / 1000)
  console.log(`  ${what}: ${perSecond.toFixed(0)}/s (${count} in ${SECONDS} s)`)
  return perSecond
}

async function latency(what: string, once: () => Promise<unknown>): Promise<void> {
  const times: number[] = []
  const until = performance.now() + SECONDS * 1000
  while (performance.now() < until || times.length < 5) {
    const t = performance.now()
    await once()
    times.push(performance.now() - t)
  }
  times.sort((a, b) => a - b)
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(2)
  console.log(`  ${what}: median ${at(0.5)} ms, p95 ${at(0.95)} ms (${times.length} queries)`)
}

async function bench(name: string, store: ProcessStore): Promise<void> {
  console.log(`${name}`)
  await store.records.saveCatalog(catalog)
  const services = processServices(store)
  let n = 0
  const run = async () => {
    n++
    const result = await startProcess(scenario, { body: { name: `Lead ${n}`, n, phone: `+7 900 ${String(n).padStart(7, '0')}` } }, { services })
    if (result.status !== 'completed') throw new Error(`${result.error?.code}: ${result.error?.message}`)
  }
  await rate('records created by a scenario, one at a time', run)
  await rate(`records created by a scenario, ${IN_FLIGHT} in flight`, run, IN_FLIGHT)

  const have = (await store.records.findRecords('bench', { limit: 0 })).total
  const started = performance.now()
  for (let from = have; from < RECORDS; from += BATCH) {
    const size = Math.min(BATCH, RECORDS - from)
    await store.records.importRecords(
      'bench',
      Array.from({ length: size }, (_, i) => {
        const k = from + i
        return { 2: `Lead ${k}`, 3: k, 4: [String((k % 100) + 1)], 5: `+7 900 ${String(k).padStart(7, '0')}` }
      }),
    )
  }
  const total = (await store.records.findRecords('bench', { limit: 0 })).total
  console.log(`  seeded to ${total} records (${((performance.now() - started) / 1000).toFixed(1)} s with importRecords)`)

  const find = (query: RecordQuery) => async () => {
    const page = await store.records.findRecords('bench', query)
    if (!page.total) throw new Error('nothing found')
  }
  await latency('findRecords, dropdown filter (1 % match, page of 100 + total)', find({ filters: [{ fieldId: '4', value: ['42'] }] }))
  await latency('findRecords, exact number filter (1 match)', find({ filters: { 3: 77_777 } }))
  await latency('findRecords, text substring filter (no index, reads all)', find({ filters: { 2: 'lead 9999' }, limit: 10 }))
  await latency('getRecord by id', async () => store.records.getRecord('bench', String(Math.floor(total / 2))))
}

const dir = mkdtempSync(join(tmpdir(), 'potok-bench-records-'))
try {
  if (STORES.includes('sqlite')) {
    const sqlite = new SqliteStore({ dataDir: dir })
    await sqlite.init()
    await bench('SQLite (file, WAL)', sqlite)
    await sqlite.close()
  }
  if (process.env.MONGODB_URI && STORES.includes('mongodb')) {
    const mongo = new MongoStore({ uri: process.env.MONGODB_URI, dbName: `potok_bench_records_${Date.now()}` })
    await mongo.init()
    try {
      await bench('MongoDB (MONGODB_URI)', mongo)
    } finally {
      await mongo.dropDatabase()
      await mongo.close()
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
