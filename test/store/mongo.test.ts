/**
 * The store contract on MongoDB (or FerretDB): runs when MONGODB_URI is set, each store in a
 * fresh database dropped afterwards. `.ci/run` starts FerretDB and sets MONGODB_URI.
 */
import { randomBytes } from 'node:crypto'
import { MongoClient } from 'mongodb'
import { describe, expect, it } from 'vitest'
import { manualClock } from '../clock.ts'
import { MongoStore, databaseNameOf } from '../../store/mongo.ts'
import { openStore } from '../../store/index.ts'
import type { ProcessStore } from '../../store/port.ts'
import { storeContract } from './contract.ts'
import { recordsContract } from './records-contract.ts'

const uri = process.env.MONGODB_URI
if (!uri) console.warn('[store] MongoDB half of the store contract skipped: MONGODB_URI is not set (.ci/run starts FerretDB and sets it)')

const run = randomBytes(4).toString('hex')
let count = 0

/** Each test's store in a fresh database, dropped afterwards. */
async function freshStore(): Promise<ProcessStore> {
  const store = new MongoStore({ uri: uri!, dbName: `potok_test_${run}_${count++}` })
  await store.init()
  return store
}
const scratch = {
  skip: !uri,
  dispose: async (store: ProcessStore) => {
    await (store as MongoStore).dropDatabase()
    await store.close()
  },
}

storeContract('mongodb', freshStore, scratch)
recordsContract('mongodb', freshStore, scratch)

describe.skipIf(!uri)('mongodb records from two servers', () => {
  it('two stores on one database never give two records the same id', async () => {
    const dbName = `potok_test_${run}_ids`
    const [a, b] = [new MongoStore({ uri: uri!, dbName }), new MongoStore({ uri: uri!, dbName })]
    await a.init()
    await b.init()
    try {
      await a.records.saveCatalog({ id: 'c', name: 'C', fields: [{ id: '1', name: 'N', type: 'text' }] })
      const made = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).records.createRecord('c', { 1: `r${i}` })))
      expect(new Set(made.map((r) => r.id)).size).toBe(30)
      expect((await a.records.findRecords('c', { limit: 0 })).total).toBe(30)
    } finally {
      await a.dropDatabase()
      await Promise.all([a.close(), b.close()])
    }
  })
})

// Real MongoDB decides with compare-and-set updates; FerretDB cannot (its updates are
// read-modify-write), so CI runs that path here against FerretDB too: within one store every
// write to a process is serialised, which is what the contract's single-store cases exercise.
storeContract(
  'mongodb, compare-and-set path',
  async () => {
    const store = new MongoStore({ uri: uri!, dbName: `potok_test_${run}_${count++}`, atomicUpdates: true })
    await store.init()
    expect(store.atomicUpdates).toBe(true)
    return store
  },
  {
    skip: !uri,
    dispose: async (store: ProcessStore) => {
      await (store as MongoStore).dropDatabase()
      await store.close()
    },
  },
)

describe.skipIf(!uri)('mongodb store', () => {
  it('is what openStore picks when a URI is given', async () => {
    const dbUri = uri!.replace(/\/?(\?|$)/, `/potok_test_${run}_open$1`)
    const store = await openStore({ mongodbUri: dbUri })
    try {
      expect(store.kind).toBe('mongodb')
      expect((store as MongoStore).databaseName).toBe(`potok_test_${run}_open`)
      await store.ping()
    } finally {
      await (store as MongoStore).dropDatabase()
      await store.close()
    }
  })
})

describe('mongodb store without a server', () => {
  it('reads the database name from the URI', () => {
    expect(databaseNameOf('mongodb://h:1/potok?x=1')).toBe('potok')
    expect(databaseNameOf('mongodb://u:p@h1:1,h2:2/db')).toBe('db')
    expect(databaseNameOf('mongodb+srv://h/')).toBeUndefined()
    expect(databaseNameOf('mongodb://h')).toBeUndefined()
  })

  it('does not leak the connection string or password in errors', async () => {
    const store = new MongoStore({ uri: 'mongodb://admin:s3cr3t-pw@127.0.0.1:1/potok', serverSelectionTimeoutMS: 300 })
    const error = await store.init().then(
      () => null,
      (e: unknown) => e as Error & { code?: string; cause?: unknown },
    )
    await store.close()
    expect(error).toMatchObject({ code: 'STORE_ERROR', status: 503 })
    expect(error!.message).not.toContain('s3cr3t-pw')
    expect(error!.message).not.toContain('admin:')
    expect(error!.cause).toBeUndefined()
  })
})

