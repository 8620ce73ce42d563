/**
 * The cost of keeping credentials out of stored processes (issue 11): the redacting walk over a
 * greet-sized process record (input with the caller's headers, output, steps, snapshot), against
 * the JSON.stringify the store does with the same record anyway. Run:
 * `node --import tsx bench/redact.ts` (BENCH_SECONDS per measurement, default 2).
 */
import { startProcess } from '../runtime/process.ts'
import { Redactor } from '../server/redact.ts'
import type { Scenario } from '../runtime/types.ts'
import { readFileSync } from 'node:fs'
import { registerComponents } from '../components/index.ts'

registerComponents()

const seconds = Number(process.env.BENCH_SECONDS ?? 2)
const greet: Scenario = JSON.parse(readFileSync(new URL('../flows/greet.json', import.meta.url), 'utf8'))

function measure(fn: () => unknown): number {
  for (let i = 0; i < 2000; i++) fn()
  let calls = 0
  const started = performance.now()
  const until = started + seconds * 1000
  while (performance.now() < until) {
    for (let i = 0; i < 200; i++) fn()
    calls += 200
  }
  return ((performance.now() - started) * 1000) / calls
}

const headers = new Headers({
  host: '127.0.0.1:3000',
  'content-type': 'application/json',
  accept: '*/*',
  'user-agent': 'bench/1.0',
  authorization: 'Bearer caller-token-0123456789abcdef',
  cookie: 'session=s3ss10n-0123456789; theme=dark',
})
const input = {
  event: { id: 'greet', type: '$webRequest', async: false },
  script: { id: 'greet' },
  user: { id: null },
  url: 'http://127.0.0.1:3000/api/webrequest/greet',
  method: 'POST',
  headers: headerObject(),
  cookies: { session: 's3ss10n-0123456789', theme: 'dark' },
  query: {},
  body: { name: 'Ada', n: 41 },
}
function headerObject(): Record<string, string> {
  const out: Record<string, string> = {}
  headers.forEach((value, name) => {
    out[name] = value
  })
  return out
}
const result = await startProcess(greet, input)
const record = { id: result.processId, input, output: result.output, snapshot: result.snapshot, steps: result.steps, status: result.status }

const redactor = new Redactor(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key'], ['admin-token-0123456789abcdef'])
redactor.track(result.processId, headers)
const bytes = JSON.stringify(record).length
const walk = measure(() => redactor.redact(record, result.processId))
const untracked = measure(() => redactor.redact(record))
const stringify = measure(() => JSON.stringify(record))
console.log(`greet record, ${bytes} bytes of JSON`)
console.log(`redact (caller credentials tracked): ${walk.toFixed(2)} µs`)
console.log(`redact (no credentials, names + admin token only): ${untracked.toFixed(2)} µs`)
console.log(`JSON.stringify of the same record (baseline): ${stringify.toFixed(2)} µs — redaction costs ${(walk / stringify).toFixed(2)}×`)
