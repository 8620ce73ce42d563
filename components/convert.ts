import { z } from 'zod'
import { toBinary } from '../runtime/binary.ts'
import { PotokError } from '../runtime/errors.ts'
import type { Component } from '../runtime/types.ts'
import { kindOf, readContent } from './content.ts'
import { csvToJson } from './convert/csv.ts'
import { excelToJson, jsonToExcel } from './convert/excel.ts'
import { jsonToXml, xmlToJson } from './convert/xml.ts'
import { expr, variablePath } from './schema.ts'
import { runtimeLimits } from '../runtime/limits.ts'

const config = z
  .object({
    method: z.enum(['excel-json', 'json-excel', 'xml-json', 'json-xml', 'csv-json']),
    /** A binary value, a string, or a record file `{ catalogId, recordId, fieldId }`; for json-* the value itself. */
    source: expr,
    /** csv-json: `{ delimiter?, header? = true }`. */
    options: expr.optional(),
    saveTo: variablePath,
  })
  .strict()
export type ConvertConfig = z.infer<typeof config>

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/**
 * Конвертер: converts documents. `excel-json` (Bpium's shape: `excel.Лист1[0].A`), `json-excel`
 * (an .xlsx binary value), `xml-json`, `json-xml` (text), `csv-json`. Sources are bounded by
 * CONVERT_MAX_BYTES (10 MiB) and CONVERT_MAX_CELLS; a document that does not parse is
 * CONVERT_INVALID_DOCUMENT naming why (and where, for XML and CSV).
 */
export const convert: Component<ConvertConfig> = {
  type: 'convert',
  displayName: { ru: 'Конвертер', en: 'Convert' },
  kind: 'async',
  config,
  expressions: (c) => [{ path: ['source'], source: c.source }, ...(c.options ? [{ path: ['options'], source: c.options }] : [])],
  run: async (ctx) => {
    const c = ctx.config
    const [source, options] = ctx.evaluateAll(c.options ? [c.source, c.options] : [c.source])
    const { convertMaxBytes: maxBytes, convertMaxCells: maxCells } = runtimeLimits()
    const read = async () => (await readContent(source, ctx.services, 'source', 'CONVERT_INVALID_SOURCE', maxBytes)).data
    let value: unknown
    switch (c.method) {
      case 'excel-json':
        value = await excelToJson(await read(), maxCells)
        break
      case 'xml-json':
        value = xmlToJson((await read()).toString('utf8'))
        break
      case 'csv-json':
        value = csvToJson((await read()).toString('utf8'), csvOptions(options), maxCells)
        break
      case 'json-excel':
        value = toBinary(await jsonToExcel(jsonSource(source), maxCells), XLSX)
        break
      case 'json-xml':
        value = jsonToXml(jsonSource(source))
        break
    }
    return [{ path: c.saveTo, value }]
  },
}

/** json-* take the value itself, or JSON text. */
function jsonSource(source: unknown): unknown {
  if (typeof source !== 'string') return source
  try {
    return JSON.parse(source)
  } catch {
    throw new PotokError('CONVERT_INVALID_DOCUMENT', 'the source is text that is not JSON; give the value itself or JSON text')
  }
}

function csvOptions(value: unknown): { delimiter?: string; header?: boolean } {
  if (value === undefined || value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value)) throw new PotokError('CONVERT_INVALID_SOURCE', `options must be an object, not ${kindOf(value)}`)
  const { delimiter, header } = value as Record<string, unknown>
  if (delimiter !== undefined && (typeof delimiter !== 'string' || delimiter.length !== 1)) throw new PotokError('CONVERT_INVALID_SOURCE', 'options.delimiter must be one character')
  if (header !== undefined && typeof header !== 'boolean') throw new PotokError('CONVERT_INVALID_SOURCE', 'options.header must be true or false')
  return { ...(delimiter !== undefined ? { delimiter } : {}), ...(header !== undefined ? { header } : {}) }
}
