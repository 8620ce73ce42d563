/**
 * Ids between potok and BPMN. BPMN ids are XML NCNames (a letter or `_` first); potok ids are
 * `[A-Za-z0-9_-]{1,64}` and may start with a digit or `-`. The encoding is reversible: an id
 * that is already an NCName (and does not start with `_.`) is written as it is; any other is
 * written `_.` + the id with every character outside `[A-Za-z0-9-]` as `.hex.` — potok ids never
 * hold a `.`, so `_.` marks an encoded id unambiguously.
 *
 * @example
 * toXmlId('greet') // 'greet'
 * toXmlId('1st') // '_.1st'
 * fromXmlId('_.1st') // '1st'
 */

const NCNAME = /^[\p{L}_][\p{L}\p{N}._-]*$/u
const POTOK_ID = /^[A-Za-z0-9_-]{1,64}$/

export function isPotokId(id: string): boolean {
  return POTOK_ID.test(id)
}

function escapeChar(char: string): string {
  return `.${char.codePointAt(0)!.toString(16)}.`
}

/**
 * The XML id for a potok id (or any string, such as an edge id). `variant` > 0 escapes that many
 * more leading characters: another spelling that decodes to the same id, for avoiding clashes.
 */
export function toXmlId(id: string, variant = 0): string {
  if (variant === 0 && NCNAME.test(id) && !id.startsWith('_.')) return id
  const chars = [...id]
  return `_.${chars.map((char, i) => (i < variant || !/[A-Za-z0-9-]/.test(char) ? escapeChar(char) : char)).join('')}`
}

/** The potok id an XML id stands for, when it is one of `toXmlId`'s spellings; else undefined. */
export function fromXmlId(xmlId: string): string | undefined {
  if (!xmlId.startsWith('_.')) return undefined
  const rest = xmlId.slice(2)
  if (!/^([A-Za-z0-9-]|\.[0-9a-f]{1,6}\.)*$/.test(rest)) return undefined
  return rest.replace(/\.([0-9a-f]{1,6})\./g, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
}

/** A unique XML id for `id` among `used` (which it joins). */
export function uniqueXmlId(id: string, used: Set<string>): string {
  for (let variant = 0; ; variant++) {
    const candidate = toXmlId(id, variant)
    if (!used.has(candidate)) {
      used.add(candidate)
      return candidate
    }
    if (variant > [...id].length) {
      // Every spelling taken (only by a hostile document): fall back to a numbered one.
      for (let n = 2; ; n++) {
        const numbered = `${candidate}_${n}`
        if (!used.has(numbered)) {
          used.add(numbered)
          return numbered
        }
      }
    }
  }
}

/** An id of our own (diagram, shapes) that no element uses yet. */
export function freshId(base: string, used: Set<string>): string {
  let candidate = base
  for (let n = 2; used.has(candidate); n++) candidate = `${base}_${n}`
  used.add(candidate)
  return candidate
}

/**
 * The id the exporter gives an edge that has none: `Flow_<from>_<to>`, then `…_2` for a second
 * edge between the same nodes. The importer drops an edge id equal to it, so id-less edges
 * come back id-less.
 */
export function generatedEdgeId(from: string, to: string, nth: number): string {
  return `Flow_${from}_${to}${nth > 1 ? `_${nth}` : ''}`
}

/** A potok id for a foreign BPMN id: invalid characters become `_`, long ids are shortened. */
export function sanitizeId(xmlId: string, used: Set<string>): string {
  const base = xmlId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64) || 'node'
  let candidate = base
  for (let n = 2; used.has(candidate); n++) {
    const suffix = `_${n}`
    candidate = base.slice(0, 64 - suffix.length) + suffix
  }
  used.add(candidate)
  return candidate
}
