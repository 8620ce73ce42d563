/**
 * FLOWS_DIR/catalogs/*.json (docs/catalogs.md): validated all at once (a bad file refuses the start with
 * every problem listed), upserted, and seeded without duplicating or undoing anything on restart.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { SqliteStore } from '../../store/sqlite.ts'
import { loadCatalogs } from '../../server/flow-catalogs.ts'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function catalogsDir(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'potok-catalogs-'))
  dirs.push(dir)
  mkdirSync(join(dir, 'catalogs'))
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, 'catalogs', name), typeof content === 'string' ? content : JSON.stringify(content))
  return join(dir, 'catalogs')
}

const cities = { id: 'cities', name: 'Cities', fields: [{ id: '1', name: 'City', type: 'text' }], records: [{ id: '10', values: { 1: 'Moscow' } }, { values: { 1: 'Tver' } }] }

describe('FLOWS_DIR/catalogs', () => {
  it('upserts catalogs and seeds records once; a restart keeps changes and adds nothing', async () => {
    const store = new SqliteStore({ filename: ':memory:' })
    await store.init()
    const dir = catalogsDir({ 'cities.json': cities })
    expect((await loadCatalogs(store, dir)).map((c) => c.id)).toEqual(['cities'])
    expect((await store.records.findRecords('cities')).items.map((r) => r.title)).toEqual(['Moscow', 'Tver'])
    await store.records.updateRecord('cities', '10', { 1: 'Moskva' })
    writeFileSync(join(dir, 'cities.json'), JSON.stringify({ ...cities, name: 'Towns' }))
    await loadCatalogs(store, dir)
    expect((await store.records.getCatalog('cities'))?.name).toBe('Towns')
    expect((await store.records.findRecords('cities')).items.map((r) => r.title)).toEqual(['Moskva', 'Tver'])
    await store.close()
  })

  it('refuses the start listing every problem of every file', async () => {
    const store = new SqliteStore({ filename: ':memory:' })
    await store.init()
    const dir = catalogsDir({
      'a.json': '{ not json',
      'b.json': { id: 'b', name: 'B', fields: [{ name: 'x', type: 'colour' }] },
      'c.json': { id: 'c', name: 'C', events: [{ on: 'create', phase: 'after', scenarioId: 'nope' }] },
      'd.json': { id: 'd', name: 'D', fields: [{ id: '1', name: 'N', type: 'number' }], records: [{ values: { 1: 'many' } }] },
    })
    const error = await loadCatalogs(store, dir).catch((e) => e)
    expect(error.code).toBe('INVALID_FLOWS')
    expect(error.message).toMatch(/a\.json: \(root\): not valid JSON/)
    expect(error.message).toMatch(/b\.json: fields\.0\.type/)
    expect(error.message).toMatch(/c\.json: events\.0\.scenarioId: there is no scenario "nope"/)
    const seeds = await loadCatalogs(store, catalogsDir({ 'd.json': { id: 'd', name: 'D', fields: [{ id: '1', name: 'N', type: 'number' }], records: [{ values: { 1: 'many' } }] } })).catch((e) => e)
    expect(seeds.message).toMatch(/d\.json: records\.0: field "N" \(1, number\)/)
    await store.close()
  })
})