describe.skipIf(!uri)('FerretDB: an end undone by a late write', () => {
  it('a process put back to running after its end is looked at again, and its end re-applied', async () => {
    const dbName = `potok_test_${run}_late`
    const client = await MongoClient.connect(uri!)
    // Only FerretDB updates are read-modify-write; on MongoDB this cannot happen.
    if (!('ferretdbVersion' in (await client.db(dbName).command({ buildInfo: 1 })))) return void (await client.close())
    const time = manualClock()
    const [a, b] = [new MongoStore({ uri: uri!, dbName }), new MongoStore({ uri: uri!, dbName })]
    await a.init()
    await b.init()
    try {
      const id = 'late-end'
      await a.createProcess({
        id,
        scenario: { id: 's', version: 1 },
        trigger: { type: '$webRequest', id: 'w', async: true },
        status: 'queued',
        input: {},
        startedAt: new Date(time.now()).toISOString(),
        replayOf: null,
        parentId: null,
        lease: null,
      })
      const [claimed] = await a.claimProcesses('server-a', 10_000, 1)
      const processes = client.db(dbName).collection<{ _id: string }>('processes')
      const asClaimed = (await processes.findOne({ _id: id }))!
      const ended = await a.commitProcess(id, { owner: 'server-a', fence: claimed!.rev! }, { status: 'completed', output: { ok: true }, finishedAt: new Date(time.now()).toISOString(), lease: null })
      expect(ended).toBe(true)
      // Another server's write of the claimed state began before the end and lands after it.
      await processes.replaceOne({ _id: id }, asClaimed)
      expect((await b.getProcess(id))?.status).toBe('running')
      // Past the lease and the recheck time, the next claim looks at it and re-applies the end.
      await time.advance(60_000)
      expect(await b.claimProcesses('server-b', 10_000, 8)).toEqual([])
      expect(await b.getProcess(id)).toMatchObject({ status: 'completed', output: { ok: true } })
    } finally {
      time.restore()
      await a.dropDatabase()
      await Promise.all([a.close(), b.close(), client.close()])
    }
  })
})

