/**
 * «Конвертер» (`connectorId` `convertDoc`) ↔ potok's `convert`. Bpium's own parameter names for
 * this connector have not been seen in a file; potok writes `method` (list), `source`
 * (expression), `options` and the output slot `output`, and reads those back — and, from Bpium
 * files, the conversion under `method`, `type` or `convertType` (any value naming excel/xml and
 * json), the source under `source` or `content`, or a record's file under `catalogId`,
 * `recordId`, `fieldId`. Whatever it cannot place is reported by parameter name.
 */
import type { ConvertConfig } from '../components/convert.ts'
import { constantOf, expressionOf, listParam, outputParam, scriptParam, type TaskParams } from './params.ts'
import type { XmlNode } from './xml.ts'

type Warn = (message: string) => void

const METHODS = ['excel-json', 'json-excel', 'xml-json', 'json-xml', 'csv-json']

function methodOf(text: string | undefined): string | undefined {
  if (!text) return undefined
  const value = text.toLowerCase().replace(/[\s_>→]+/g, '-')
  if (METHODS.includes(value)) return value
  const from = ['excel', 'xlsx', 'xml', 'csv', 'json']
    .map((kind) => [kind, value.indexOf(kind)] as const)
    .filter(([, at]) => at >= 0)
    .sort((a, b) => a[1] - b[1])
  const names = from.map(([kind]) => (kind === 'xlsx' ? 'excel' : kind))
  const guess = names.length >= 2 ? `${names[0]}-${names[1]}` : undefined
  return guess && METHODS.includes(guess) ? guess : undefined
}

export function importConvert(p: TaskParams, warn: Warn): Record<string, unknown> {
  const input = (name: string) => p.inputs.get(name)
  const used = new Set<string>()
  const take = (name: string) => {
    used.add(name)
    return input(name)
  }
  const methodParam = ['method', 'type', 'convertType'].find((name) => input(name))
  const methodText = methodParam ? constantOf(take(methodParam)) : undefined
  const config: Record<string, unknown> = {}
  const method = methodOf(methodText)
  if (method) config.method = method
  else config.method = methodText ? `unsupported: ${methodText.slice(0, 40)}` : '' // validation names it
  if (!method && methodText) warn(`conversion "${methodText.slice(0, 40)}" is not one potok has (excel-json, json-excel, xml-json, json-xml, csv-json); HTML → PDF is not supported`)

  const source = expressionOf(take('source')) ?? expressionOf(take('content'))
  if (source !== undefined) config.source = source
  else if (input('catalogId') || input('recordId') || input('fieldId')) {
    const part = (name: string) => expressionOf(take(name)) ?? "''"
    config.source = `({ catalogId: ${part('catalogId')}, recordId: ${part('recordId')}, fieldId: ${part('fieldId')} })`
  } else {
    config.source = ''
    if (input('url')) {
      used.add('url')
      warn('a source by URL is not fetched by convert: fetch the file with a webRequest (responseFormat binary) and convert its body')
    }
  }
  const options = expressionOf(take('options'))
  if (options !== undefined) config.options = options
  for (const name of p.inputs.keys()) if (!used.has(name)) warn(`parameter "${name}" is not one potok knows for «Конвертер»: left out`)
  const saveTo = p.outputs.find((o) => o.name)?.name
  if (saveTo) config.saveTo = saveTo
  return config
}

export function exportConvert(c: ConvertConfig): XmlNode[] {
  const out: XmlNode[] = [listParam('method', [c.method]), scriptParam('source', c.source)]
  if (c.options) out.push(scriptParam('options', c.options))
  out.push(outputParam(c.saveTo, 'output'))
  return out
}
