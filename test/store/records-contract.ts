/**
 * The contract of catalogs, records and files (`store.records`, docs/catalogs.md) every adapter passes.
 * Each adapter's test file calls `recordsContract(name, makeStore)`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ProcessStore } from '../../store/port.ts'
import type { Catalog } from '../../store/records-port.ts'

export interface RecordsContractOptions {
  skip?: boolean
  dispose?: (store: ProcessStore) => Promise<void>
}

export const LEADS = {
  id: '48',
  name: 'Leads',
  fields: [
    { id: '2', name: 'Name', type: 'text', required: true },
    { id: '3', name: 'Amount', type: 'number' },
    {
      id: '4',
      name: 'Status',
      type: 'dropdown',
      config: {
        items: [
          { id: '1', name: 'New' },
          { id: '2', name: 'Won' },
          { id: '3', name: 'Lost' },
        ],
      },
    },
    { id: '5', name: 'Tags', type: 'checkboxes', config: { items: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] } },
    { id: '6', name: 'Due', type: 'date' },
    { id: '7', name: 'Phone', type: 'contact' },
    { id: '8', name: 'Vip', type: 'switch' },
    { id: '9', name: 'Rating', type: 'stars' },
    { id: '10', name: 'Owner', type: 'user' },
    { id: '11', name: 'Company', type: 'object', config: { catalogs: [{ id: '49' }] } },
    { id: '12', name: 'Done', type: 'progress' },
    { id: '13', name: 'Scan', type: 'file' },
  ],
} as const

export function recordsContract(name: string, makeStore: () => Promise<ProcessStore>, options: RecordsContractOptions = {}): void {
  describe.skipIf(options.skip)(`records contract: ${name}`, () => {
    let store: ProcessStore
    let leads: Catalog
    beforeEach(async () => {
      store = await makeStore()
      await store.records.saveCatalog({ id: '49', name: 'Companies', fields: [{ name: 'Title', type: 'text' }] })
      leads = await store.records.saveCatalog(structuredClone(LEADS) as never)
    })
    afterEach(async () => {
      if (options.dispose) await options.dispose(store)
      else await store.close()
    })

    const add = (values: Record<string, unknown>) => store.records.createRecord('48', values)

    it('keeps catalogs, numbering fields and items that have no id, and refuses a changed field type', async () => {
      expect(leads.fields.find((f) => f.id === '5')?.config?.items).toEqual([
        { name: 'a', id: '1' },
        { name: 'b', id: '2' },
        { name: 'c', id: '3' },
      ])
      const created = await store.records.saveCatalog({
        name: 'Cities',
        fields: [
          { name: 'City', type: 'text' },
          { name: 'Size', type: 'number' },
        ],
      })
      expect(created.id).toBe('50')
      expect(created.fields.map((f) => f.id)).toEqual(['1', '2'])
      expect((await store.records.listCatalogs()).map((c) => c.id)).toEqual(['48', '49', '50'])
      await expect(store.records.saveCatalog({ id: '50', name: 'Cities', fields: [{ id: '1', name: 'City', type: 'number' }] })).rejects.toMatchObject({ code: 'CATALOG_INVALID', status: 400 })
      await expect(store.records.saveCatalog({ name: 'Bad', fields: [{ name: 'x', type: 'nope' as never }] })).rejects.toMatchObject({ code: 'CATALOG_INVALID' })
      expect(await store.records.deleteCatalog('50')).toBe(true)
      expect(await store.records.getCatalog('50')).toBeNull()
    })

    it('stores records in Bpium shapes with numeric ids, a title, and merges updates', async () => {
      const company = await store.records.createRecord('49', { '1': 'Acme' })
      const file = await store.records.putFile({ name: 'scan.pdf', contentType: 'application/pdf', data: new Uint8Array([1, 2, 3]) })
      const record = await add({
        '2': 'Ann',
        '3': '12.5',
        '4': '2',
        '5': ['1', '3'],
        '6': '2024-05-01T10:00:00+03:00',
        '7': '+7 (901) 234-56-78',
        '8': true,
        '9': 4,
        '10': [{ id: '1', title: 'Victor' }],
        '11': [{ catalogId: '49', recordId: company.id }],
        '12': 50,
        '13': [{ id: file.id }],
      })
      expect(record.id).toMatch(/^\d+$/)
      expect(record.title).toBe('Ann')
      const empty = await add({ '2': 'Empty' })
      expect(empty.values).toMatchObject({ '3': null, '4': [], '6': null, '7': [], '13': [] })
      expect(record.values).toMatchObject({
        '3': 12.5,
        '4': ['2'],
        '5': ['1', '3'],
        '6': '2024-05-01T07:00:00.000Z',
        '7': [{ contact: '+7 (901) 234-56-78', comment: '' }],
        '11': [{ catalogId: '49', recordId: company.id, recordTitle: 'Acme', catalogTitle: 'Companies' }],
        '13': [{ id: file.id, title: 'scan.pdf', mimeType: 'application/pdf', size: 3, url: `/api/v1/files/${file.id}` }],
      })
      expect(await store.records.getRecord('48', record.id)).toEqual(record)
      const updated = await store.records.updateRecord('48', record.id, { '2': 'Anna', '3': null })
      expect(updated.values['4']).toEqual(['2'])
      expect(updated.values['3']).toBeNull()
      expect(updated.title).toBe('Anna')
      expect((await store.records.getRecord('48', record.id))?.values['2']).toBe('Anna')
      expect(await store.records.deleteRecord('48', record.id)).toBe(true)
      expect(await store.records.getRecord('48', record.id)).toBeNull()
      await expect(store.records.updateRecord('48', record.id, { '2': 'x' })).rejects.toMatchObject({ code: 'RECORD_NOT_FOUND', status: 404 })
      await expect(store.records.createRecord('404', {})).rejects.toMatchObject({ code: 'CATALOG_NOT_FOUND', status: 404 })
    })

    it('refuses a wrong value with an error naming the field', async () => {
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{ '2': 'A', '3': 'ten' }, /"Amount" \(3, number\)/],
        [{ '2': 'A', '4': ['9'] }, /"Status" \(4, dropdown\)/],
        [{ '2': 'A', '4': ['1', '2'] }, /expected one item/],
        [{ '2': 'A', '6': 'yesterday' }, /"Due" \(6, date\)/],
        [{ '2': 'A', '8': 'yes' }, /"Vip" \(8, switch\)/],
        [{ '2': 'A', '9': 7 }, /"Rating"/],
        [{ '2': 'A', '11': [{ catalogId: '49', recordId: '999999' }] }, /no record 999999/],
        [{ '2': 'A', '13': [{ id: 'nope' }] }, /no stored file/],
        [{ '2': 'A', '99': 1 }, /no field "99"/],
        [{ '3': 1 }, /"Name" \(2\) is required/],
      ]
      for (const [values, message] of cases) {
        await expect(add(values)).rejects.toMatchObject({ code: 'RECORD_INVALID', status: 400, message: expect.stringMatching(message) })
      }
    })

    describe('finding', () => {
      beforeEach(async () => {
        await add({ '2': 'Ann Smith', '3': 10, '4': ['1'], '5': ['1', '2'], '6': '2024-01-10T00:00:00Z', '7': [{ contact: '8-901-234-56-78', comment: 'main' }], '8': true, '9': 5, '10': ['1'] })
        await add({ '2': 'Bob', '3': 20, '4': ['2'], '5': ['2'], '6': '2024-02-10T00:00:00Z', '9': 3, '10': ['2'] })
        await add({ '2': 'Carl Smith', '3': 30, '4': ['2'], '5': ['1', '2', '3'], '7': 'carl@example.com', '8': false })
        await add({ '2': 'Dora', '4': ['3'] })
      })
      const names = async (query: Parameters<ProcessStore['records']['findRecords']>[1]) => (await store.records.findRecords('48', query)).items.map((r) => r.values['2'])

      it('lists in id order with the total, limit and offset', async () => {
        const page = await store.records.findRecords('48', { limit: 2, offset: 1 })
        expect(page.total).toBe(4)
        expect(page.items.map((r) => r.values['2'])).toEqual(['Bob', 'Carl Smith'])
        expect(await names({ sortType: -1, limit: 1 })).toEqual(['Dora'])
      })

      it('filters per field type in the array form', async () => {
        expect(await names({ filters: [{ fieldId: '2', value: 'smith' }] })).toEqual(['Ann Smith', 'Carl Smith'])
        expect(await names({ filters: [{ fieldId: '3', value: { at: 15, to: 30 } }] })).toEqual(['Bob', 'Carl Smith'])
        expect(await names({ filters: [{ fieldId: '3', value: { at: '15' } }] })).toEqual(['Bob', 'Carl Smith'])
        expect(await names({ filters: [{ fieldId: '3', value: 20 }] })).toEqual(['Bob'])
        expect(await names({ filters: [{ fieldId: '4', value: ['2', '3'] }] })).toEqual(['Bob', 'Carl Smith', 'Dora'])
        expect(await names({ filters: [{ fieldId: '5', value: ['1', '2'] }] })).toEqual(['Ann Smith', 'Carl Smith'])
        expect(await names({ filters: [{ fieldId: '6', value: { at: '2024-02-01T00:00:00Z', to: '2024-03-01T00:00:00Z' } }] })).toEqual(['Bob'])
        expect(await names({ filters: [{ fieldId: '6', value: null }] })).toEqual(['Carl Smith', 'Dora'])
        expect(await names({ filters: [{ fieldId: '7', value: '89012345678' }] })).toEqual(['Ann Smith'])
        expect(await names({ filters: [{ fieldId: '8', value: true }] })).toEqual(['Ann Smith'])
        expect(await names({ filters: [{ fieldId: '9', value: [5] }] })).toEqual(['Ann Smith'])
        expect(await names({ filters: [{ fieldId: '10', value: ['2'] }] })).toEqual(['Bob'])
        expect(
          await names({
            filters: [
              { fieldId: '4', value: ['2'] },
              { fieldId: '2', value: 'smith' },
            ],
          }),
        ).toEqual(['Carl Smith'])
      })

      it('filters in the JSON-object form with $and and $or', async () => {
        expect(await names({ filters: { '4': ['2'], '2': 'smith' } })).toEqual(['Carl Smith'])
        expect(await names({ filters: { '4': { $or: [['1'], ['3']] } } })).toEqual(['Ann Smith', 'Dora'])
        expect(await names({ filters: { '5': { $and: [['1'], ['3']] } } })).toEqual(['Carl Smith'])
        expect(await names({ filters: { $or: [{ '2': 'bob' }, { '3': { at: 25 } }] } })).toEqual(['Bob', 'Carl Smith'])
        expect(await names({ filters: { $or: [{ $and: [{ '4': ['2'] }, { '9': [3] }] }, { '4': ['3'] }] } })).toEqual(['Bob', 'Dora'])
      })

      it('searches text and contacts, sorts by a field, returns only the fields asked for', async () => {
        expect(await names({ searchText: 'SMITH' })).toEqual(['Ann Smith', 'Carl Smith'])
        expect(await names({ searchText: 'example.com' })).toEqual(['Carl Smith'])
        expect(await names({ sortField: '3', sortType: -1 })).toEqual(['Carl Smith', 'Bob', 'Ann Smith', 'Dora'])
        const page = await store.records.findRecords('48', { sortField: '2', sortType: -1, limit: 1, fields: ['3'] })
        expect(page).toMatchObject({ total: 4, items: [{ title: 'Dora' }] })
        expect(page.items[0].values).toEqual({ '3': null })
      })

      it('refuses a filter on an unknown field, naming it', async () => {
        await expect(store.records.findRecords('48', { filters: [{ fieldId: '77', value: 1 }] })).rejects.toMatchObject({
          code: 'FILTER_INVALID',
          status: 400,
          message: expect.stringContaining('"77"'),
        })
        await expect(store.records.findRecords('48', { filters: [{ fieldId: '3', value: { at: 'x' } }] })).rejects.toMatchObject({ code: 'FILTER_INVALID' })
      })

      it('keeps the index terms of an updated record current', async () => {
        const [bob] = (await store.records.findRecords('48', { filters: { '2': 'bob' } })).items
        await store.records.updateRecord('48', bob.id, { '4': ['3'] })
        expect(await names({ filters: { '4': ['2'] } })).toEqual(['Carl Smith'])
        expect(await names({ filters: { '4': ['3'] } })).toEqual(['Bob', 'Dora'])
        await store.records.deleteRecord('48', bob.id)
        expect(await names({ filters: { '4': ['3'] } })).toEqual(['Dora'])
      })
    })

    it('refuses a second record with a given id: RECORD_ID_TAKEN', async () => {
      await store.records.createRecord('48', { '2': 'A' }, { id: '500' })
      await expect(store.records.createRecord('48', { '2': 'B' }, { id: '500' })).rejects.toMatchObject({ code: 'RECORD_ID_TAKEN', status: 409 })
      expect((await store.records.getRecord('48', '500'))?.title).toBe('A')
      expect(Number((await add({ '2': 'C' })).id)).toBeGreaterThan(500)
    })

    it('imports many records at once, checked like single ones', async () => {
      const imported = await store.records.importRecords('48', [
        { '2': 'A', '4': ['1'] },
        { '2': 'B', '4': ['2'] },
      ])
      const next = await add({ '2': 'C', '4': ['1'] })
      expect(new Set([...imported.map((r) => r.id), next.id]).size).toBe(3)
      expect((await store.records.findRecords('48', { filters: { '4': ['1'] } })).items.map((r) => r.title)).toEqual(['A', 'C'])
      await expect(store.records.importRecords('48', [{ '2': 'ok' }, { '3': 'x' }])).rejects.toMatchObject({ code: 'RECORD_INVALID' })
      expect((await store.records.findRecords('48', { limit: 0 })).total).toBe(3)
    })

    it('gives concurrent creates distinct ids and keeps files byte for byte', async () => {
      const created = await Promise.all(Array.from({ length: 20 }, (_, i) => add({ '2': `R${i}` })))
      expect(new Set(created.map((r) => r.id)).size).toBe(20)
      expect((await store.records.findRecords('48', { limit: 0 })).total).toBe(20)
      const data = new Uint8Array(300_000).map((_, i) => i % 251)
      const file = await store.records.putFile({ name: 'big.bin', data })
      const read = await store.records.getFile(file.id)
      expect(read).toMatchObject({ name: 'big.bin', contentType: 'application/octet-stream', size: 300_000 })
      expect(Buffer.from(read!.data).equals(Buffer.from(data))).toBe(true)
      expect(await store.records.getFile('missing')).toBeNull()
    })
  })
}
