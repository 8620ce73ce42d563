import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { registerComponents } from '../../components/index.ts'
import { startProcess } from '../../runtime/process.ts'
import type { Scenario } from '../../runtime/types.ts'
import { SqliteStore } from '../../store/sqlite.ts'
import { finishedRecord } from '../../store/process-record.ts'
import { openStore } from '../../store/index.ts'
import { storeContract } from './contract.ts'
import { recordsContract } from './records-contract.ts'

const dirs: string[] = []
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'potok-store-'))
  dirs.push(dir)
  return dir
}

storeContract('sqlite (:memory:)', async () => {
  const store = new SqliteStore({ filename: ':memory:' })
  await store.init()
  return store
})

storeContract('sqlite (file, WAL)', async () => {
  const store = new SqliteStore({ dataDir: join(tempDir(), 'nested', 'data') })
  await store.init()
  return store
})

recordsContract('sqlite', async () => {
  const store = new SqliteStore({ filename: ':memory:' })
  await store.init()
  return store
})

describe('sqlite store file', () => {
  it('creates <dataDir>/potok.sqlite in WAL mode and keeps data across reopen', async () => {
    const dir = join(tempDir(), 'data')
    const store = await openStore({ dataDir: dir, mongodbUri: '' }) // '' = no MongoDB even when MONGODB_URI is set
    expect(store.kind).toBe('sqlite')
    expect(existsSync(join(dir, 'potok.sqlite'))).toBe(true)
    await store.saveScenario({ id: 's', nodes: [], edges: [] })
    await store.close()

    const again = new SqliteStore({ dataDir: dir })
    await again.init()
    expect((await again.getScenario('s'))?.version).toBe(1)
    await again.close()
  })

  it('reports a closed store as STORE_ERROR', async () => {
    const store = new SqliteStore({ filename: ':memory:' })
    await expect(store.ping()).rejects.toMatchObject({ code: 'STORE_ERROR', status: 503 })
  })
})

