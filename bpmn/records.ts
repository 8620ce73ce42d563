/**
 * Bpium's data actions ↔ potok's record components, in Bpium's own parameters (read from the
 * public Bpium/docs scenario files):
 *
 * - every one: `catalogFormat` (list: `catalog` — `catalogId` holds the id — or `var` —
 *   `catalogIdFromVar` holds an expression);
 * - `bpiumAdd` / `bpiumEdit`: `recordId` (edit), `format` (list: `keyvalue` — `values1`, a map of
 *   field id = expression — or `json` — `values2`, one expression), output slot `output`;
 * - `bpiumGetRecord`: `recordId`, `fieldsFormat` (list: `all` / `specified`), `fieldsSpecified`
 *   (an expression giving field ids), output `output`;
 * - `bpiumFindRecords`: `viewId`, `filtersFormat` (`keyvalue` → `filters` map / `json` →
 *   `filtersJson`), `sortField` (const: a field id or `id`), `sortType` (list: 1 / -1),
 *   `fieldsFormat` / `fieldsSpecified`, `limit`, `offset`, outputs `output` and `outputCount`;
 * - `bpiumGetCatalog`: output `output`;
 * - `bpiumFileUpload`: `file_format` (list: `url` → `file_url` / `data` → `file_data`),
 *   `file_name`, `output_format` (list: `fileId` returns the file, `record` puts it into
 *   `output_catalogId` / `output_recordId` / `output_fieldId`), outputs `output_fileId`,
 *   `output_url`, `output`; potok's `contentType` and `timeoutMs` travel as extra parameters;
 * - the delete action: connector `bpiumDelete` (an assumption: no public file shows its id),
 *   `recordId`.
 */
import type { CreateRecordConfig } from '../components/createRecord.ts'
import type { FileUploadConfig } from '../components/fileUpload.ts'
import type { FindRecordsConfig } from '../components/findRecords.ts'
import type { GetRecordConfig } from '../components/getRecord.ts'
import type { UpdateRecordConfig } from '../components/updateRecord.ts'
import { constantOf, expressionOf, listParam, mapParam, namedOf, outputParam, scriptParam, type TaskParams } from './params.ts'
import type { XmlNode } from './xml.ts'

type Warn = (message: string) => void
type Config = Record<string, unknown>

/** Bpium connector id → potok type. */
export const RECORD_CONNECTORS: Record<string, string> = {
  bpiumGetRecord: 'getRecord',
  bpiumFindRecords: 'findRecords',
  bpiumAdd: 'createRecord',
  bpiumEdit: 'updateRecord',
  bpiumDelete: 'deleteRecord',
  bpiumGetCatalog: 'catalogStructure',
  bpiumFileUpload: 'fileUpload',
}
const CONNECTOR_OF = Object.fromEntries(Object.entries(RECORD_CONNECTORS).map(([connector, type]) => [type, connector]))

// ——— import ———

function catalogOf(p: TaskParams): string {
  const from = constantOf(p.inputs.get('catalogFormat'))
  const value = from === 'var' ? p.inputs.get('catalogIdFromVar') : p.inputs.get('catalogId')
  return expressionOf(value) ?? ''
}

function pairsOf(p: TaskParams, name: string, warn: Warn): Array<{ fieldId: string; value: string }> | undefined {
  const { items, isMap } = namedOf(p.inputs.get(name))
  if (!isMap) return undefined
  const pairs = []
  for (const item of items) {
    if (item.value === undefined) warn(`field "${item.name}" has no value: left out`)
    else pairs.push({ fieldId: item.name, value: item.value })
  }
  return pairs
}

function outputOf(p: TaskParams, slot: string): string | undefined {
  return p.outputs.find((o) => o.slot === slot && o.name)?.name
}

function fieldsOf(p: TaskParams): string[] | string | undefined {
  if (constantOf(p.inputs.get('fieldsFormat')) !== 'specified') return undefined
  const source = expressionOf(p.inputs.get('fieldsSpecified'))
  if (source === undefined) return undefined
  try {
    const list = JSON.parse(source)
    if (Array.isArray(list) && list.every((f) => typeof f === 'string' || typeof f === 'number')) return list.map(String)
  } catch {
    // an expression, kept as one
  }
  return source
}

function numberOrExpression(p: TaskParams, name: string): number | string | undefined {
  const source = expressionOf(p.inputs.get(name))
  return source !== undefined && /^\d+$/.test(source.trim()) ? Number(source) : source
}

function put(config: Config, key: string, value: unknown): void {
  if (value !== undefined) config[key] = value
}

