/**
 * The OpenAPI part of catalogs, records and files (docs/catalogs.md), merged into `openapi.ts`'s document.
 * The catalog schema comes from the zod schema that validates it.
 */
import { z } from 'zod'
import { catalogSchema } from '../store/catalog-schema.ts'
import { recordValuesBody } from './api/record-body.ts'

function schema(type: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(type, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>
  return rest
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const jsonContent = (s: unknown) => ({ 'application/json': { schema: s } })
const error = (description: string) => ({ description, content: jsonContent(ref('Error')) })
const ok = (description: string, s?: unknown) => (s ? { description, content: jsonContent(s) } : { description })
const guarded = (responses: Record<string, unknown>) => ({ ...responses, 401: error('missing or wrong admin token') })
const idParam = (name: string, description: string) => ({ name, in: 'path', required: true, schema: { type: 'string' }, description })
const security = [{ adminToken: [] }]
const tags = ['catalogs']

const recordSchema = z.object({
  id: z.string(),
  catalogId: z.string(),
  title: z.string(),
  values: z.record(z.string(), z.unknown()).describe('keyed by field id, in Bpium\'s shapes (dropdown ["1"], contact [{ contact, comment }], date ISO…); every field, [] or null when empty'),
  createdAt: z.string(),
  updatedAt: z.string(),
})
const fileSchema = z.object({ id: z.string(), name: z.string(), contentType: z.string(), size: z.number(), createdAt: z.string() })

export function recordSchemas(): Record<string, unknown> {
  return {
    CatalogInput: schema(catalogSchema),
    Catalog: schema(catalogSchema.extend({ id: z.string(), createdAt: z.string(), updatedAt: z.string() })),
    Record: schema(recordSchema),
    RecordValues: schema(recordValuesBody),
    StoredFile: schema(fileSchema),
  }
}

const query = (name: string, description: string) => ({ name, in: 'query', required: false, schema: { type: 'string' }, description })
const refused = error('a `before` event refused the change: the answer is its `$status` and `$body` (else `RECORD_CHANGE_REFUSED`)')

export function recordPaths(): Record<string, unknown> {
  return {
    '/api/v1/catalogs': {
      get: {
        summary: 'List catalogs',
        tags,
        security,
        responses: guarded({ 200: ok('the catalogs', { type: 'object', properties: { items: { type: 'array', items: ref('Catalog') }, nextCursor: { type: 'null' } } }) }),
      },
      post: {
        summary: 'Create a catalog (fields and items without an id are numbered)',
        tags,
        security,
        requestBody: { required: true, content: jsonContent(ref('CatalogInput')) },
        responses: guarded({ 201: ok('created', ref('Catalog')), 400: error('invalid (`CATALOG_INVALID`)'), 409: error('the id exists'), 422: error('an event names a scenario that does not exist') }),
      },
    },
    '/api/v1/catalogs/{id}': {
      parameters: [idParam('id', 'catalog id')],
      get: { summary: 'Get a catalog', tags, security, responses: guarded({ 200: ok('the catalog', ref('Catalog')), 404: error('`CATALOG_NOT_FOUND`') }) },
      put: {
        summary: "Replace a catalog (a field's type cannot change)",
        tags,
        security,
        requestBody: { required: true, content: jsonContent(ref('CatalogInput')) },
        responses: guarded({ 200: ok('replaced', ref('Catalog')), 400: error('`CATALOG_INVALID`'), 404: error('`CATALOG_NOT_FOUND`'), 422: error('an event names a scenario that does not exist') }),
      },
      delete: { summary: 'Delete a catalog and its records', tags, security, responses: guarded({ 204: ok('deleted'), 404: error('`CATALOG_NOT_FOUND`') }) },
    },
    '/api/v1/catalogs/{id}/records': {
      parameters: [idParam('id', 'catalog id')],
      get: {
        summary: "Find records (Bpium's parameters)",
        tags,
        security,
        parameters: [
          query('filters', 'JSON: `[{ fieldId, value }]` or `{ fieldId: value, $and, $or }`; or bracket form `filters[0][fieldId]=…&filters[0][value][at]=…`'),
          query('fields', 'JSON list of field ids (or `2,3`)'),
          query('searchText', 'substring of text and contact fields'),
          query('sortField', 'field id'),
          { name: 'sortType', in: 'query', required: false, schema: { enum: ['1', '-1'] } },
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 0, default: 100, maximum: 10000 } },
          { name: 'offset', in: 'query', required: false, schema: { type: 'integer', minimum: 0, default: 0 } },
        ],
        responses: guarded({
          200: ok('`{ items, total }`', { type: 'object', required: ['items', 'total'], properties: { items: { type: 'array', items: ref('Record') }, total: { type: 'integer' } } }),
          400: error('`FILTER_INVALID` naming the field, or `INVALID_QUERY`'),
          404: error('`CATALOG_NOT_FOUND`'),
        }),
      },
      post: {
        summary: 'Create a record (its data-change events run)',
        tags,
        security,
        requestBody: { required: true, content: jsonContent(ref('RecordValues')) },
        responses: guarded({ 201: ok('created', ref('Record')), 400: error('`RECORD_INVALID` naming the field'), 404: error('`CATALOG_NOT_FOUND`'), '4XX': refused }),
      },
    },
    '/api/v1/catalogs/{id}/records/{recordId}': {
      parameters: [idParam('id', 'catalog id'), idParam('recordId', 'record id')],
      get: { summary: 'Get a record (`?fields=`)', tags, security, responses: guarded({ 200: ok('the record', ref('Record')), 404: error('`RECORD_NOT_FOUND` / `CATALOG_NOT_FOUND`') }) },
      patch: {
        summary: 'Change a record: the values given are merged',
        tags,
        security,
        requestBody: { required: true, content: jsonContent(ref('RecordValues')) },
        responses: guarded({ 200: ok('the record', ref('Record')), 400: error('`RECORD_INVALID`'), 404: error('`RECORD_NOT_FOUND`'), '4XX': refused }),
      },
      delete: { summary: 'Delete a record', tags, security, responses: guarded({ 204: ok('deleted'), 404: error('`RECORD_NOT_FOUND`'), '4XX': refused }) },
    },
    '/api/v1/files': {
      post: {
        summary: 'Store a file (the raw body; `?name=`, type from Content-Type); put its id in a file field as `[{ "id": … }]`',
        tags,
        security,
        parameters: [query('name', 'the file name')],
        requestBody: { required: true, content: { '*/*': { schema: { type: 'string', format: 'binary' } } } },
        responses: guarded({ 201: ok('stored', ref('StoredFile')), 400: error('empty body'), 413: error('over `MAX_FILE_BYTES` (`FILE_TOO_LARGE`)') }),
      },
    },
    '/api/v1/files/{id}': {
      parameters: [idParam('id', 'file id')],
      get: {
        summary: "A stored file's bytes",
        tags,
        security,
        responses: guarded({ 200: { description: "the bytes, with the file's Content-Type", content: { '*/*': { schema: { type: 'string', format: 'binary' } } } }, 404: error('`FILE_NOT_FOUND`') }),
      },
    },
  }
}
