/**
 * Catalogs and records through a real server (docs/catalogs.md): the API, files, the example flows
 * (the Tilda-style web form and the `after update` event), data actions in scenarios with their
 * error codes caught by boundaries, `before` events refusing and changing writes, and the bound
 * on event loops.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { errorOf, FIXTURES, sleep, startServer, type TestServer } from './helpers.ts'

const start = { id: 'start', type: 'start' }
const end = { id: 'end', type: 'end' }

const RECORD_FIXTURES: Record<string, unknown> = {
  ...FIXTURES,
  'data-actions': {
    id: 'data-actions',
    description: 'Creates, finds, reads, updates and deletes a record of catalog 48; then reads the deleted one (caught: RECORD_NOT_FOUND).',
    nodes: [
      start,
      {
        id: 'create',
        type: 'createRecord',
        config: {
          catalogId: "'48'",
          values: [
            { fieldId: '2', value: 'body.name' },
            { fieldId: '${"5"}', value: "['2']" },
            { fieldId: '8', value: '100' },
          ],
          saveTo: 'id',
        },
      },
      {
        id: 'find',
        type: 'findRecords',
        config: {
          catalogId: '48',
          filters: [
            { fieldId: '5', value: "['2']" },
            { fieldId: '2', value: 'body.name' },
          ],
          fields: ['2'],
          saveTo: 'found',
          countTo: 'count',
        },
      },
      { id: 'get', type: 'getRecord', config: { catalogId: '48', recordId: 'id', saveTo: 'record' } },
      { id: 'update', type: 'updateRecord', config: { catalogId: '48', recordId: 'id', valuesJson: "({ 8: record.values['8'] * 2 })", saveTo: 'updated' } },
      { id: 'delete', type: 'deleteRecord', config: { catalogId: '48', recordId: 'id' } },
      { id: 'again', type: 'getRecord', config: { catalogId: '48', recordId: 'id', saveTo: 'gone' } },
      { id: 'missing', type: 'errorBoundary', attachedTo: 'again', config: { codeTo: 'code' } },
      { id: 'answer', type: 'setVariables', config: { assignments: [{ name: '$body', value: "({ id, found, count, title: record.title, amount: updated.values['8'], code })" }] } },
      end,
    ],
    edges: [
      { from: 'start', to: 'create' },
      { from: 'create', to: 'find' },
      { from: 'find', to: 'get' },
      { from: 'get', to: 'update' },
      { from: 'update', to: 'delete' },
      { from: 'delete', to: 'again' },
      { from: 'again', to: 'answer' },
      { from: 'missing', to: 'answer' },
      { from: 'answer', to: 'end' },
    ],
    webrequests: [{ urlId: 'data-actions', name: 'Data actions' }],
  },
  'add-note': {
    id: 'add-note',
    description: 'Creates a record in the "Notes" catalog from the posted JSON; the error code when that fails.',
    nodes: [
      start,
      { id: 'create', type: 'createRecord', config: { catalogId: "'notes'", valuesJson: 'body', saveTo: 'id' } },
      { id: 'failed', type: 'errorBoundary', attachedTo: 'create', config: { codeTo: 'code', messageTo: 'message' } },
      { id: 'ok', type: 'setVariables', config: { assignments: [{ name: '$body', value: '({ id })' }] } },
      {
        id: 'bad',
        type: 'setVariables',
        config: {
          assignments: [
            { name: '$status', value: '409' },
            { name: '$body', value: '({ code, message })' },
          ],
        },
      },
      end,
      { id: 'end2', type: 'end' },
    ],
    edges: [
      { from: 'start', to: 'create' },
      { from: 'create', to: 'ok' },
      { from: 'ok', to: 'end' },
      { from: 'failed', to: 'bad' },
      { from: 'bad', to: 'end2' },
    ],
    webrequests: [{ urlId: 'add-note', name: 'Add a note' }],
  },
  'note-guard': {
    id: 'note-guard',
    description: 'before create/update of a note: refuses "forbidden" text (403), upper-cases the title.',
    nodes: [
      start,
      {
        id: 'check',
        type: 'setVariables',
        config: {
          assignments: [
            { name: '$status', value: "allValues['1'] === 'forbidden' ? 403 : 200" },
            { name: '$body', value: "allValues['1'] === 'forbidden' ? { message: 'no forbidden notes', event: event.type } : { values: { 1: String(allValues['1']).toUpperCase() } }" },
          ],
        },
      },
      end,
    ],
    edges: [
      { from: 'start', to: 'check' },
      { from: 'check', to: 'end' },
    ],
  },
  'note-loop': {
    id: 'note-loop',
    description: 'after update of a note: updates the same note again — a loop potok must bound.',
    nodes: [start, { id: 'again', type: 'updateRecord', config: { catalogId: 'catalogId', recordId: 'recordId', values: [{ fieldId: '2', value: "(allValues['2'] || 0) + 1" }] } }, end],
    edges: [
      { from: 'start', to: 'again' },
      { from: 'again', to: 'end' },
    ],
  },
  'attach-file': {
    id: 'attach-file',
    description: 'Creates a document record and downloads body.url into its file field (fileUpload); the error code when that fails.',
    nodes: [
      start,
      { id: 'create', type: 'createRecord', config: { catalogId: "'docs'", values: [{ fieldId: '1', value: 'body.title' }], saveTo: 'id' } },
      { id: 'upload', type: 'fileUpload', config: { source: { url: 'body.url' }, catalogId: "'docs'", recordId: 'id', fieldId: '2', saveTo: 'file', urlTo: 'url' } },
      { id: 'failed', type: 'errorBoundary', attachedTo: 'upload', config: { codeTo: 'code' } },
      { id: 'ok', type: 'setVariables', config: { assignments: [{ name: '$body', value: '({ id, file, url })' }] } },
      {
        id: 'bad',
        type: 'setVariables',
        config: {
          assignments: [
            { name: '$status', value: '502' },
            { name: '$body', value: '({ id, code })' },
          ],
        },
      },
      end,
      { id: 'end2', type: 'end' },
    ],
    edges: [
      { from: 'start', to: 'create' },
      { from: 'create', to: 'upload' },
      { from: 'upload', to: 'ok' },
      { from: 'ok', to: 'end' },
      { from: 'failed', to: 'bad' },
      { from: 'bad', to: 'end2' },
    ],
    webrequests: [{ urlId: 'attach-file', name: 'Attach a file' }],
  },
}

let server: TestServer
beforeAll(async () => {
  server = await startServer({ maxFileBytes: 64 * 1024 }, RECORD_FIXTURES)
})
afterAll(async () => {
  await server?.close()
})

const json = async (response: Response) => ({ status: response.status, body: (await response.json()) as any })

async function waitFor<T>(check: () => Promise<T | undefined | null | false>, ms = 5000): Promise<T> {
  const until = Date.now() + ms
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > until) throw new Error('timed out waiting')
    await sleep(50)
  }
}

describe('catalogs API', () => {
  it('loads FLOWS_DIR/catalogs with its seed records and lists catalogs, admin only', async () => {
    expect((await server.api('GET', '/api/v1/catalogs', undefined, null)).status).toBe(401)
    const { body } = await json(await server.api('GET', '/api/v1/catalogs'))
    expect(body.items.map((c: any) => c.id)).toContain('48')
    const { body: leads } = await json(await server.api('GET', '/api/v1/catalogs/48'))
    expect(leads.events).toEqual([{ on: 'update', phase: 'after', scenarioId: 'lead-closed' }])
    const { body: seeded } = await json(await server.api('GET', '/api/v1/catalogs/48/records/1'))
    expect(seeded).toMatchObject({ id: '1', catalogId: '48', title: 'Анна (пример)', values: { '5': ['1'], '8': 1500 } })
    expect((await errorOf(await server.api('GET', '/api/v1/catalogs/nope'))).code).toBe('CATALOG_NOT_FOUND')
  })

  it('creates, replaces and deletes a catalog; refuses a duplicate, an invalid one and an unknown event scenario', async () => {
    const created = await json(await server.api('POST', '/api/v1/catalogs', { id: 'tmp', name: 'Temp', fields: [{ name: 'A', type: 'text' }] }))
    expect(created.status).toBe(201)
    expect(created.body.fields[0].id).toBe('1')
    expect((await server.api('POST', '/api/v1/catalogs', { id: 'tmp', name: 'Temp' })).status).toBe(409)
    const bad = await server.api('POST', '/api/v1/catalogs', { name: 'Bad', fields: [{ name: 'x', type: 'colour' }] })
    expect(bad.status).toBe(400)
    expect((await errorOf(bad)).code).toBe('CATALOG_INVALID')
    const unknown = await server.api('PUT', '/api/v1/catalogs/tmp', { name: 'Temp', events: [{ on: 'create', phase: 'after', scenarioId: 'nope' }] })
    expect(unknown.status).toBe(422)
    const replaced = await json(
      await server.api('PUT', '/api/v1/catalogs/tmp', {
        name: 'Temp 2',
        fields: [
          { id: '1', name: 'A', type: 'text' },
          { name: 'B', type: 'number' },
        ],
      }),
    )
    expect(replaced.body.fields.map((f: any) => f.id)).toEqual(['1', '2'])
    expect((await server.api('DELETE', '/api/v1/catalogs/tmp')).status).toBe(204)
    expect((await server.api('DELETE', '/api/v1/catalogs/tmp')).status).toBe(404)
  })

  it('creates, reads, patches, finds and deletes records with Bpium filters in both forms', async () => {
    await server.api('POST', '/api/v1/catalogs', {
      id: 'cities',
      name: 'Cities',
      fields: [
        { id: '1', name: 'City', type: 'text' },
        { id: '2', name: 'People', type: 'number' },
        {
          id: '3',
          name: 'Kind',
          type: 'dropdown',
          config: {
            items: [
              { id: '1', name: 'Capital' },
              { id: '2', name: 'Town' },
            ],
          },
        },
      ],
    })
    const made = []
    for (const [city, people, kind] of [
      ['Moscow', 13, '1'],
      ['Tver', 0.4, '2'],
      ['Kazan', 1.3, '2'],
    ] as const) {
      const { status, body } = await json(await server.api('POST', '/api/v1/catalogs/cities/records', { values: { 1: city, 2: people, 3: [kind] } }))
      expect(status).toBe(201)
      made.push(body)
    }
    const invalid = await server.api('POST', '/api/v1/catalogs/cities/records', { values: { 2: 'many' } })
    expect(invalid.status).toBe(400)
    expect(await errorOf(invalid)).toMatchObject({ code: 'RECORD_INVALID', details: { fieldId: '2', fieldName: 'People' } })

    const find = async (query: string) => json(await server.api('GET', `/api/v1/catalogs/cities/records?${query}`))
    const towns = await find(`filters=${encodeURIComponent(JSON.stringify({ 3: ['2'] }))}&sortField=2&sortType=-1&fields=${encodeURIComponent('["1"]')}`)
    expect(towns.body).toEqual({ total: 2, items: [expect.objectContaining({ title: 'Kazan', values: { 1: 'Kazan' } }), expect.objectContaining({ title: 'Tver', values: { 1: 'Tver' } })] })
    const bracket = await find('filters[0][fieldId]=2&filters[0][value][at]=1&filters[0][value][to]=20&limit=1&offset=1')
    expect(bracket.body.total).toBe(2)
    expect(bracket.body.items.map((r: any) => r.title)).toEqual(['Kazan'])
    expect((await find('searchText=tv')).body.items.map((r: any) => r.title)).toEqual(['Tver'])
    expect((await errorOf(await server.api('GET', '/api/v1/catalogs/cities/records?filters=%7Bbad'))).code).toBe('INVALID_QUERY')
    expect((await errorOf(await server.api('GET', `/api/v1/catalogs/cities/records?filters=${encodeURIComponent('[{"fieldId":"9","value":1}]')}`))).code).toBe('FILTER_INVALID')

    const patched = await json(await server.api('PATCH', `/api/v1/catalogs/cities/records/${made[1].id}`, { values: { 2: 0.5 } }))
    expect(patched.body.values).toEqual({ 1: 'Tver', 2: 0.5, 3: ['2'] })
    expect((await server.api('DELETE', `/api/v1/catalogs/cities/records/${made[1].id}`)).status).toBe(204)
    expect((await errorOf(await server.api('GET', `/api/v1/catalogs/cities/records/${made[1].id}`))).code).toBe('RECORD_NOT_FOUND')
    expect((await errorOf(await server.api('PATCH', `/api/v1/catalogs/cities/records/${made[1].id}`, { values: {} }))).code).toBe('RECORD_NOT_FOUND')
  })

  it('stores files, serves them with the admin token, bounds them by MAX_FILE_BYTES', async () => {
    const bytes = new Uint8Array(5000).map((_, i) => i % 256)
    const upload = await server.call('/api/v1/files?name=scan.pdf', { method: 'POST', headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/pdf' }, body: bytes })
    expect(upload.status).toBe(201)
    const file = (await upload.json()) as any
    expect(file).toMatchObject({ name: 'scan.pdf', contentType: 'application/pdf', size: 5000 })
    expect((await server.call(`/api/v1/files/${file.id}`)).status).toBe(401)
    const download = await server.api('GET', `/api/v1/files/${file.id}`)
    expect(download.headers.get('content-type')).toBe('application/pdf')
    expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true)
    const big = await server.call('/api/v1/files?name=big', { method: 'POST', headers: { authorization: `Bearer ${server.token}` }, body: new Uint8Array(65 * 1024) })
    expect(big.status).toBe(413)
    expect((await errorOf(big)).code).toBe('FILE_TOO_LARGE')
    expect((await errorOf(await server.api('GET', '/api/v1/files/nope'))).code).toBe('FILE_NOT_FOUND')
  })
})

describe('example flows', () => {
  const form = (fields: Record<string, string>) =>
    server.call('/api/webrequest/web-form', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() })

  it('web form: answers the test=test probe without a record, then creates one from fields keyed by field id', async () => {
    const before = (await json(await server.api('GET', '/api/v1/catalogs/48/records?limit=0'))).body.total
    const probe = await form({ test: 'test' })
    expect(probe.status).toBe(200)
    expect(await probe.text()).toBe('ok')
    expect((await json(await server.api('GET', '/api/v1/catalogs/48/records?limit=0'))).body.total).toBe(before)

    const created = await json(await form({ 2: 'Иван', 3: '+7 (999) 111-22-33', 4: 'ivan@example.com', 5: 'В работе', 8: '2500,50', formid: 'form1', tranid: '1:2' }))
    expect(created.status).toBe(201)
    const { body: record } = await json(await server.api('GET', `/api/v1/catalogs/48/records/${created.body.recordId}`))
    expect(record.values).toMatchObject({ 2: 'Иван', 3: [{ contact: '+7 (999) 111-22-33', comment: '' }], 4: 'ivan@example.com', 5: ['2'], 8: 2500.5 })
    const byPhone = await json(await server.api('GET', `/api/v1/catalogs/48/records?filters=${encodeURIComponent(JSON.stringify({ 3: '89991112233'.slice(1) }))}`))
    expect(byPhone.body.items.map((r: any) => r.id)).toEqual([created.body.recordId])

    const missingName = await json(await form({ 4: 'x@example.com' }))
    expect(missingName).toMatchObject({ status: 422, body: { error: 'RECORD_INVALID' } })
  })

  it('after update: closing a lead queues a process that stamps the time, linked to the record', async () => {
    const { body: lead } = await json(await server.api('POST', '/api/v1/catalogs/48/records', { values: { 2: 'Пётр', 5: ['2'] } }))
    const patched = await json(await server.api('PATCH', `/api/v1/catalogs/48/records/${lead.id}`, { values: { 5: ['3'] } }))
    expect(patched.body.values['7']).toBeNull()
    const stamped = await waitFor(async () => {
      const { body } = await json(await server.api('GET', `/api/v1/catalogs/48/records/${lead.id}`))
      return body.values['7'] ? body : null
    })
    expect(Date.parse(stamped.values['7'])).toBeGreaterThan(Date.now() - 60_000)
    const processes = await waitFor(async () => {
      const list = (await server.processes()).filter((p) => p.trigger.type === '$dataChange' && p.trigger.id === `48/${lead.id}`)
      return list.length === 2 && list.every((p) => p.status === 'completed') ? list : null
    })
    for (const p of processes) {
      expect(p.trigger).toMatchObject({ async: true, record: { catalogId: '48', recordId: lead.id, event: 'after.update' } })
      expect(p.input).toMatchObject({ event: { type: '$record.after.update', async: true }, script: { id: 'lead-closed' }, user: { id: null }, catalogId: '48', recordId: lead.id })
    }
    const first = processes.find((p) => (p.input.values as any)['5'])!
    expect(first.input).toMatchObject({ values: { 5: ['3'] }, prevValues: { 5: ['2'] }, allValues: { 2: 'Пётр', 5: ['3'] } })

    // The same values again change nothing: no after-update process.
    await server.api('PATCH', `/api/v1/catalogs/48/records/${lead.id}`, { values: { 5: ['3'] } })
    await sleep(300)
    expect((await server.processes()).filter((p) => p.trigger.id === `48/${lead.id}`)).toHaveLength(2)
  })
})

describe('files of records', () => {
  it('fileUpload downloads into a file field; readRecordFile gives the bytes back; MAX_FILE_BYTES bounds it', async () => {
    expect(
      (
        await server.api('POST', '/api/v1/catalogs', {
          id: 'docs',
          name: 'Docs',
          fields: [
            { id: '1', name: 'Title', type: 'text' },
            { id: '2', name: 'Scan', type: 'file' },
          ],
        })
      ).status,
    ).toBe(201)
    const pdf = Buffer.from('%PDF-1.4 fake scan')
    const upstream = createServer((req, res) => {
      if (req.url === '/scan.pdf') res.writeHead(200, { 'content-type': 'application/pdf' }).end(pdf)
      else res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.alloc(100 * 1024))
    })
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
    const base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`
    try {
      const post = (body: unknown) => server.call('/api/webrequest/attach-file', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      const { status, body } = await json(await post({ title: 'Scan', url: `${base}/scan.pdf` }))
      expect(status).toBe(200)
      expect(body.file).toMatchObject({ title: 'scan.pdf', mimeType: 'application/pdf', size: pdf.length })
      expect(body.url).toBe(`/api/v1/files/${body.file.id}`)
      const { body: record } = await json(await server.api('GET', `/api/v1/catalogs/docs/records/${body.id}`))
      expect(record.values['2']).toEqual([body.file])
      const read = await server.context.services!.readRecordFile!({ catalogId: 'docs', recordId: body.id, fieldId: '2' })
      expect(read.name).toBe('scan.pdf')
      expect(read.contentType).toBe('application/pdf')
      expect(Buffer.from(read.data).equals(pdf)).toBe(true)
      await expect(server.context.services!.readRecordFile!({ catalogId: 'docs', recordId: body.id, fieldId: '2', index: 3 })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' })

      const big = await json(await post({ title: 'Big', url: `${base}/big.bin` }))
      expect(big).toMatchObject({ status: 502, body: { code: 'FILE_TOO_LARGE' } })
      const { body: bigRecord } = await json(await server.api('GET', `/api/v1/catalogs/docs/records/${big.body.id}`))
      expect(bigRecord.values['2']).toEqual([])
    } finally {
      await new Promise((resolve) => upstream.close(resolve))
    }
  })
})

describe('example flows: finding and archiving a lead', () => {
  it('lead-find finds by phone in any format and reads the first match; 404 when none', async () => {
    await server.api('POST', '/api/v1/catalogs/48/records', { values: { 2: 'Ольга', 3: '+7 (912) 555-44-33', 5: ['2'] } })
    const found = await json(await server.call(`/api/webrequest/lead-find?phone=${encodeURIComponent('(912) 555 44 33')}`))
    expect(found.status).toBe(200)
    expect(found.body).toMatchObject({ count: 1, names: ['Ольга'], lead: { values: { 2: 'Ольга', 5: ['2'] } } })
    expect((await json(await server.call('/api/webrequest/lead-find?phone=9125554433&status=3'))).status).toBe(404)
  })

  it('lead-archive saves a lead as a JSON file in its record, then deletes the record', async () => {
    const { body: lead } = await json(await server.api('POST', '/api/v1/catalogs/48/records', { values: { 2: 'Архив', 8: 10 } }))
    const post = (body: unknown) => server.call('/api/webrequest/lead-archive', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    const archived = await json(await post({ recordId: lead.id }))
    expect(archived.status).toBe(200)
    expect(archived.body).toMatchObject({ archived: lead.id, file: { title: `lead-${lead.id}.json`, mimeType: 'application/json' } })
    expect(JSON.parse(await (await server.api('GET', archived.body.file.url)).text())).toMatchObject({ 2: 'Архив', 8: 10 })
    expect((await server.api('GET', `/api/v1/catalogs/48/records/${lead.id}`)).status).toBe(404)
    expect(await json(await post({ recordId: lead.id }))).toMatchObject({ status: 404, body: { error: 'RECORD_NOT_FOUND' } })
  })
})

describe('data actions in scenarios', () => {
  it('create, find, get, update, delete; a missing record is RECORD_NOT_FOUND for the error boundary', async () => {
    const { status, body } = await json(
      await server.call('/api/webrequest/data-actions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Zed Unique' }) }),
    )
    expect(status).toBe(200)
    expect(body).toMatchObject({ count: 1, title: 'Zed Unique', amount: 200, code: 'RECORD_NOT_FOUND' })
    expect(body.found).toEqual([expect.objectContaining({ id: body.id, values: { 2: 'Zed Unique' } })])
  })

  it('before events refuse a write with their status and $body, or change its values; loops stop at MAX_SUBPROCESS_DEPTH', async () => {
    const catalog = {
      name: 'Notes',
      fields: [
        { id: '1', name: 'Text', type: 'text' },
        { id: '2', name: 'Edits', type: 'number' },
      ],
      events: [
        { on: 'create', phase: 'before', scenarioId: 'note-guard' },
        { on: 'update', phase: 'before', scenarioId: 'note-guard' },
      ],
    }
    expect((await server.api('POST', '/api/v1/catalogs', { id: 'notes', ...catalog })).status).toBe(201)
    const refused = await server.api('POST', '/api/v1/catalogs/notes/records', { values: { 1: 'forbidden' } })
    expect(refused.status).toBe(403)
    expect(await refused.json()).toEqual({ message: 'no forbidden notes', event: '$record.before.create' })
    const { body: note } = await json(await server.api('POST', '/api/v1/catalogs/notes/records', { values: { 1: 'hello' } }))
    expect(note.values['1']).toBe('HELLO')

    const viaScenario = await json(await server.call('/api/webrequest/add-note', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ 1: 'forbidden' }) }))
    expect(viaScenario).toMatchObject({ status: 409, body: { code: 'RECORD_CHANGE_REFUSED', message: 'no forbidden notes' } })

    await server.api('PUT', '/api/v1/catalogs/notes', { ...catalog, events: [{ on: 'update', phase: 'after', scenarioId: 'note-loop' }] })
    await server.api('PATCH', `/api/v1/catalogs/notes/records/${note.id}`, { values: { 2: 0 } })
    const loop = await waitFor(async () => {
      const list = (await server.processes()).filter((p) => p.scenario.id === 'note-loop')
      return list.some((p) => p.status === 'failed') && list.every((p) => p.status === 'completed' || p.status === 'failed') ? list : null
    }, 15_000)
    const failed = loop.filter((p) => p.status === 'failed')
    expect(failed).toHaveLength(1)
    expect(failed[0].error?.code).toBe('SUBPROCESS_DEPTH')
    // An API write starts events at depth 0; depths 0..8 (MAX_SUBPROCESS_DEPTH 8) run, the one at 8 may not go deeper.
    expect(loop.length).toBe(9)
    const { body: after } = await json(await server.api('GET', `/api/v1/catalogs/notes/records/${note.id}`))
    expect(after.values['2']).toBe(8)
  })
})