function importValues(p: TaskParams, config: Config, warn: Warn): void {
  if (constantOf(p.inputs.get('format')) === 'json') put(config, 'valuesJson', expressionOf(p.inputs.get('values2')))
  else put(config, 'values', pairsOf(p, 'values1', warn))
}

/** The potok node type and config of a Bpium data action, or null for another connector. */
export function importRecordAction(p: TaskParams, warn: Warn): { type: string; config: Config } | null {
  const type = RECORD_CONNECTORS[p.connectorId ?? '']
  if (!type) return null
  const config: Config = {}
  const recordId = () => put(config, 'recordId', expressionOf(p.inputs.get('recordId')) ?? '')
  if (type !== 'fileUpload') config.catalogId = catalogOf(p)
  switch (type) {
    case 'createRecord':
      importValues(p, config, warn)
      put(config, 'saveTo', outputOf(p, 'output'))
      break
    case 'updateRecord':
      recordId()
      importValues(p, config, warn)
      put(config, 'saveTo', outputOf(p, 'output'))
      break
    case 'deleteRecord':
      recordId()
      break
    case 'getRecord':
      recordId()
      put(config, 'fields', fieldsOf(p))
      put(config, 'saveTo', outputOf(p, 'output') ?? '')
      break
    case 'catalogStructure':
      put(config, 'saveTo', outputOf(p, 'output') ?? '')
      break
    case 'findRecords': {
      put(config, 'viewId', expressionOf(p.inputs.get('viewId')))
      if (constantOf(p.inputs.get('filtersFormat')) === 'json') put(config, 'filtersJson', expressionOf(p.inputs.get('filtersJson')))
      else put(config, 'filters', pairsOf(p, 'filters', warn))
      put(config, 'searchText', expressionOf(p.inputs.get('searchText')))
      put(config, 'sortField', constantOf(p.inputs.get('sortField')))
      const sortType = constantOf(p.inputs.get('sortType'))
      put(config, 'sortType', sortType === undefined ? undefined : Number(sortType))
      put(config, 'fields', fieldsOf(p))
      put(config, 'limit', numberOrExpression(p, 'limit'))
      put(config, 'offset', numberOrExpression(p, 'offset'))
      put(config, 'saveTo', outputOf(p, 'output') ?? '')
      put(config, 'countTo', outputOf(p, 'outputCount'))
      break
    }
    case 'fileUpload':
      return { type, config: importFileUpload(p) }
  }
  return { type, config }
}

function importFileUpload(p: TaskParams): Config {
  const config: Config = {}
  const name = expressionOf(p.inputs.get('file_name'))
  if (constantOf(p.inputs.get('file_format')) === 'data') {
    const source: Config = { content: expressionOf(p.inputs.get('file_data')) ?? '', name: name ?? "'file'" }
    put(source, 'contentType', expressionOf(p.inputs.get('file_contentType')))
    config.source = source
  } else {
    config.source = name === undefined ? { url: expressionOf(p.inputs.get('file_url')) ?? '' } : { url: expressionOf(p.inputs.get('file_url')) ?? '', name }
  }
  if (constantOf(p.inputs.get('output_format')) === 'record') {
    config.catalogId = expressionOf(p.inputs.get('output_catalogId')) ?? ''
    config.recordId = expressionOf(p.inputs.get('output_recordId')) ?? ''
    config.fieldId = constantOf(p.inputs.get('output_fieldId')) ?? ''
  }
  const timeoutMs = constantOf(p.inputs.get('timeoutMs'))
  if (timeoutMs !== undefined) config.timeoutMs = /^\d+$/.test(timeoutMs) ? Number(timeoutMs) : timeoutMs
  put(config, 'saveTo', outputOf(p, 'output'))
  put(config, 'fileIdTo', outputOf(p, 'output_fileId'))
  put(config, 'urlTo', outputOf(p, 'output_url'))
  return config
}

// ——— export ———

function catalogParams(catalogId: string): XmlNode[] {
  // A literal id is chosen «from the list», as Bpium writes it; anything else «through a variable».
  return /^\d+$/.test(catalogId.trim())
    ? [listParam('catalogFormat', ['catalog']), scriptParam('catalogId', catalogId), scriptParam('catalogIdFromVar', '')]
    : [listParam('catalogFormat', ['var']), scriptParam('catalogId', ''), scriptParam('catalogIdFromVar', catalogId)]
}