describe.skipIf(!uri)('mongodb archive of ended processes', () => {
  it('one server archives at a time; a lock its holder left behind is taken over once expired', async () => {
    const dbName = `potok_test_${run}_archive`
    const client = await MongoClient.connect(uri!)
    const time = manualClock()
    const [a, b] = [new MongoStore({ uri: uri!, dbName }), new MongoStore({ uri: uri!, dbName })]
    await a.init()
    await b.init()
    try {
      const ended = new Date(time.now() - 60_000).toISOString()
      for (const id of ['e1', 'e2', 'e3'])
        await a.recordProcess(
          { id, scenario: { id: 's', version: 1 }, trigger: { type: '$webRequest', id: 'w', async: false }, status: 'completed', input: {}, startedAt: ended, finishedAt: ended },
          [],
        )
      const db = client.db(dbName)
      // Another server is archiving (its lock is fresh): this one leaves the work to it.
      await db.collection<{ _id: string; owner: string; until: string }>('locks').insertOne({ _id: 'archive', owner: 'other', until: new Date(time.now() + 60_000).toISOString() })
      expect(await b.archiveEnded()).toBe(0)
      expect(await db.collection('archive').countDocuments()).toBe(0)
      // That server died holding it: once the lock expired, this one takes it over.
      await time.advance(61_000)
      expect(await b.archiveEnded()).toBe(3)
      expect(await db.collection('archive').countDocuments()).toBe(3)
      expect(await db.collection('processes').countDocuments()).toBe(0)
      expect(await db.collection('locks').countDocuments()).toBe(0)
      // Two servers at once: each process is moved once.
      for (const id of ['f1', 'f2'])
        await a.recordProcess({ id, scenario: { id: 's', version: 1 }, trigger: { type: '$webRequest', id: 'w', async: false }, status: 'failed', input: {}, startedAt: ended, finishedAt: ended }, [])
      const moved = await Promise.all([a.archiveEnded(), b.archiveEnded()])
      expect(moved[0] + moved[1]).toBe(2)
      expect((await a.listProcesses({})).items.map((p) => p.id).sort()).toEqual(['e1', 'e2', 'e3', 'f1', 'f2'])
    } finally {
      time.restore()
      await a.dropDatabase()
      await Promise.all([a.close(), b.close(), client.close()])
    }
  })

  it('a process in both collections (a crash between the two writes of a move) counts once, as its working copy', async () => {
    const dbName = `potok_test_${run}_archive_crash`
    const client = await MongoClient.connect(uri!)
    const time = manualClock()
    const store = new MongoStore({ uri: uri!, dbName })
    await store.init()
    try {
      const db = client.db(dbName)
      const at = (ms: number) => new Date(time.now() + ms).toISOString()
      const base = { scenario: { id: 's', version: 1 }, trigger: { type: '$webRequest', id: 'w', async: true }, input: {} }
      // Archived, then its archive copy written again while the process was still being moved.
      await store.recordProcess({ ...base, id: 'moving', status: 'completed', output: { n: 1 }, startedAt: at(-60_000), finishedAt: at(-59_000) }, [])
      const copy = await db.collection<{ _id: string }>('processes').findOne({ _id: 'moving' })
      await db.collection<{ _id: string }>('archive').insertOne(copy!)
      expect((await store.listProcesses({})).items.map((p) => p.id)).toEqual(['moving'])
      expect(await store.archiveEnded()).toBe(1)
      expect(await db.collection('processes').countDocuments()).toBe(0)
      expect(await db.collection('archive').countDocuments()).toBe(1)
      // Restored for a resume, but its archive copy was left behind (a crash after the restore's insert).
      const snapshot = { status: 'active', value: 'vars', context: { pid: 'cut', vars: {} } }
      await store.recordProcess({ ...base, id: 'cut', status: 'interrupted', snapshot, startedAt: at(-50_000), finishedAt: at(-49_000), error: { code: 'TIMEOUT', message: 'm' } }, [])
      await store.archiveEnded()
      const stale = await db.collection<{ _id: string }>('archive').findOne({ _id: 'cut' })
      expect(await store.transitionProcess('cut', ['interrupted'], { status: 'queued', lease: null, error: null, finishedAt: null })).toBe(true)
      await db.collection<{ _id: string }>('archive').insertOne(stale!)
      expect((await store.getProcess('cut'))?.status).toBe('queued')
      expect((await store.listProcesses({})).items.map((p) => [p.id, p.status])).toEqual([
        ['cut', 'queued'],
        ['moving', 'completed'],
      ])
      // Its stale copy does not answer a filter on the status it no longer has.
      expect((await store.listProcesses({ status: 'interrupted' })).items).toEqual([])
      const [claimed] = await store.claimProcesses('a', 60_000, 4)
      expect(claimed?.id).toBe('cut')
      expect(await store.commitProcess('cut', { owner: 'a', fence: claimed!.rev! }, { status: 'completed', output: { done: true }, finishedAt: at(0), lease: null })).toBe(true)
      // Archived again: the stale copy is replaced by the newer end.
      await time.advance(10_000)
      expect(await store.archiveEnded()).toBe(1)
      expect(await store.getProcess('cut')).toMatchObject({ status: 'completed', output: { done: true } })
      expect(await db.collection('processes').countDocuments()).toBe(0)
    } finally {
      time.restore()
      await store.dropDatabase()
      await Promise.all([store.close(), client.close()])
    }
  })

  it('a list taken while ended processes are being moved shows each of them once', async () => {
    const dbName = `potok_test_${run}_archive_race`
    const time = manualClock()
    const store = new MongoStore({ uri: uri!, dbName })
    await store.init()
    try {
      const at = (ms: number) => new Date(time.now() + ms).toISOString()
      const base = { scenario: { id: 's', version: 1 }, trigger: { type: '$webRequest', id: 'w', async: true }, input: {}, parentId: 'p' }
      const ids: string[] = []
      let listings = 0
      // Each round moves a batch while lists run back to back: some of them fall between the
      // move's two writes, or between a list's reads of the two collections.
      for (let round = 0; round < 6; round++) {
        const batch = Array.from({ length: 40 }, (_, n) => `r${round}-${String(n).padStart(2, '0')}`)
        for (const id of batch) await store.recordProcess({ ...base, id, status: 'completed', output: {}, startedAt: at(-60_000), finishedAt: at(-59_000) }, [])
        ids.push(...batch)
        let moving = true
        const moved = store.archiveEnded().finally(() => {
          moving = false
        })
        while (moving) {
          const listed = (await store.listProcesses({ parentId: 'p', limit: 500 })).items.map((p) => p.id)
          listings++
          expect(listed.toSorted()).toEqual(ids.toSorted())
        }
        expect(await moved).toBe(batch.length)
      }
      expect(listings).toBeGreaterThan(6)
    } finally {
      time.restore()
      await store.dropDatabase()
      await store.close()
    }
  }, 60_000)
})
