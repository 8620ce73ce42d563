/**
 * Writing XML: a tiny element tree serialized with proper escaping. Text that XML 1.0 cannot
 * carry at all (control characters other than tab and line breaks, lone surrogates) becomes
 * U+FFFD; carriage returns and tabs in attributes are written as character references so a
 * parser gives them back unchanged.
 *
 * @example
 * serializeXml({ name: 'a', attrs: { k: 'x < y' }, children: [{ name: 'b', cdata: '{"v":1}' }] })
 * // <a k="x &lt; y">\n  <b><![CDATA[{"v":1}]]></b>\n</a>
 */

export interface XmlNode {
  name: string
  /** Written in insertion order; `undefined` values are left out. */
  attrs?: Record<string, string | number | undefined>
  children?: XmlNode[]
  text?: string
  cdata?: string
}

// eslint-disable-next-line no-control-regex
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

const HAS_NOT_XML_CHAR = new RegExp(NOT_XML_CHAR.source) // no `g`: test() keeps no state

function xmlChars(value: string): string {
  return HAS_NOT_XML_CHAR.test(value) ? value.replace(NOT_XML_CHAR, '\uFFFD') : value
}

const TEXT_SPECIAL = /[&<>\r]/
const ATTR_SPECIAL = /[&<>"\t\n\r]/

export function escapeText(value: string): string {
  const clean = xmlChars(value)
  if (!TEXT_SPECIAL.test(clean)) return clean
  return clean.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;')
}

export function escapeAttr(value: string): string {
  const clean = xmlChars(value)
  if (!ATTR_SPECIAL.test(clean)) return clean
  return clean.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;')
}

/** A CDATA section; `]]>` inside is split across two sections. Carriage returns cannot survive CDATA: callers give JSON. */
export function cdataSection(value: string): string {
  return `<![CDATA[${xmlChars(value).replace(/]]>/g, ']]]]><![CDATA[>')}]]>`
}

/** Serializes a node and its children, two spaces per level. */
export function serializeXml(node: XmlNode): string {
  const parts: string[] = []
  write(node, 0, parts)
  return parts.join('\n')
}

function write(node: XmlNode, depth: number, parts: string[]): void {
  let open = `${'  '.repeat(depth)}<${node.name}`
  for (const key in node.attrs) {
    const value = node.attrs[key]
    if (value !== undefined) open += ` ${key}="${escapeAttr(String(value))}"`
  }
  if (node.cdata !== undefined) parts.push(`${open}>${cdataSection(node.cdata)}</${node.name}>`)
  else if (node.text !== undefined && node.text !== '') parts.push(`${open}>${escapeText(node.text)}</${node.name}>`)
  else if (!node.children?.length) parts.push(`${open} />`)
  else {
    parts.push(`${open}>`)
    for (const child of node.children) write(child, depth + 1, parts)
    parts.push(`${'  '.repeat(depth)}</${node.name}>`)
  }
}
