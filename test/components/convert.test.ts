/**
 * `convert` («Конвертер»): real .xlsx files built with exceljs, XML and CSV documents; Bpium's
 * excel-json shape (`excel.Лист1[0].A`); bad documents and oversized sources are component
 * errors caught by boundaries.
 */
import ExcelJS from 'exceljs'
import { describe, expect, test } from 'vitest'
import { isBinary, toBinary } from '../../runtime/binary.ts'
import { PotokError } from '../../runtime/errors.ts'
import { startProcess } from '../../runtime/process.ts'
import type { RuntimeServices, ScenarioNode } from '../../runtime/types.ts'
import { chain, withErrorBoundary } from './helpers.ts'
import { DEFAULT_RUNTIME_LIMITS, setRuntimeLimits } from '../../runtime/limits.ts'

async function workbook(): Promise<Buffer> {
  const book = new ExcelJS.Workbook()
  const first = book.addWorksheet('Лист1')
  first.getCell('A1').value = 'ячейка А1'
  first.getCell('C1').value = 'ячейка C1' // B1 left empty
  first.getCell('A2').value = 42.5
  first.getCell('B2').value = { formula: 'A2*2', result: 85 }
  first.getCell('C2').value = new Date(Date.UTC(2024, 2, 5))
  first.getCell('A4').value = true // row 3 is empty
  const second = book.addWorksheet('Orders')
  second.addRow(['sku', 'qty'])
  second.addRow(['A-1', 2])
  return Buffer.from(await book.xlsx.writeBuffer())
}

const node = (config: Record<string, unknown>): ScenarioNode => ({ id: 'conv', type: 'convert', config: { source: 'doc', saveTo: 'out', ...config } })
const run = (config: Record<string, unknown>, vars: Record<string, unknown>, services: RuntimeServices = {}) => startProcess(withErrorBoundary(node(config)), vars, { services })

