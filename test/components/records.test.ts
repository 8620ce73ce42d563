/**
 * The data actions run by the runtime against a real store (SQLite in memory) through the
 * server's services: each component's config shapes and its own error codes, which an error
 * boundary catches; and what they do without a host that provides catalogs.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { startProcess } from '../../runtime/process.ts'
import { SqliteStore } from '../../store/sqlite.ts'
import type { RuntimeServices, ScenarioNode } from '../../runtime/types.ts'
import { processServices } from '../../server/serve.ts'
import { chain, withErrorBoundary } from './helpers.ts'

let store: SqliteStore
let services: RuntimeServices
beforeEach(async () => {
  store = new SqliteStore({ filename: ':memory:' })
  await store.init()
  services = processServices(store)
  await store.records.saveCatalog({
    id: '7',
    name: 'Tasks',
    fields: [
      { id: '1', name: 'Title', type: 'text' },
      { id: '2', name: 'Done', type: 'switch' },
      { id: '3', name: 'File', type: 'file' },
    ],
  })
  await store.records.importRecords('7', [
    { 1: 'a', 2: true },
    { 1: 'b', 2: false },
    { 1: 'c', 2: true },
  ])
})
afterEach(async () => {
  await store.close()
})

const node = (type: string, config: Record<string, unknown>): ScenarioNode => ({ id: 'act', type, config })
/** Runs one action; with `caught`, behind an error boundary writing the code to `code`. */
async function run(action: ScenarioNode, input: Record<string, unknown> = {}, caught = false) {
  const scenario = caught ? withErrorBoundary(action) : chain([action])
  return startProcess(scenario, input, { services })
}

describe('data actions', () => {
  test('findRecords: filters as pairs or JSON text, an expression for fields, limit and offset; countTo', async () => {
    const pairs = await run(node('findRecords', { catalogId: '7', filters: [{ fieldId: '2', value: 'true' }], fields: 'wanted', limit: 'n', offset: 1, saveTo: 'found', countTo: 'count' }), {
      wanted: ['1'],
      n: 5,
    })
    expect(pairs.error).toBeNull()
    expect(pairs.output.count).toBe(2)
    expect((pairs.output.found as any[]).map((r) => r.values)).toEqual([{ 1: 'c' }])
    const json = await run(node('findRecords', { catalogId: "'7'", filtersJson: 'text', sortField: '1', sortType: -1, saveTo: 'found' }), { text: '{"2": false}' })
    expect((json.output.found as any[]).map((r) => r.title)).toEqual(['b'])
  })

  test('their errors carry their own codes, for an error boundary', async () => {
    const cases: Array<[ScenarioNode, string, Record<string, unknown>?]> = [
      [node('getRecord', { catalogId: '7', recordId: '999', saveTo: 'r' }), 'RECORD_NOT_FOUND'],
      [node('getRecord', { catalogId: 'nothing', recordId: '1', saveTo: 'r' }), 'CATALOG_NOT_FOUND', { nothing: null }],
      [node('catalogStructure', { catalogId: "'nope'", saveTo: 'c' }), 'CATALOG_NOT_FOUND'],
      [node('createRecord', { catalogId: '7', values: [{ fieldId: '2', value: "'yes'" }] }), 'RECORD_INVALID'],
      [node('createRecord', { catalogId: '7', valuesJson: '[1, 2]' }), 'RECORD_INVALID'],
      [node('updateRecord', { catalogId: '7', recordId: '999', values: [] }), 'RECORD_NOT_FOUND'],
      [node('deleteRecord', { catalogId: '7', recordId: '999' }), 'RECORD_NOT_FOUND'],
      [node('findRecords', { catalogId: '7', filters: [{ fieldId: '9', value: '1' }], saveTo: 'f' }), 'FILTER_INVALID'],
      [node('findRecords', { catalogId: '7', viewId: "'12'", saveTo: 'f' }), 'VIEW_UNSUPPORTED'],
      [node('fileUpload', { source: { content: '({})', name: "'x'" }, saveTo: 'f' }), 'FILE_INVALID'],
    ]
    for (const [action, code, input] of cases) {
      const result = await run(action, input, true)
      expect(result.status, `${action.type} → ${code}`).toBe('completed')
      expect((result.output.err as { code?: string })?.code, `${action.type} → ${code}`).toBe(code)
    }
  })

  test('createRecord with a templated field id; updateRecord merges; fileUpload stores content on its own or in the record', async () => {
    const created = await run(node('createRecord', { catalogId: '7', values: [{ fieldId: '${field}', value: "'templated'" }], saveTo: 'id' }), { field: '1' })
    const id = created.output.id as string
    expect((await store.records.getRecord('7', id))?.values).toMatchObject({ 1: 'templated', 2: null, 3: [] })
    await run(node('updateRecord', { catalogId: '7', recordId: 'id', valuesJson: '({ 2: true })' }), { id })
    expect((await store.records.getRecord('7', id))?.values).toMatchObject({ 1: 'templated', 2: true })
    const alone = await run(node('fileUpload', { source: { content: "'hello'", name: "'a.txt'" }, fileIdTo: 'fileId', urlTo: 'url' }))
    expect(alone.output.url).toBe(`/api/v1/files/${alone.output.fileId}`)
    expect(Buffer.from((await store.records.getFile(alone.output.fileId as string))!.data).toString()).toBe('hello')
    const inRecord = await run(node('fileUpload', { source: { content: 'bytes', name: "'b.bin'" }, catalogId: '7', recordId: 'id', fieldId: '3', saveTo: 'file' }), {
      id,
      bytes: { $binary: Buffer.from([1, 2, 3]).toString('base64'), contentType: 'application/x-test' },
    })
    expect(inRecord.output.file).toMatchObject({ title: 'b.bin', mimeType: 'application/x-test', size: 3 })
    expect((await store.records.getRecord('7', id))?.values['3']).toEqual([inRecord.output.file])
  })

  test('without a host providing catalogs they fail with RECORDS_UNAVAILABLE', async () => {
    const result = await startProcess(withErrorBoundary(node('getRecord', { catalogId: '7', recordId: '1', saveTo: 'r' })), {}, {})
    expect((result.output.err as { code?: string }).code).toBe('RECORDS_UNAVAILABLE')
  })
})
