/**
 * CSV for `convert` (csv-parse). The first row names the columns (`header: false` keys rows by
 * column letter instead, like excel-json); the delimiter is `,`, `;` or tab, guessed from the
 * first line unless given. A byte-order mark is dropped.
 */
import { parse } from 'csv-parse/sync'
import { PotokError } from '../../runtime/errors.ts'
import { columnLetter } from './excel.ts'

export interface CsvOptions {
  delimiter?: string
  header?: boolean
}

export function csvToJson(text: string, options: CsvOptions, maxCells: number): Array<Record<string, string>> {
  const delimiter = options.delimiter ?? guessDelimiter(text)
  let rows: string[][]
  try {
    rows = parse(text, { delimiter, bom: true, skip_empty_lines: true, relax_column_count: true }) as string[][]
  } catch (error) {
    throw new PotokError('CONVERT_INVALID_DOCUMENT', `the source is not valid CSV: ${(error as Error).message}`)
  }
  const cells = rows.reduce((sum, row) => sum + row.length, 0)
  if (cells > maxCells) throw new PotokError('CONVERT_TOO_LARGE', `the CSV has more than ${maxCells} cells (CONVERT_MAX_CELLS)`, { details: { limit: maxCells } })
  const header = options.header === false ? null : (rows.shift() ?? [])
  return rows.map((row) => Object.fromEntries(row.map((value, i) => [header ? (header[i] ?? columnLetter(i + 1)) : columnLetter(i + 1), value])))
}

function guessDelimiter(text: string): string {
  const first = text.slice(0, text.search(/\r?\n|$/))
  const counts = [',', ';', '\t'].map((d) => [d, first.split(d).length - 1] as const)
  return counts.reduce((best, next) => (next[1] > best[1] ? next : best))[0]
}