describe('convert', () => {
  test("excel-json: sheets → non-empty rows keyed by column letter, as Bpium's (excel.Лист1[0].A)", async () => {
    const doc = toBinary(await workbook(), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    const result = await startProcess(
      chain([node({ method: 'excel-json', saveTo: 'excel' }), { id: 'read', type: 'setVariables', config: { assignments: [{ name: 'first', value: 'excel.Лист1[0].A' }] } }]),
      { doc },
    )
    expect(result.error).toBeNull()
    expect(result.output.excel).toEqual({
      Лист1: [{ A: 'ячейка А1', C: 'ячейка C1' }, { A: 42.5, B: 85, C: '2024-03-05T00:00:00.000Z' }, { A: true }],
      Orders: [
        { A: 'sku', B: 'qty' },
        { A: 'A-1', B: 2 },
      ],
    })
    expect(result.output.first).toBe('ячейка А1')
  })

  test('excel-json reads a record file; json-excel writes an .xlsx that reads back the same', async () => {
    const bytes = await workbook()
    const services: RuntimeServices = {
      readRecordFile: async (ref) => {
        if (ref.catalogId !== '48' || ref.recordId !== '7' || ref.fieldId !== '3') throw new PotokError('RECORD_NOT_FOUND', 'no such record')
        return { name: 'prices.xlsx', contentType: 'application/octet-stream', data: new Uint8Array(bytes) }
      },
    }
    const fromRecord = await run({ method: 'excel-json', source: "({ catalogId: '48', recordId: '7', fieldId: '3' })" }, {}, services)
    expect(fromRecord.error).toBeNull()
    expect((fromRecord.output.out as Record<string, unknown[]>).Orders).toHaveLength(2)

    const sheets = {
      Итоги: [{ A: 'Всего', B: 3 }, ['x', 1, true]],
      Headed: [
        { sku: 'A-1', qty: 2 },
        { sku: 'B-2', qty: 5 },
      ],
    }
    const written = await run({ method: 'json-excel' }, { doc: sheets })
    const file = written.output.out
    expect(isBinary(file) && file.contentType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    const back = await run({ method: 'excel-json' }, { doc: file })
    expect(back.output.out).toEqual({
      Итоги: [
        { A: 'Всего', B: 3 },
        { A: 'x', B: 1, C: true },
      ],
      Headed: [
        { A: 'sku', B: 'qty' },
        { A: 'A-1', B: 2 },
        { A: 'B-2', B: 5 },
      ],
    })
  })

  test("xml-json in Bpium's shape (text values, attributes under $), json-xml back", async () => {
    const xml = '<?xml version="1.0"?><CAT id="7"><NAME>Izzy</NAME><AGE>6</AGE><TAG>a</TAG><TAG>b</TAG><NOTE lang="ru">кот &amp; мышь</NOTE></CAT>'
    const parsed = await run({ method: 'xml-json' }, { doc: xml })
    expect(parsed.output.out).toEqual({ '?xml': { $: { version: '1.0' } }, CAT: { $: { id: '7' }, NAME: 'Izzy', AGE: '6', TAG: ['a', 'b'], NOTE: { $: { lang: 'ru' }, _: 'кот & мышь' } } })
    const built = await run({ method: 'json-xml' }, { doc: { order: { $: { id: '1' }, item: ['a', 'b'], note: 'x < y' } } })
    expect(built.output.out).toBe('<order id="1">\n  <item>a</item>\n  <item>b</item>\n  <note>x &lt; y</note>\n</order>\n')
    const binary = await run({ method: 'xml-json' }, { doc: toBinary(Buffer.from('<a>1</a>'), 'application/xml') })
    expect(binary.output.out).toEqual({ a: '1' })
  })

  test('csv-json: header row, delimiter guessed or given, letters without a header', async () => {
    expect((await run({ method: 'csv-json' }, { doc: '\uFEFFsku;qty\nA-1;2\n"B;2";5\n' })).output.out).toEqual([
      { sku: 'A-1', qty: '2' },
      { sku: 'B;2', qty: '5' },
    ])
    expect((await run({ method: 'csv-json', options: "({ header: false, delimiter: ',' })" }, { doc: 'a,b\n1,2' })).output.out).toEqual([
      { A: 'a', B: 'b' },
      { A: '1', B: '2' },
    ])
  })

  test.each([
    ['random bytes as a workbook', { method: 'excel-json' }, { doc: toBinary(Buffer.from('not a zip at all')) }, 'CONVERT_INVALID_DOCUMENT', /not an Excel workbook/],
    ['broken XML, with its place', { method: 'xml-json' }, { doc: '<a>\n<b></a>' }, 'CONVERT_INVALID_DOCUMENT', /not well-formed XML: .*line 2/],
    ['an entity bomb', { method: 'xml-json' }, { doc: '<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><x>&b;</x>' }, 'CONVERT_INVALID_DOCUMENT', /declare entities/],
    ['an unclosed CSV quote', { method: 'csv-json' }, { doc: 'a,b\n"1,2' }, 'CONVERT_INVALID_DOCUMENT', /not valid CSV/],
    ['a source of the wrong kind', { method: 'xml-json' }, { doc: 42 }, 'CONVERT_INVALID_SOURCE', /source must be a binary value, a string, or a record file/],
    ['json-excel of a list', { method: 'json-excel' }, { doc: [1, 2] }, 'CONVERT_INVALID_DOCUMENT', /object of sheets/],
    ['json-xml of text that is not JSON', { method: 'json-xml' }, { doc: '<a/>' }, 'CONVERT_INVALID_DOCUMENT', /not JSON/],
    ['a record file without a records host', { method: 'excel-json', source: "({ catalogId: '1', recordId: '2', fieldId: '3' })" }, {}, 'CONVERT_INVALID_SOURCE', /no record files/],
  ])('%s is a component error caught by a boundary', async (_name, config, vars, code, message) => {
    const result = await run(config, vars)
    expect(result.status).toBe('completed')
    expect(result.output.err).toMatchObject({ code, message: expect.stringMatching(message) })
  })

  test('sources over CONVERT_MAX_BYTES and sheets over CONVERT_MAX_CELLS are refused', async () => {
    setRuntimeLimits({ convertMaxBytes: 100 })
    try {
      const big = await run({ method: 'csv-json' }, { doc: 'x'.repeat(101) })
      expect(big.output.err).toMatchObject({ code: 'CONVERT_INVALID_SOURCE', message: expect.stringContaining('over the limit of 100') })
    } finally {
      setRuntimeLimits({ convertMaxBytes: DEFAULT_RUNTIME_LIMITS.convertMaxBytes })
    }
    setRuntimeLimits({ convertMaxCells: 5 })
    try {
      const cells = await run({ method: 'excel-json' }, { doc: toBinary(await workbook()) })
      expect(cells.output.err).toMatchObject({ code: 'CONVERT_TOO_LARGE' })
    } finally {
      setRuntimeLimits({ convertMaxCells: DEFAULT_RUNTIME_LIMITS.convertMaxCells })
    }
  })
})
