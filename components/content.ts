/**
 * Document content a component reads from a value (`sendMail` attachments, `convert` sources):
 * a binary value (`{ $binary, contentType }`), a string (its UTF-8 bytes), or a file of a record
 * (`{ catalogId, recordId, fieldId, index? }`), read through `RuntimeServices.readRecordFile`.
 * Sizes are bounded; a value of any other kind is a clear error naming what was expected.
 */
import { binaryBytes, isBinary } from '../runtime/binary.ts'
import type { ErrorCode } from '../runtime/error-codes.ts'
import { PotokError } from '../runtime/errors.ts'
import type { RuntimeServices } from '../runtime/types.ts'

export interface Content {
  data: Buffer
  name?: string
  contentType?: string
}

export interface RecordFileRef {
  catalogId: string
  recordId: string
  fieldId: string
  index?: number
}

export function isRecordFileRef(value: unknown): value is RecordFileRef {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const v = value as Record<string, unknown>
  const id = (x: unknown) => typeof x === 'string' || typeof x === 'number'
  return id(v.catalogId) && id(v.recordId) && id(v.fieldId) && (v.index === undefined || Number.isInteger(v.index))
}

/**
 * The bytes of `value`; `what` names it in errors (`attachment 2`, `source`), `code` is the
 * component's error code for a wrong value or one over `maxBytes`.
 */
export async function readContent(value: unknown, services: RuntimeServices, what: string, code: ErrorCode, maxBytes: number): Promise<Content> {
  let content: Content
  if (isBinary(value)) content = { data: binaryBytes(value), contentType: value.contentType }
  else if (typeof value === 'string') content = { data: Buffer.from(value, 'utf8') }
  else if (isRecordFileRef(value)) {
    if (!services.readRecordFile) throw new PotokError(code, `${what} names a record file, but this host has no record files`)
    const ref = { catalogId: String(value.catalogId), recordId: String(value.recordId), fieldId: String(value.fieldId), ...(value.index !== undefined ? { index: value.index } : {}) }
    const file = await services.readRecordFile(ref)
    content = { data: Buffer.from(file.data.buffer, file.data.byteOffset, file.data.byteLength), name: file.name, contentType: file.contentType }
  } else {
    throw new PotokError(code, `${what} must be a binary value, a string, or a record file { catalogId, recordId, fieldId }; it is ${kindOf(value)}`)
  }
  if (content.data.byteLength > maxBytes) {
    throw new PotokError(code, `${what} is ${content.data.byteLength} bytes, over the limit of ${maxBytes}`, { details: { limit: maxBytes } })
  }
  return content
}

export function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'undefined'
  if (Array.isArray(value)) return 'a list'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}
