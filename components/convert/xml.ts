/**
 * XML for `convert` (fast-xml-parser). `xml-json` keeps values as text and gives the shape of
 * Bpium's converter (xml2js without arrays for single children): attributes under `$`, an
 * element's own text under `_` when it also has attributes, repeated elements as lists.
 * Documents declaring entities (`<!ENTITY`, the "billion laughs") are refused.
 */
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser'
import { PotokError } from '../../runtime/errors.ts'

const SHAPE = { ignoreAttributes: false, attributeNamePrefix: '', attributesGroupName: '$', textNodeName: '_' } as const

export function xmlToJson(text: string): unknown {
  if (/<!ENTITY/i.test(text)) throw new PotokError('CONVERT_INVALID_DOCUMENT', 'XML documents that declare entities (<!ENTITY …>) are not accepted')
  const valid = XMLValidator.validate(text)
  if (valid !== true) {
    throw new PotokError('CONVERT_INVALID_DOCUMENT', `the source is not well-formed XML: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`, {
      details: { line: valid.err.line, column: valid.err.col },
    })
  }
  return new XMLParser({ ...SHAPE, parseTagValue: false, parseAttributeValue: false, processEntities: true, htmlEntities: false }).parse(text)
}

export function jsonToXml(value: unknown): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PotokError('CONVERT_INVALID_DOCUMENT', 'json-xml needs an object whose keys are the root element(s): { "order": { "id": "1" } }')
  }
  return new XMLBuilder({ ...SHAPE, format: true, suppressEmptyNode: true }).build(value)
}
