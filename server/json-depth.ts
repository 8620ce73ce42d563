/**
 * The nesting depth of a JSON text, measured on its raw bytes before it is parsed: a body
 * nested thousands of levels deep parses, but every recursive walk after it (the store's
 * serialisation, the snapshot, the list that reads it back) overflows the stack. Counting
 * brackets outside strings is one linear pass over the bytes.
 *
 * @example
 * assertJsonDepth(Buffer.from('[[[1]]]'), 2) // throws 400 BODY_TOO_DEEP
 */
import { PotokError } from '../runtime/index.ts'

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_ARRAY = 0x5b
const OPEN_OBJECT = 0x7b
const CLOSE_ARRAY = 0x5d
const CLOSE_OBJECT = 0x7d

/** Throws 400 `BODY_TOO_DEEP` when arrays and objects in `raw` nest deeper than `maxDepth`. */
export function assertJsonDepth(raw: Uint8Array, maxDepth: number): void {
  let depth = 0
  let inString = false
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i]
    if (inString) {
      if (byte === BACKSLASH) i++
      else if (byte === QUOTE) inString = false
    } else if (byte === QUOTE) {
      inString = true
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > maxDepth) {
        throw new PotokError('BODY_TOO_DEEP', `the JSON body nests deeper than ${maxDepth} levels (MAX_BODY_DEPTH)`, { details: { maxDepth } })
      }
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
      depth--
    }
  }
}
