/** The redacting walk (server/redact.ts) on a record shaped as the engine makes it. */
import { describe, expect, it } from 'vitest'
import { REDACTED, Redactor } from '../../server/redact.ts'

describe('Redactor', () => {
  it('walks an object met twice once, so a redacted output is still its snapshot variables (and the store still stores them once)', () => {
    const redactor = new Redactor(['authorization'])
    redactor.track('p', new Headers({ authorization: 'Bearer caller-secret-token' }))
    const vars = { headers: { authorization: 'Bearer caller-secret-token', host: 'h' }, copy: 'token: caller-secret-token', $body: { ok: true } }
    const context = { pid: 'p', vars }
    const record = { id: 'p', output: vars, snapshot: { status: 'done', context, output: context } }
    const redacted = redactor.redact(record, 'p')
    expect(redacted.output).toEqual({ headers: { authorization: REDACTED, host: 'h' }, copy: `token: ${REDACTED}`, $body: { ok: true } })
    expect(redacted.snapshot.context.vars).toBe(redacted.output)
    expect(redacted.snapshot.output).toBe(redacted.snapshot.context)
    // Untouched parts stay the same objects, and the record itself was not changed.
    expect(redacted.output.$body).toBe(vars.$body)
    expect(vars.headers.authorization).toBe('Bearer caller-secret-token')
    // Nothing to redact: the very same record.
    const clean = { id: 'q', output: { a: { b: [1, 'two'] } } }
    expect(redactor.redact(clean, 'q')).toBe(clean)
  })

  it('redacts own keys only, a `__proto__` key included, and leaves inherited ones alone', () => {
    const redactor = new Redactor(['x-api-key'])
    const parsed = JSON.parse('{"__proto__": {"x-api-key": "k1"}, "list": [{"X-Api-Key": "k2"}]}')
    const redacted = redactor.redact(parsed)
    expect(JSON.stringify(redacted)).toBe(`{"__proto__":{"x-api-key":"${REDACTED}"},"list":[{"X-Api-Key":"${REDACTED}"}]}`)
    const inherited = Object.create({ 'x-api-key': 'inherited' }) as Record<string, unknown>
    inherited.own = 1
    expect(redactor.redact(inherited)).toBe(inherited)
  })
})