describe('sqlite group commit', () => {
  const record = (id: string) => ({
    id,
    scenario: { id: 's', version: 1 },
    trigger: { type: '$webRequest', id: 'w', async: false },
    status: 'queued' as const,
    input: {},
    startedAt: new Date().toISOString(),
  })

  it('commits writes of one tick together, rejecting only the failing one', async () => {
    const store = new SqliteStore({ filename: ':memory:' })
    await store.init()
    await store.createProcess(record('taken'))
    const results = await Promise.allSettled([
      store.createProcess(record('a')),
      store.createProcess(record('taken')),
      store.updateProcess('missing', { status: 'failed' }),
      store.recordProcess({ ...record('b'), status: 'completed' }, [{ index: 0, nodeId: 'start', type: 'start', startedAt: 'x', status: 'completed' }]),
      store.updateProcess('a', { status: 'running' }),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled', 'fulfilled'])
    expect(results[1]).toMatchObject({ reason: { code: 'CONFLICT', status: 409 } })
    expect(results[2]).toMatchObject({ reason: { code: 'NOT_FOUND', status: 404 } })
    expect((await store.getProcess('a'))?.status).toBe('running')
    expect((await store.getProcess('b', { steps: true }))?.steps?.length).toBe(1)
    await store.close()
  })

  it('applies operations in call order even when writes are not awaited', async () => {
    const store = new SqliteStore({ filename: ':memory:' })
    await store.init()
    const created = store.createProcess(record('p'))
    const claimed = await store.claimProcesses('owner', 60_000, 5)
    expect(claimed.map((p) => p.id)).toEqual(['p'])
    await created
    const updated = store.updateProcess('p', { snapshot: { at: 1 } })
    expect((await store.getProcess('p'))?.snapshot).toEqual({ at: 1 })
    await updated
    const pending = store.createProcess(record('q'))
    await store.close()
    await pending
    const reopened = store
    await expect(reopened.getProcess('q')).rejects.toMatchObject({ code: 'STORE_ERROR' })
  })

  it('serves claims and lease renewals from indexes, never a scan of the processes', async () => {
    const store = new SqliteStore({ filename: ':memory:' })
    await store.init()
    const [due, expired, renew] = store.leasePlans()
    expect(due).toMatch(/USING (COVERING )?INDEX processes_due/)
    expect(expired).toMatch(/USING (COVERING )?INDEX processes_lease/)
    expect(renew).toMatch(/USING (INDEX sqlite_autoindex_processes_1|COVERING INDEX|INDEX processes_id)|PRIMARY KEY/)
    for (const plan of [due, expired, renew]) expect(plan).not.toMatch(/SCAN processes(?! USING)/)
    await store.close()
  })
})

/** A database file as the store creates it (then closed), and better-sqlite3 to open it raw. */
async function freshDatabase() {
  const dir = tempDir()
  const store = new SqliteStore({ dataDir: dir })
  await store.init()
  await store.close()
  const { default: Database } = await import('better-sqlite3')
  return { dir, Database }
}

describe('sqlite compact record', () => {
  it('writes a recorded process as one row, its steps inside it, its snapshot without the variables', async () => {
    const dir = tempDir()
    const store = new SqliteStore({ dataDir: dir })
    await store.init()
    const vars = { body: { text: 'x'.repeat(1000) }, $body: { ok: true } }
    const steps = [0, 1, 2].map((index) => ({ index, nodeId: `n${index}`, type: 'setVariables', startedAt: 'x', status: 'completed' as const }))
    await store.recordProcess(
      {
        id: 'compact',
        scenario: { id: 's', version: 1 },
        trigger: { type: '$webRequest', id: 'w', async: false },
        status: 'completed',
        input: { body: vars.body },
        output: vars,
        startedAt: new Date().toISOString(),
        snapshot: { status: 'done', value: 'completed', context: { pid: 'compact', vars, stepCount: 3 } },
      },
      steps,
    )
    await store.close()
    const { default: Database } = await import('better-sqlite3')
    const db = new Database(join(dir, 'potok.sqlite'), { readonly: true })
    const row = db.prepare('SELECT seq, snapshot FROM processes WHERE id = ?').get('compact') as { seq: number; snapshot: string }
    expect(row.snapshot).not.toContain('xxxx')
    expect(db.prepare('SELECT COUNT(*) FROM steps WHERE process_seq = ?').pluck().get(row.seq)).toBe(0)
    expect(JSON.parse(db.prepare('SELECT steps FROM processes WHERE id = ?').pluck().get('compact') as string)).toEqual(steps)
    db.close()
    const again = new SqliteStore({ dataDir: dir })
    await again.init()
    const read = await again.getProcess('compact', { steps: true })
    expect(read?.snapshot).toEqual({ status: 'done', value: 'completed', context: { pid: 'compact', vars, stepCount: 3 } })
    expect(read?.steps).toEqual(steps)
    await again.close()
  })

  it('recording a process written before replaces its steps, rows of step-by-step writes included', async () => {
    const store = new SqliteStore({ dataDir: tempDir() })
    await store.init()
    const base = { id: 'again', scenario: { id: 's', version: 1 }, trigger: { type: '$webRequest' as const, id: 'w', async: false }, input: {}, startedAt: new Date().toISOString() }
    const step = (index: number, nodeId: string) => ({ index, nodeId, type: 'setVariables', startedAt: 'x', status: 'completed' as const })
    await store.createProcess({ ...base, status: 'running' })
    await store.updateProcess('again', { status: 'running' }, [step(0, 'old0'), step(1, 'old1'), step(2, 'old2')])
    expect((await store.getProcess('again', { steps: true }))?.steps?.map((s) => s.nodeId)).toEqual(['old0', 'old1', 'old2'])
    await store.recordProcess({ ...base, status: 'completed', output: { done: true } }, [step(0, 'new0'), step(1, 'new1')])
    const read = await store.getProcess('again', { steps: true })
    expect(read?.status).toBe('completed')
    expect(read?.steps?.map((s) => s.nodeId)).toEqual(['new0', 'new1'])
    // A later step-by-step write (a resume) adds to the recorded steps and replaces its index.
    await store.updateProcess('again', { status: 'running' }, [step(1, 'resumed1'), step(2, 'resumed2')])
    expect((await store.getProcess('again', { steps: true }))?.steps?.map((s) => s.nodeId)).toEqual(['new0', 'resumed1', 'resumed2'])
    await store.close()
  })

  it('lists walk an index that ends with started_at and sort only the processes of one instant by id', async () => {
    const { dir, Database } = await freshDatabase()
    const db = new Database(join(dir, 'potok.sqlite'), { readonly: true })
    const plan = (where: string) =>
      (db.prepare(`EXPLAIN QUERY PLAN SELECT id FROM processes ${where} ORDER BY started_at DESC, id DESC LIMIT 21`).all() as Array<{ detail: string }>).map((row) => row.detail).join(' | ')
    for (const [where, index] of [
      ['', 'processes_started'],
      ["WHERE status = 'failed'", 'processes_status'],
      ["WHERE scenario_id = 's'", 'processes_scenario'],
      ["WHERE trigger_id = 'w'", 'processes_trigger'],
      ["WHERE scenario_id = 's' AND (started_at < 'x' OR (started_at = 'x' AND id < 'y'))", 'processes_scenario'],
    ]) {
      expect(plan(where)).toContain(`USING INDEX ${index}`)
      // Sorted per instant as the index is walked: no sort of every matching row before the LIMIT.
      expect(plan(where)).toContain('USE TEMP B-TREE FOR LAST TERM OF ORDER BY')
    }
    db.close()
  })

  it('opens a database made before steps were kept in the row: adds the column, reads old and new records', async () => {
    const { dir, Database } = await freshDatabase()
    // The layout of the release before: no steps column, a record's steps in one row of `steps` (index -1).
    const db = new Database(join(dir, 'potok.sqlite'))
    db.exec('ALTER TABLE processes DROP COLUMN steps')
    const seq = db
      .prepare(
        `INSERT INTO processes (id, status, scenario_id, scenario_version, started_at, trigger, input) VALUES ('old', 'completed', 's', 1, ?, '{"type":"$webRequest","id":"w","async":false}', '{}') RETURNING seq`,
      )
      .pluck()
      .get(new Date().toISOString()) as number
    db.prepare('INSERT INTO steps (process_seq, idx, doc) VALUES (?, -1, ?)').run(seq, JSON.stringify([{ index: 0, nodeId: 'a', type: 'setVariables', startedAt: 'x', status: 'completed' }]))
    db.close()
    const reopened = new SqliteStore({ dataDir: dir })
    await reopened.init()
    expect((await reopened.getProcess('old', { steps: true }))?.steps?.map((s) => s.nodeId)).toEqual(['a'])
    const step = { index: 0, nodeId: 'b', type: 'setVariables', startedAt: 'x', status: 'completed' as const }
    await reopened.recordProcess(
      { id: 'new', scenario: { id: 's', version: 1 }, trigger: { type: '$webRequest', id: 'w', async: false }, status: 'completed', input: {}, startedAt: new Date().toISOString() },
      [step],
    )
    expect((await reopened.getProcess('new', { steps: true }))?.steps).toEqual([step])
    await reopened.close()
  })

  it("stores an ended process's variables once: the engine's final snapshot carries them twice (its context and its output)", async () => {
    registerComponents()
    const greet = JSON.parse(readFileSync(new URL('../../flows/greet.json', import.meta.url), 'utf8')) as Scenario
    const input = { body: { name: 'y'.repeat(2000), n: 1 } }
    const result = await startProcess(greet, input)
    expect(result.status).toBe('completed')
    const snapshot = result.snapshot as { output?: unknown; context?: unknown }
    expect(snapshot.output).toBe(snapshot.context)
    const dir = tempDir()
    const store = new SqliteStore({ dataDir: dir })
    await store.init()
    const trigger = { type: '$webRequest' as const, id: 'greet', async: false }
    await store.recordProcess(finishedRecord(result, { scenario: { id: 'greet', version: 1 }, trigger, input, response: { status: 201, headers: {}, body: null } }), result.steps)
    await store.close()
    const { default: Database } = await import('better-sqlite3')
    const db = new Database(join(dir, 'potok.sqlite'), { readonly: true })
    const row = db.prepare('SELECT input, output, snapshot FROM processes').get() as Record<string, string>
    db.close()
    expect(row.snapshot).not.toContain('yyyy')
    expect(row.snapshot.length).toBeLessThan(500)
    // The output keeps only what the scenario set; the body it was built on is read from the input.
    expect(row.output.startsWith('~')).toBe(true)
    expect(row.output).not.toContain('"body"')
    expect(JSON.parse(row.output.slice(1))).toEqual({ $status: 201, $headers: { 'X-Flow': 'yes' }, $body: { greeting: `Hello, ${input.body.name}`, next: 2 } })
    const again = new SqliteStore({ dataDir: dir })
    await again.init()
    const read = await again.getProcess(result.processId)
    expect(read?.snapshot).toEqual(result.snapshot)
    expect(JSON.stringify(read?.output)).toBe(JSON.stringify(result.output))
    const back = read!.snapshot as { output?: unknown; context?: unknown }
    expect(back.output).toEqual(back.context)
    await again.close()
  })
})
