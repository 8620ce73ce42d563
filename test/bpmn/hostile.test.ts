/**
 * The XML is untrusted: hostile documents are refused quickly, with a clear error, and no harm
 * (no entity expansion, no file or network read, bounded memory and time).
 */
import { describe, expect, it } from 'vitest'
import { importBpmn } from '../../bpmn/import.ts'
import { PotokError } from '../../runtime/errors.ts'

function refusal(xml: string, options = {}): { error: PotokError; ms: number } {
  const started = performance.now()
  try {
    importBpmn(xml, options)
  } catch (error) {
    expect(error).toBeInstanceOf(PotokError)
    return { error: error as PotokError, ms: performance.now() - started }
  }
  throw new Error('the document was accepted')
}

const BPMN = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'

describe('hostile XML', () => {
  it('billion laughs: entity declarations are refused before anything expands', () => {
    const levels = Array.from({ length: 10 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('\n')
    const xml = `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol0 "lol">\n${levels}\n]>\n<bpmn:definitions ${BPMN}><bpmn:process id="p"><bpmn:startEvent id="s" name="&lol10;"/></bpmn:process></bpmn:definitions>`
    const { error, ms } = refusal(xml)
    expect(error.code).toBe('INVALID_BPMN')
    expect(error.status).toBe(400)
    expect(error.message).toMatch(/entity declarations are refused/)
    expect(ms).toBeLessThan(200)
  })

  it('external entities are refused: no file is read', () => {
    const xml = `<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<bpmn:definitions ${BPMN}><bpmn:process id="p"><bpmn:startEvent id="s" name="&xxe;"/></bpmn:process></bpmn:definitions>`
    const { error } = refusal(xml)
    expect(error.code).toBe('INVALID_BPMN')
    expect(error.message).toMatch(/entity/)
    expect(error.message).not.toContain('root:')
  })

  it('an external DTD is refused', () => {
    const { error } = refusal(`<?xml version="1.0"?>\n<!DOCTYPE d SYSTEM "http://127.0.0.1:1/evil.dtd">\n<bpmn:definitions ${BPMN}/>`)
    expect(error.message).toMatch(/external DTD/)
  })

  it('an entity that was never declared is an error, not an expansion', () => {
    const { error } = refusal(`<bpmn:definitions ${BPMN}><bpmn:process id="p"><bpmn:startEvent id="s" name="&xxe;"/></bpmn:process></bpmn:definitions>`)
    expect(error.code).toBe('INVALID_BPMN')
    expect(error.message).toMatch(/not well-formed XML: .*undefined entity/)
  })

  it('10 000-deep nesting is refused at the depth limit', () => {
    const depth = 10_000
    const xml = `<bpmn:definitions ${BPMN}>${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</bpmn:definitions>`
    const { error, ms } = refusal(xml)
    expect(error.code).toBe('INVALID_BPMN')
    expect(error.message).toMatch(/nest deeper than 64 levels/)
    expect(ms).toBeLessThan(200)
  })

  it('a 50 MB document is refused before it is parsed', () => {
    const xml = `<bpmn:definitions ${BPMN}><bpmn:documentation>${'x'.repeat(50 * 1024 * 1024)}</bpmn:documentation></bpmn:definitions>`
    const { error, ms } = refusal(xml)
    expect(error.code).toBe('BPMN_TOO_LARGE')
    expect(error.status).toBe(413)
    expect(error.message).toMatch(/larger than 10485760 bytes/)
    expect(ms).toBeLessThan(200)
  })

  it('the size limit counts UTF-8 bytes and can be set', () => {
    const xml = `<bpmn:definitions ${BPMN}><bpmn:documentation>${'я'.repeat(600)}</bpmn:documentation></bpmn:definitions>`
    expect(refusal(xml, { limits: { maxBytes: 1000 } }).error.code).toBe('BPMN_TOO_LARGE')
  })

  it('too many elements are refused', () => {
    const xml = `<bpmn:definitions ${BPMN}>${'<x/>'.repeat(2000)}</bpmn:definitions>`
    expect(refusal(xml, { limits: { maxElements: 1000 } }).error.code).toBe('BPMN_TOO_LARGE')
  })

  it('documents that are not BPMN get a clear error', () => {
    expect(refusal('not xml at all').error.message).toMatch(/not well-formed XML/)
    expect(refusal('').error.message).toMatch(/not well-formed XML|no root element/)
    expect(refusal('<definitions/>').error.message).toMatch(/not a BPMN 2.0 document/)
    expect(refusal(`<bpmn:definitions ${BPMN}/>`).error.message).toMatch(/no bpmn:process/)
    expect(refusal(`<bpmn:definitions ${BPMN}><bpmn:process id="a"/><bpmn:process id="b"/></bpmn:definitions>`).error.message).toMatch(/2 processes/)
    expect(refusal(`<bpmn:definitions ${BPMN}><x:y/></bpmn:definitions>`).error.message).toMatch(/not well-formed XML: .*unbound namespace prefix/)
  })

  it('malformed parameters of a supported connector do not break the import', () => {
    const xml = `<bpmn:definitions ${BPMN} xmlns:camunda="http://camunda.org/schema/1.0/bpmn"><bpmn:process id="p">
      <bpmn:startEvent id="s"/><bpmn:serviceTask id="t"><bpmn:extensionElements>
      <camunda:connector><camunda:connectorId>setvar</camunda:connectorId></camunda:connector>
      <camunda:inputOutput><camunda:outputParameter name="a" configName="vars"><camunda:script>{"type": broken</camunda:script></camunda:outputParameter>
      <camunda:outputParameter name="__proto__" configName="vars"><camunda:script>{"type":"script","value":"1","__proto__":{"polluted":1}}</camunda:script></camunda:outputParameter></camunda:inputOutput>
      </bpmn:extensionElements></bpmn:serviceTask><bpmn:endEvent id="e"/>
      <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/><bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e"/></bpmn:process></bpmn:definitions>`
    const { scenario, report } = importBpmn(xml)
    expect((scenario.nodes[1].config as any).assignments[0]).toEqual({ name: 'a', value: '{"type": broken' })
    expect(report.warnings[0].message).toMatch(/not Bpium's \{ type, value \} JSON/)
    expect(({} as any).polluted).toBeUndefined()
  })
})
