/**
 * The sandbox on the greet flow's step: three assignments in one `assign` call.
 * Run: node --import tsx bench/sandbox.ts  (targets: < 40 µs with ~1 KB of variables,
 * < 2 ms with a 100 KB body of which only `body.name` and `body.n` are read).
 */
import { getSandbox } from '../runtime/sandbox.ts'

const sandbox = await getSandbox()

const smallVars = {
  url: 'http://localhost:3000/api/webrequest/greet?lang=en',
  method: 'POST',
  headers: { 'content-type': 'application/json', 'user-agent': 'autocannon', accept: '*/*', host: 'localhost:3000', 'content-length': '27' },
  query: { lang: 'en' },
  cookies: { session: 'abc123def456' },
  body: { name: 'Ann', n: 41 },
  event: { id: 'evt-1', type: '$webRequest', receivedAt: '2024-01-02T03:04:05.000Z', async: false },
  script: { id: 'greet', version: 3, name: 'Greeting flow', description: 'Answers with a greeting and the next number' },
  headersRaw: ['content-type', 'application/json', 'user-agent', 'autocannon', 'accept', '*/*', 'x-request-id', 'f3a1c2d4-5b6e-7f80-9a1b-2c3d4e5f6a7b'],
  user: { id: 42, login: 'ann', roles: ['admin', 'editor'], email: 'ann@example.com', settings: { theme: 'dark', lang: 'en' } },
}
const bigBody: Record<string, unknown> = { name: 'Ann', n: 41 }
for (let i = 0; bigBody.filler === undefined || JSON.stringify(bigBody).length < 100_000; i++) {
  bigBody[`field${i}`] = { id: i, title: `Item number ${i}`, tags: ['a', 'b', 'c'], price: i * 1.5 }
  bigBody.filler = true
}
const bigVars = { ...smallVars, body: bigBody }

const list = [
  { path: '$status', expr: sandbox.compile("'201'") },
  { path: '$headers', expr: sandbox.compile("({ 'X-Flow': 'yes' })") },
  { path: '$body', expr: sandbox.compile("({ greeting: 'Hello, ' + body.name, next: body.n + 1 })") },
]

/** The same step as a plain JavaScript function, for the ratio. */
function plainGreet(vars: typeof smallVars) {
  return [
    { path: '$status', value: '201' },
    { path: '$headers', value: { 'X-Flow': 'yes' } },
    { path: '$body', value: { greeting: `Hello, ${vars.body.name}`, next: vars.body.n + 1 } },
  ]
}

function measure(name: string, run: () => unknown, iterations: number): number {
  for (let i = 0; i < Math.min(1_000, iterations); i++) run()
  const started = performance.now()
  for (let i = 0; i < iterations; i++) run()
  const micros = ((performance.now() - started) * 1_000) / iterations
  console.log(`${name.padEnd(44)} ${micros.toFixed(2).padStart(10)} µs/op`)
  return micros
}

console.log(`variables: ${JSON.stringify(smallVars).length} B small, ${JSON.stringify(bigVars).length} B with the big body`)
const plain = measure('plain JS function (1 KB vars)', () => plainGreet(smallVars), 200_000)
// Best of three rounds: the machine is shared and noisy; WebAssembly also tiers up early on.
const small = Math.min(...[1, 2, 3].map(() => measure('sandbox.assign greet (1 KB vars)', () => sandbox.assign(list, smallVars), 20_000)))
const big = Math.min(...[1, 2, 3].map(() => measure('sandbox.assign greet (100 KB body)', () => sandbox.assign(list, bigVars), 5_000)))
const whole = sandbox.compile('body')
measure('sandbox.evaluate `body` (100 KB copied whole)', () => sandbox.evaluate([whole], bigVars), 200)
const condition = [sandbox.compile('body.n > 100'), sandbox.compile('body.n > 10')]
measure('sandbox.firstTruthy (2 conditions)', () => sandbox.firstTruthy(condition, smallVars), 20_000)
const code = sandbox.compileCode('return a + b', ['a', 'b'])
measure('sandbox.runCode (a + b)', () => sandbox.runCode(code, { a: 1, b: 2 }, 5_000), 20_000)

console.log(`ratio sandbox / plain: ${(small / plain).toFixed(0)}×`)
console.log(`targets: small ${small < 40 ? 'met' : 'MISSED'} (< 40 µs), big body ${big < 2_000 ? 'met' : 'MISSED'} (< 2 ms)`)
