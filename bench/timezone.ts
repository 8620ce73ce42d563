/**
 * Local time in the sandbox (SANDBOX_TZ): µs per evaluation of date-heavy expressions, for the
 * zone given in SANDBOX_TZ (default UTC, answered without Intl).
 * Run: SANDBOX_TZ=Europe/Moscow node --import tsx bench/timezone.ts   (and without SANDBOX_TZ)
 */
import { getSandbox } from '../runtime/sandbox.ts'

const sandbox = await getSandbox()
const cases: Array<[string, string]> = [
  ['new Date(ms).getHours()', 'new Date(ms).getHours()'],
  ['new Date(y, m, d, h).getTime()', 'new Date(2024, 2, 5, 10).getTime()'],
  ["moment(ms).format('YYYY-MM-DD HH:mm')", "moment(ms).format('YYYY-MM-DD HH:mm')"],
  ["moment(ms).add(1, 'month').startOf('day').toISOString()", "moment(ms).add(1, 'month').startOf('day').toISOString()"],
]
console.log(`SANDBOX_TZ=${process.env.SANDBOX_TZ ?? '(unset: UTC)'}`)
for (const [label, source] of cases) {
  const compiled = [sandbox.compile(source)]
  const vars = { ms: 1_709_625_600_000 }
  for (let i = 0; i < 200; i++) sandbox.evaluate(compiled, vars)
  const runs = 2000
  const started = performance.now()
  for (let i = 0; i < runs; i++) sandbox.evaluate(compiled, { ms: vars.ms + i * 3_600_000 })
  console.log(`${label.padEnd(60)} ${(((performance.now() - started) * 1000) / runs).toFixed(1)} µs`)
}

// The local-time import alone (what QuickJS calls for every local-time question), without the sandbox around it.
const { localTimeImport } = await import('../runtime/sandbox/timeZone.ts')
const memory = new WebAssembly.Memory({ initial: 1 })
for (const zone of ['UTC', 'Europe/Moscow', 'America/New_York']) {
  const fill = localTimeImport(zone, memory)
  const calls = 100_000
  const started = performance.now()
  for (let i = 0; i < calls; i++) fill(BigInt(1_709_625_600 + i * 3600), 64)
  console.log(`localtime import, ${zone.padEnd(18)} ${(((performance.now() - started) * 1000) / calls).toFixed(2)} µs a call (times an hour apart)`)
}
