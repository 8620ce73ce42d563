/**
 * The connections part of the store (docs/connections.md) on both adapters: SQLite always, MongoDB (or
 * FerretDB) when MONGODB_URI is set. The store keeps what it is given — sealed secrets stay
 * sealed text, environment references stay references.
 */
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { MongoStore } from '../../store/mongo.ts'
import type { ConnectionRecord, ProcessStore } from '../../store/port.ts'
import { SqliteStore } from '../../store/sqlite.ts'

const uri = process.env.MONGODB_URI
const run = randomBytes(4).toString('hex')

const adapters: Array<{ name: string; skip: boolean; open: () => Promise<ProcessStore>; dispose: (store: ProcessStore) => Promise<void> }> = [
  {
    name: 'sqlite',
    skip: false,
    open: async () => {
      const store = new SqliteStore({ filename: ':memory:' })
      await store.init()
      return store
    },
    dispose: (store) => store.close(),
  },
  {
    name: 'mongodb',
    skip: !uri,
    open: async () => {
      const store = new MongoStore({ uri: uri!, dbName: `potok_test_conn_${run}` })
      await store.init()
      return store
    },
    dispose: async (store) => {
      await (store as MongoStore).dropDatabase()
      await store.close()
    },
  },
]

const record = (id: string, extra: Partial<ConnectionRecord> = {}): ConnectionRecord => ({
  id,
  name: `Connection ${id}`,
  type: 'smtp',
  config: { host: 'smtp.example.com', port: 465, secure: true, user: 'robot@example.com' },
  secrets: { password: { sealed: 'v1.aaaa.bbbb.cccc' } },
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...extra,
})

for (const adapter of adapters) {
  describe.skipIf(adapter.skip)(`connections store (${adapter.name})`, () => {
    it('creates, lists by id, gets, replaces and deletes; a taken id is CONFLICT', async () => {
      const store = await adapter.open()
      try {
        expect(await store.listConnections()).toEqual([])
        await store.createConnection(record('mail'))
        await store.createConnection(record('api', { type: 'http', config: { scheme: 'bearer' }, secrets: { token: { env: 'API_TOKEN' } } }))
        await expect(store.createConnection(record('mail'))).rejects.toMatchObject({ code: 'CONFLICT', status: 409 })
        expect((await store.listConnections()).map((c) => c.id)).toEqual(['api', 'mail'])
        expect(await store.getConnection('api')).toEqual(record('api', { type: 'http', config: { scheme: 'bearer' }, secrets: { token: { env: 'API_TOKEN' } } }))

        const changed = record('mail', { name: 'Mail robot', config: { host: 'smtp2.example.com', port: 587 }, secrets: {}, updatedAt: '2026-02-01T00:00:00.000Z' })
        expect(await store.replaceConnection(changed)).toEqual(changed)
        expect(await store.getConnection('mail')).toEqual(changed)
        expect(await store.replaceConnection(record('absent'))).toBeNull()
        expect(await store.getConnection('absent')).toBeNull()

        expect(await store.deleteConnection('mail')).toBe(true)
        expect(await store.deleteConnection('mail')).toBe(false)
        expect((await store.listConnections()).map((c) => c.id)).toEqual(['api'])
      } finally {
        await adapter.dispose(store)
      }
    })

    it('keeps keys that look like operators or prototypes as plain data', async () => {
      const store = await adapter.open()
      try {
        const odd = record('odd', { config: { $where: 'x', 'a.b': 1, __proto__: { polluted: true } } as Record<string, unknown> })
        await store.createConnection(odd)
        const back = await store.getConnection('odd')
        expect(back?.config).toEqual({ $where: 'x', 'a.b': 1 })
        expect(({} as Record<string, unknown>).polluted).toBeUndefined()
      } finally {
        await adapter.dispose(store)
      }
    })
  })
}
