/**
 * Binary values (docs/scenarios.md): bytes kept as JSON in the tagged form
 * `{ "$binary": "<base64>", "contentType": "…" }`, so snapshots stay JSON; they become bytes
 * again when sent (`$body`, web requests) and come in as this form (request bodies, uploads).
 */
export interface BinaryValue {
  $binary: string
  contentType?: string
}

/** Whether a value is a tagged binary value. */
export function isBinary(value: unknown): value is BinaryValue {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as BinaryValue).$binary === 'string'
}

/**
 * Wraps bytes as a binary value.
 * @example toBinary(Buffer.from('hi'), 'text/plain') // { $binary: 'aGk=', contentType: 'text/plain' }
 */
export function toBinary(bytes: Uint8Array, contentType?: string): BinaryValue {
  const base64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
  return contentType ? { $binary: base64, contentType } : { $binary: base64 }
}

/** The bytes of a binary value. */
export function binaryBytes(value: BinaryValue): Buffer {
  return Buffer.from(value.$binary, 'base64')
}
