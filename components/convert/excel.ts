/**
 * Spreadsheets for `convert` (exceljs). `excel-json` gives Bpium's shape: an object keyed by
 * sheet name, each sheet a list of its non-empty rows, each row keyed by column letter with
 * only the filled cells (`excel.Лист1[0].A`). `json-excel` is the way back.
 */
import ExcelJS from 'exceljs'
import { PotokError } from '../../runtime/errors.ts'

type Row = Record<string, unknown>

/** Cell values as JSON: formulas give their result, rich text and links their text, dates ISO strings. */
function plain(value: ExcelJS.CellValue): unknown {
  if (value === null || value === undefined) return undefined
  if (value instanceof Date) return value.toISOString()
  if (typeof value !== 'object') return value
  if ('result' in value) return plain(value.result as ExcelJS.CellValue)
  if ('richText' in value) return value.richText.map((part) => part.text).join('')
  if ('text' in value) return plain(value.text as ExcelJS.CellValue)
  if ('error' in value) return value.error
  return undefined
}

export async function excelToJson(data: Buffer, maxCells: number): Promise<Record<string, Row[]>> {
  const workbook = new ExcelJS.Workbook()
  try {
    await workbook.xlsx.load(data as unknown as ExcelJS.Buffer)
  } catch (error) {
    throw new PotokError('CONVERT_INVALID_DOCUMENT', `the source is not an Excel workbook (.xlsx): ${(error as Error).message}`)
  }
  const sheets: Record<string, Row[]> = {}
  let cells = 0
  for (const sheet of workbook.worksheets) {
    const rows: Row[] = []
    sheet.eachRow({ includeEmpty: false }, (row) => {
      const out: Row = {}
      row.eachCell({ includeEmpty: false }, (cell) => {
        if (++cells > maxCells) throw new PotokError('CONVERT_TOO_LARGE', `the workbook has more than ${maxCells} cells (CONVERT_MAX_CELLS)`, { details: { limit: maxCells } })
        const value = plain(cell.value)
        if (value !== undefined) out[columnLetter(Number(cell.col))] = value
      })
      if (Object.keys(out).length) rows.push(out)
    })
    sheets[sheet.name] = rows
  }
  return sheets
}

/**
 * `{ Sheet: [row, …] }` to an .xlsx file. A row is a list (columns A, B, C…) or an object keyed
 * by column letters; an object with other keys puts them in a header row (first row's keys).
 */
export async function jsonToExcel(value: unknown, maxCells: number): Promise<Buffer> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PotokError('CONVERT_INVALID_DOCUMENT', 'json-excel needs an object of sheets: { "Лист1": [ { A: …, B: … }, … ] }')
  }
  const workbook = new ExcelJS.Workbook()
  let cells = 0
  for (const [name, rows] of Object.entries(value)) {
    if (!Array.isArray(rows)) throw new PotokError('CONVERT_INVALID_DOCUMENT', `sheet "${name}" must be a list of rows`)
    let sheet: ExcelJS.Worksheet
    try {
      sheet = workbook.addWorksheet(name)
    } catch (error) {
      throw new PotokError('CONVERT_INVALID_DOCUMENT', `sheet name "${name}" cannot be used: ${(error as Error).message}`)
    }
    const header = headerOf(rows)
    if (header) sheet.addRow(header)
    rows.forEach((row, r) => {
      const cellsOf: Array<[string, unknown]> = Array.isArray(row)
        ? row.map((v, i) => [columnLetter(i + 1), v])
        : typeof row === 'object' && row !== null
          ? Object.entries(row).map(([key, v]) => [header ? columnLetter(header.indexOf(key) + 1) : key, v])
          : []
      if (!cellsOf.length && (typeof row !== 'object' || row === null)) throw new PotokError('CONVERT_INVALID_DOCUMENT', `sheet "${name}" row ${r + 1} must be a list or an object`)
      const target = sheet.getRow((header ? 1 : 0) + r + 1)
      for (const [column, v] of cellsOf) {
        if (++cells > maxCells) throw new PotokError('CONVERT_TOO_LARGE', `more than ${maxCells} cells (CONVERT_MAX_CELLS)`, { details: { limit: maxCells } })
        target.getCell(column).value = cellValue(v)
      }
    })
  }
  return Buffer.from(await workbook.xlsx.writeBuffer())
}

/** The header row when rows are objects with keys other than column letters, else null. */
function headerOf(rows: unknown[]): string[] | null {
  const objects = rows.filter((row): row is Row => typeof row === 'object' && row !== null && !Array.isArray(row))
  const keys = [...new Set(objects.flatMap((row) => Object.keys(row)))]
  if (!keys.length || keys.every((key) => /^[A-Z]{1,3}$/.test(key))) return null
  return keys
}

function cellValue(v: unknown): ExcelJS.CellValue {
  if (v === null || v === undefined) return null
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v
  return JSON.stringify(v)
}

/** 1 → A, 27 → AA. */
export function columnLetter(n: number): string {
  let letters = ''
  for (let rest = n; rest > 0; rest = Math.floor((rest - 1) / 26)) letters = String.fromCharCode(65 + ((rest - 1) % 26)) + letters
  return letters
}
