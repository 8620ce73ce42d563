/**
 * Runtime benchmark (issue 2): greet processes per second against a plain async function doing
 * the same three assignments; compile time of generated 10-, 100- and 1 000-node scenarios;
 * per-step cost of the 1 000-iteration loop. Run: `node --import tsx bench/runtime.ts`
 * (BENCH_SECONDS per measurement, default 3).
 */
import { readFileSync } from 'node:fs'
import { compileScenario } from '../runtime/compile.ts'
import { startProcess } from '../runtime/process.ts'
import type { Scenario } from '../runtime/types.ts'
import { registerComponents } from '../components/index.ts'

registerComponents()

const seconds = Number(process.env.BENCH_SECONDS ?? 3)
const flow = (name: string): Scenario => JSON.parse(readFileSync(new URL(`../flows/${name}.json`, import.meta.url), 'utf8'))

/** Runs `fn` repeatedly for `seconds`; µs per call. */
async function measure(fn: () => unknown | Promise<unknown>): Promise<number> {
  for (let i = 0; i < 200; i++) await fn()
  let calls = 0
  const started = performance.now()
  const until = started + seconds * 1000
  while (performance.now() < until) {
    for (let i = 0; i < 50; i++) await fn()
    calls += 50
  }
  return ((performance.now() - started) * 1000) / calls
}

const input = () => ({
  event: { id: 'greet', type: '$webRequest', async: false },
  script: { id: 'greet' },
  user: { id: null },
  url: 'http://127.0.0.1:3000/api/webrequest/greet',
  method: 'POST',
  headers: { host: '127.0.0.1:3000', 'content-type': 'application/json', 'content-length': '24', 'user-agent': 'bench' },
  cookies: {},
  query: {},
  body: { name: 'Ada', n: 1 },
})

async function plainGreet(vars: Record<string, any>) {
  const out = { ...vars }
  out.$status = 201
  out.$headers = { 'X-Flow': 'yes' }
  out.$body = { greeting: `Hello, ${vars.body.name}`, next: vars.body.n + 1 }
  return out
}

function chain(n: number): Scenario {
  const nodes: Scenario['nodes'] = [{ id: 'start', type: 'start' }]
  const edges: Scenario['edges'] = []
  for (let i = 0; i < n - 2; i++) {
    nodes.push({ id: `n${i}`, type: 'setVariables', config: { assignments: [{ name: `v${i % 10}`, value: `${i} + 1` }] } })
    edges.push({ from: i === 0 ? 'start' : `n${i - 1}`, to: `n${i}` })
  }
  nodes.push({ id: 'end', type: 'end' })
  edges.push({ from: `n${n - 3}`, to: 'end' })
  return { id: `chain${n}`, nodes, edges }
}

const rows: Array<[string, string]> = []
const greet = flow('greet')
await startProcess(greet, input())

const plain = await measure(() => plainGreet(input()))
const potok = await measure(() => startProcess(greet, input()))
rows.push(['greet: plain async function', `${plain.toFixed(2)} µs (${Math.round(1e6 / plain)}/s)`])
rows.push(['greet: startProcess', `${potok.toFixed(1)} µs (${Math.round(1e6 / potok)}/s)`])
rows.push(['greet: ratio potok / plain', `${(potok / plain).toFixed(0)}×`])

for (const n of [10, 100, 1000]) {
  let version = 0
  const scenario = chain(n)
  const us = await measure(() => compileScenario({ ...scenario, version: ++version }))
  rows.push([`compile ${n}-node scenario`, `${(us / 1000).toFixed(2)} ms`])
}

const loop = flow('loop')
const loopRun = await startProcess(loop, {})
const loopUs = await measure(() => startProcess(loop, {}))
rows.push(['loop 1 000 iterations', `${(loopUs / 1000).toFixed(1)} ms, ${loopRun.steps.length} steps, ${(loopUs / loopRun.steps.length).toFixed(1)} µs/step`])

const width = Math.max(...rows.map(([k]) => k.length))
for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`)
