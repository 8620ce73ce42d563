// The host runs at +09:00 and the sandbox is told Moscow (+03:00): expressions must follow the
// sandbox's zone, not the machine's (a Bpium calendar scenario shifted by hours otherwise).
process.env.TZ = 'Asia/Tokyo'

import { beforeAll, describe, expect, it } from 'vitest'
import { setRuntimeLimits } from '../../runtime/limits.ts'
import { getSandbox, type Sandbox } from '../../runtime/sandbox.ts'
import { loadSettings } from '../../server/settings.ts'

let sandbox: Sandbox
beforeAll(async () => {
  // As the server and the CLI do at start: SANDBOX_TZ is read by the settings, handed down.
  setRuntimeLimits(loadSettings({ SANDBOX_TZ: 'Europe/Moscow' }).runtime, true)
  sandbox = await getSandbox()
})
const evaluate = (source: string, vars: Record<string, unknown> = {}) => sandbox.evaluate([sandbox.compile(source)], vars)[0]

describe('SANDBOX_TZ', () => {
  it('local time in expressions is the sandbox zone, whatever the host zone', () => {
    expect(new Date(0).getHours()).toBe(9) // the host really is elsewhere
    expect(evaluate('new Date(0).getHours()')).toBe(3)
    expect(evaluate('new Date(0).getTimezoneOffset()')).toBe(-180)
    expect(evaluate('new Date(2024, 0, 1, 10, 30).toISOString()')).toBe('2024-01-01T07:30:00.000Z')
    expect(evaluate("new Date('2024-06-01T12:00:00').toISOString()")).toBe('2024-06-01T09:00:00.000Z')
    expect(evaluate('new Date(Date.UTC(2024, 0, 1)).toString()')).toMatch(/^Mon Jan 01 2024 03:00:00 GMT\+0300/)
  })

  it('moment formats and parses in the sandbox zone, with the ru locale', () => {
    expect(evaluate("moment('2024-03-05T00:00:00Z').format()")).toBe('2024-03-05T03:00:00+03:00')
    expect(evaluate("moment('2024-03-05 10:00').toISOString()")).toBe('2024-03-05T07:00:00.000Z')
    expect(evaluate("moment('2024-03-05T09:00:00Z').locale('ru').format('D MMMM YYYY, dddd')")).toBe('5 марта 2024, вторник')
    expect(evaluate("moment.utc('2024-03-05').format('MMMM')")).toBe('March') // the global locale stays en
  })

  it('a zone with daylight saving time: offsets change with the date', async () => {
    const { localTimeImport } = await import('../../runtime/sandbox/timeZone.ts')
    const memory = new WebAssembly.Memory({ initial: 1 })
    const fill = localTimeImport('Europe/Berlin', memory)
    const tm = (iso: string) => {
      fill(BigInt(Date.parse(iso) / 1000), 64)
      return [...new Int32Array(memory.buffer, 64, 10)]
    }
    expect(tm('2024-07-01T12:00:00Z')).toEqual([0, 0, 14, 1, 6, 124, 1, 182, 1, 7200])
    expect(tm('2024-01-01T12:00:00Z')).toEqual([0, 0, 13, 1, 0, 124, 1, 0, 0, 3600])
    // the day the clocks go forward (01:00 UTC): before and after, on the same UTC day
    expect(tm('2024-03-31T00:30:00Z').slice(0, 3)).toEqual([0, 30, 1])
    expect(tm('2024-03-31T01:30:00Z').slice(0, 3)).toEqual([0, 30, 3])
    expect(tm('2024-03-31T00:30:00Z')[9]).toBe(3600)
  })
})

describe('moment ru locale isolation', () => {
  it('a call that redefines ru leaves the next call with the real ru locale', () => {
    expect(evaluate("(moment.updateLocale('ru', { months: 'a_b_c_d_e_f_g_h_i_j_k_l'.split('_') }), moment.utc('2024-03-05').locale('ru').format('MMMM'))")).toBe('c')
    expect(evaluate("moment.utc('2024-03-05').locale('ru').format('MMMM')")).toBe('март')
    expect(() => evaluate("(moment.localeData('ru')._months.format[2] = 'x', 1)")).toThrow()
    expect(evaluate("moment.utc('2024-03-05').locale('ru').format('D MMMM')")).toBe('5 марта')
  })
})
