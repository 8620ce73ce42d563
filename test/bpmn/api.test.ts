/** The route functions of `server/api/bpmn.ts`, called as the server calls them. */
import { describe, expect, it } from 'vitest'
import { importBpmn } from '../../bpmn/import.ts'
import { exportRoute, importRoute } from '../../server/api/bpmn.ts'
import { fixture } from './helpers.ts'

describe('importRoute', () => {
  it('answers 200 with the scenario and the report', () => {
    const { status, body } = importRoute(fixture('loop-throttle'), new URLSearchParams('id=loop-api'))
    expect(status).toBe(200)
    expect(body).toMatchObject({ scenario: { id: 'loop-api' }, report: { complete: true, valid: true, scenarioId: 'loop-api' } })
  })

  it('takes bytes (with a BOM) and ?placeholders', () => {
    const bytes = new TextEncoder().encode(`\uFEFF${fixture('unsupported')}`)
    const { status, body } = importRoute(bytes, { placeholders: 'true' })
    expect(status).toBe(200)
    expect(body).toMatchObject({ report: { complete: false, valid: true } })
    expect(JSON.stringify(body)).not.toContain('FAKE-SMTP-SECRET')
  })

  it('answers the standard error body for refused documents', () => {
    expect(importRoute('')).toEqual({ status: 400, body: { error: { code: 'INVALID_BPMN', message: 'a BPMN document is required as the request body' } } })
    const evil = importRoute('<!DOCTYPE d [<!ENTITY a "b">]><d/>')
    expect(evil.status).toBe(400)
    expect(evil.body).toMatchObject({ error: { code: 'INVALID_BPMN', message: expect.stringMatching(/entity/) } })
    const big = importRoute(new Uint8Array(11 * 1024 * 1024))
    expect(big).toMatchObject({ status: 413, body: { error: { code: 'BPMN_TOO_LARGE' } } })
  })
})

describe('exportRoute', () => {
  it('answers the XML with its content type and a file name', () => {
    const scenario = importBpmn(fixture('code-lodash-moment'), { id: 'code-bpmn' }).scenario
    const answer = exportRoute(scenario)
    expect(answer.status).toBe(200)
    expect(answer.headers).toEqual({ 'content-type': 'application/xml; charset=utf-8', 'content-disposition': 'attachment; filename="code-bpmn.bpmn"' })
    expect(importBpmn(answer.body).scenario).toStrictEqual(scenario)
  })
})