function valueParams(c: { values?: CreateRecordConfig['values']; valuesJson?: string }): XmlNode[] {
  if (c.valuesJson !== undefined) return [listParam('format', ['json']), listParam('values1', []), scriptParam('values2', c.valuesJson)]
  const values = (c.values ?? []).map((pair) => ({ name: pair.fieldId, value: pair.value }))
  return [listParam('format', ['keyvalue']), c.values ? mapParam('values1', values) : listParam('values1', []), scriptParam('values2', '')]
}

function fieldsParams(fields: string[] | string | undefined): XmlNode[] {
  if (fields === undefined) return [listParam('fieldsFormat', ['all']), scriptParam('fieldsSpecified', '')]
  return [listParam('fieldsFormat', ['specified']), scriptParam('fieldsSpecified', typeof fields === 'string' ? fields : JSON.stringify(fields))]
}

const output = (variable: string | undefined, slot: string): XmlNode[] => (variable ? [outputParam(variable, slot)] : [])

/** The connector id and parameters of a record component, or null for another type. */
export function exportRecordAction(type: string, config: unknown): { connectorId: string; params: XmlNode[] } | null {
  const connectorId = CONNECTOR_OF[type]
  if (!connectorId) return null
  const c = config as Config
  const params: XmlNode[] = type === 'fileUpload' ? [] : catalogParams(String(c.catalogId ?? ''))
  const recordId = () => params.push(scriptParam('recordId', String(c.recordId ?? '')))
  switch (type) {
    case 'createRecord': {
      const create = c as unknown as CreateRecordConfig
      params.push(...valueParams(create), ...output(create.saveTo, 'output'))
      break
    }
    case 'updateRecord': {
      const update = c as unknown as UpdateRecordConfig
      recordId()
      params.push(...valueParams(update), ...output(update.saveTo, 'output'))
      break
    }
    case 'deleteRecord':
      recordId()
      break
    case 'getRecord': {
      const get = c as unknown as GetRecordConfig
      recordId()
      params.push(...fieldsParams(get.fields), ...output(get.saveTo, 'output'))
      break
    }
    case 'catalogStructure':
      params.push(...output(c.saveTo as string | undefined, 'output'))
      break
    case 'findRecords': {
      const find = c as unknown as FindRecordsConfig
      params.push(scriptParam('viewId', find.viewId ?? ''))
      if (find.filtersJson !== undefined) params.push(listParam('filtersFormat', ['json']), listParam('filters', []), scriptParam('filtersJson', find.filtersJson))
      else
        params.push(
          listParam('filtersFormat', ['keyvalue']),
          find.filters
            ? mapParam(
                'filters',
                find.filters.map((f) => ({ name: f.fieldId, value: f.value })),
              )
            : listParam('filters', []),
          scriptParam('filtersJson', ''),
        )
      if (find.searchText !== undefined) params.push(scriptParam('searchText', find.searchText))
      params.push(scriptParam('sortField', find.sortField ?? '', 'const'), listParam('sortType', [String(find.sortType ?? 1)]))
      params.push(...fieldsParams(find.fields))
      params.push(scriptParam('limit', String(find.limit ?? 100)), scriptParam('offset', String(find.offset ?? 0)))
      params.push(...output(find.saveTo, 'output'), ...output(find.countTo, 'outputCount'))
      break
    }
    case 'fileUpload':
      params.push(...exportFileUpload(c as unknown as FileUploadConfig))
      break
  }
  return { connectorId, params }
}

function exportFileUpload(c: FileUploadConfig): XmlNode[] {
  const params: XmlNode[] = []
  const source = c.source as { url?: string; content?: string; name?: string; contentType?: string }
  if (source.content !== undefined) {
    params.push(listParam('file_format', ['data']), scriptParam('file_url', ''), scriptParam('file_data', source.content))
  } else {
    params.push(listParam('file_format', ['url']), scriptParam('file_url', source.url ?? ''), scriptParam('file_data', ''))
  }
  params.push(scriptParam('file_name', source.name ?? ''))
  if (source.contentType !== undefined) params.push(scriptParam('file_contentType', source.contentType))
  const inRecord = c.catalogId !== undefined
  params.push(listParam('output_format', [inRecord ? 'record' : 'fileId']))
  params.push(scriptParam('output_catalogId', c.catalogId ?? ''), scriptParam('output_recordId', c.recordId ?? ''), scriptParam('output_fieldId', c.fieldId ?? '', 'const'))
  if (c.timeoutMs !== undefined && c.timeoutMs !== 60_000) params.push(scriptParam('timeoutMs', String(c.timeoutMs), 'const'))
  params.push(...output(c.saveTo, 'output'), ...output(c.fileIdTo, 'output_fileId'), ...output(c.urlTo, 'output_url'))
  return params
}
