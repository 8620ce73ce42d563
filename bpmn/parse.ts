/**
 * Untrusted XML into a small element tree, elements and attributes resolved by namespace URI
 * (never by prefix). The document is refused — quickly, before any harm — when it is larger than
 * `maxBytes` (checked before parsing), nests deeper than `maxDepth`, holds more than
 * `maxElements` elements, or declares a DTD: saxes never expands entities of its own accord, and
 * a DOCTYPE with entity declarations or an external subset is refused outright, so billion
 * laughs and external entities cannot happen.
 *
 * @example
 * const root = parseXml('<a xmlns="urn:x"><b k="v"/></a>')
 * root.children[0].local // 'b'; root.children[0].uri // 'urn:x'
 */
import { SaxesParser } from 'saxes'
import { PotokError } from '../runtime/errors.ts'

export interface XmlElement {
  uri: string
  local: string
  /** Attributes keyed `local` (no namespace) or `{uri}local`. */
  attrs: Map<string, string>
  children: XmlElement[]
  /** Text and CDATA directly inside this element, concatenated. */
  text: string
}

export interface XmlLimits {
  /** Largest document accepted, in UTF-8 bytes (default 10 MiB). */
  maxBytes?: number
  /** Deepest element nesting accepted (default 64; BPMN needs about 10). */
  maxDepth?: number
  /** Most elements accepted (default 200 000). */
  maxElements?: number
}

export const DEFAULT_MAX_BPMN_BYTES = 10 * 1024 * 1024
const DEFAULT_MAX_DEPTH = 64
const DEFAULT_MAX_ELEMENTS = 200_000

/** An error of the document itself: `INVALID_BPMN` (400) or `BPMN_TOO_LARGE` (413). */
export function bpmnError(message: string, code: 'INVALID_BPMN' | 'BPMN_TOO_LARGE' = 'INVALID_BPMN'): PotokError {
  return new PotokError(code, message)
}

/** Parses `xml`; throws a `PotokError` (`INVALID_BPMN`, `BPMN_TOO_LARGE`) with a clear message. */
export function parseXml(xml: string, limits: XmlLimits = {}): XmlElement {
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_BPMN_BYTES
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH
  const maxElements = limits.maxElements ?? DEFAULT_MAX_ELEMENTS
  if (typeof xml !== 'string') throw bpmnError('the BPMN document must be text')
  // A UTF-16 string is at least as many UTF-8 bytes as it has code units over 3: a cheap first check.
  if (xml.length > maxBytes || Buffer.byteLength(xml, 'utf8') > maxBytes) {
    throw bpmnError(`the BPMN document is larger than ${maxBytes} bytes`, 'BPMN_TOO_LARGE')
  }

  const parser = new SaxesParser({ xmlns: true, position: true })
  const stack: XmlElement[] = []
  let root: XmlElement | undefined
  let count = 0
  const where = () => `line ${parser.line}, column ${parser.column + 1}`

  parser.on('doctype', (doctype) => {
    if (/<!ENTITY/i.test(doctype)) throw bpmnError(`the document declares entities in a DOCTYPE (${where()}): entity declarations are refused in BPMN files`)
    if (/^\s*\S+\s+(SYSTEM|PUBLIC)\b/i.test(doctype)) throw bpmnError(`the document refers to an external DTD (${where()}): external DTDs are refused in BPMN files`)
    if (doctype.includes('[')) throw bpmnError(`the document has an internal DTD subset (${where()}): DTDs are refused in BPMN files`)
  })
  parser.on('opentag', (tag) => {
    if (stack.length >= maxDepth) throw bpmnError(`elements nest deeper than ${maxDepth} levels (${where()})`)
    if (++count > maxElements) throw bpmnError(`the document has more than ${maxElements} elements`, 'BPMN_TOO_LARGE')
    const attrs = new Map<string, string>()
    for (const attr of Object.values(tag.attributes)) {
      if (attr.prefix === 'xmlns' || attr.name === 'xmlns') continue
      attrs.set(attr.uri ? `{${attr.uri}}${attr.local}` : attr.local, attr.value)
    }
    const element: XmlElement = { uri: tag.uri ?? '', local: tag.local ?? tag.name, attrs, children: [], text: '' }
    if (stack.length) stack[stack.length - 1].children.push(element)
    else root = element
    stack.push(element)
  })
  parser.on('closetag', () => {
    stack.pop()
  })
  const onText = (text: string) => {
    if (stack.length) stack[stack.length - 1].text += text
  }
  parser.on('text', onText)
  parser.on('cdata', onText)

  try {
    parser.write(xml).close()
  } catch (error) {
    if (error instanceof PotokError) throw error
    throw bpmnError(`not well-formed XML: ${xmlMessage(error)}`)
  }
  if (!root) throw bpmnError('the document has no root element')
  return root
}

/** saxes prefixes messages with the position; keep the message, never document text. */
function xmlMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.slice(0, 300)
}

/** The element's children named `local` in namespace `uri`. */
export function childrenOf(element: XmlElement, uri: string, local: string): XmlElement[] {
  return element.children.filter((child) => child.uri === uri && child.local === local)
}

/** The first child named `local` in namespace `uri`. */
export function childOf(element: XmlElement | undefined, uri: string, local: string): XmlElement | undefined {
  return element?.children.find((child) => child.uri === uri && child.local === local)
}

/** An attribute without namespace, or with one (`uri`). */
export function attrOf(element: XmlElement, local: string, uri?: string): string | undefined {
  return element.attrs.get(uri ? `{${uri}}${local}` : local)
}
