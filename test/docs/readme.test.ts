/**
 * Every shell command the README shows is run by a test: this one reads the README's fenced `sh`
 * blocks and runs the commands a test can run safely — `npm start` (its script, on a free port
 * with a temporary data directory), the curl examples against that server, `potok run`,
 * `potok validate` — checking their output against what the README shows beside them. The
 * others are listed in COVERED_ELSEWHERE with the place that runs them, and that place is read
 * to make sure it still does. A new README command that is in neither list fails here.
 *
 * `npx potok …` runs `node bin/potok.mjs …`, the package's `bin`, which runs the `dist/` the
 * global setup built.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const README = readFileSync(join(ROOT, 'README.md'), 'utf8')
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; bin: Record<string, string> }

interface Command {
  /** The command as the README writes it (continuations joined, prompt and trailing comment cut). */
  text: string
  /** The lines the README shows after it: its expected output (`# ` stripped in comment form). */
  expected: string[]
  /** The fenced block that follows the command's block, when it shows output (a ```json block). */
  after?: { lang: string; body: string }
}

/** The README's fenced `sh` blocks as commands with the output shown beside them. */
function readmeCommands(markdown: string): Command[] {
  const blocks = [...markdown.matchAll(/^```(\w*)[^\n]*\n([\s\S]*?)^```/gm)].map((m) => ({ lang: m[1]!, body: m[2]! }))
  const commands: Command[] = []
  blocks.forEach((block, index) => {
    if (block.lang !== 'sh') return
    const prompted = /^\$ /m.test(block.body)
    const lines = block.body
      .replace(/[ \t]*\\\n\s*/g, ' ')
      .split('\n')
      .filter((line) => line.trim() !== '')
    const inBlock: Command[] = []
    for (const line of lines) {
      const isCommand = prompted ? line.startsWith('$ ') : !line.startsWith('#')
      if (isCommand) {
        const text = (prompted ? line.slice(2) : line).replace(/\s+#\s.*$/, '').trim()
        inBlock.push({ text, expected: [] })
      } else {
        inBlock.at(-1)?.expected.push(prompted ? line : line.replace(/^#\s?/, ''))
      }
    }
    const next = blocks[index + 1]
    if (inBlock.length && next && next.lang !== 'sh') inBlock.at(-1)!.after = next
    commands.push(...inBlock)
  })
  return commands
}

/**
 * Commands a test here cannot run (they install, or run the whole suite), each with the place
 * that runs it and a string that place must still contain.
 */
const COVERED_ELSEWHERE: Array<{ command: RegExp; where: string; contains: string[] }> = [
  // `npm install` would reinstall the shared dependencies: CI installs with `npm ci` before the
  // suite, and the production-install check installs the packed package and runs `npm start`.
  { command: /^npm install && npm start$/, where: '.ci/run', contains: ['npm ci', 'scripts/check-production-install.mjs'] },
  { command: /^npm install && npm start$/, where: 'scripts/check-production-install.mjs', contains: ["'ci', '--omit=dev'", "'start'"] },
  // `npm run dev` = `potok dev`, run with a watched FLOWS_DIR by the dev server's own test.
  { command: /^npm run dev$/, where: 'test/server/dev.test.ts', contains: ["'bin/potok.mjs'), 'dev'"] },
  // `npm test` is the suite itself, run by CI.
  { command: /^npm test$/, where: '.ci/run', contains: ['npm test'] },
]

function run(file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { ...options, timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr })
    })
  })
}

/** A README command as a shell runs it, with `npx potok` as the package's bin and the README's address replaced. */
function shell(text: string, cwd: string, replace: Record<string, string> = {}) {
  let command = text.replace(/^npx potok\b/g, `"${process.execPath}" "${join(ROOT, PACKAGE.bin.potok!)}"`)
  for (const [from, to] of Object.entries(replace)) command = command.split(from).join(to)
  return run('/bin/sh', ['-c', command], { cwd, env: { ...process.env, MONGODB_URI: '', POTOK_ADMIN_TOKEN: '' } })
}

/** Output lines shown in the README, `…` standing for anything, matched in order. */
function expectLines(actual: string, expected: string[], what: string) {
  const lines = actual.split('\n').map((line) => line.trimEnd())
  let at = 0
  for (const line of expected) {
    if (line.trim() === '…') continue
    const [head, ...rest] = line.split('…')
    const pattern = new RegExp(`^${[head!, ...rest].map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i')
    const found = lines.findIndex((candidate, index) => index >= at && pattern.test(candidate))
    expect(found, `${what}: the README shows "${line}"; got:\n${actual}`).toBeGreaterThanOrEqual(0)
    at = found + 1
  }
}

const commands = readmeCommands(README)
const README_ADDRESS = 'http://127.0.0.1:3000'

describe('README commands', () => {
  let server: ChildProcess | undefined
  let address = ''
  const work = mkdtempSync(join(tmpdir(), 'potok-readme-'))

  beforeAll(async () => {
    // `npm start` as package.json defines it, in a fresh directory: DATA_DIR is its default
    // ./data there; PORT=0 because a test never depends on a port being free.
    const [node, ...args] = PACKAGE.scripts.start!.split(' ')
    expect(node).toBe('node')
    server = spawn(
      process.execPath,
      args.map((arg) => (arg.startsWith('bin/') ? join(ROOT, arg) : arg)),
      {
        cwd: work,
        env: { ...process.env, PORT: '0', HOST: '127.0.0.1', FLOWS_DIR: join(ROOT, 'flows'), DATA_DIR: '', MONGODB_URI: '', POTOK_ADMIN_TOKEN: '', WORKERS: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let out = ''
    server.stderr!.on('data', (chunk) => {
      out += chunk
    })
    address = await new Promise<string>((resolve, reject) => {
      server!.stdout!.on('data', (chunk) => {
        out += chunk
        const listening = /potok listening on (http:\/\/[^\s]+) /.exec(out)
        if (listening) resolve(listening[1]!.replace(/\/$/, ''))
      })
      server!.on('exit', (code) => reject(new Error(`npm start exited with ${code}: ${out}`)))
    })
    // "npm start prints its address and where the admin token is" (data/admin-token, generated).
    expect(out).toMatch(/potok listening on http:\/\/127\.0\.0\.1:\d+\/? \(store: sqlite; admin token in data[\\/]admin-token\)/)
  })

  afterAll(() => {
    server?.kill('SIGKILL')
    rmSync(work, { recursive: true, force: true })
  })

  test('the README shows the commands this test knows (a new one must be run here or listed with its place)', () => {
    expect(commands.map((c) => c.text)).toEqual([
      'npm install && npm start',
      'npm run dev',
      'npm test',
      `curl -i -X POST ${README_ADDRESS}/api/webrequest/greet -H 'content-type: application/json' -d '{"name":"Ada","n":41}'`,
      `curl -i -X POST '${README_ADDRESS}/api/webrequest/greet?async=true' -d '{}'`,
      `curl -H "Authorization: Bearer $(cat data/admin-token)" ${README_ADDRESS}/api/v1/processes`,
      `npx potok run flows/greet.json --input '{"body":{"name":"Ada","n":41}}'`,
      'npx potok validate flows/*.json',
      `echo '{"id":"x","nodes":[{"id":"s","type":"start"}],"edges":[{"from":"s","to":"y"}]}' > /tmp/x.json`,
      'npx potok validate /tmp/x.json',
    ])
  })

  test('the commands covered elsewhere are still run there', () => {
    for (const command of commands.filter((c) => COVERED_ELSEWHERE.some((e) => e.command.test(c.text)))) {
      for (const place of COVERED_ELSEWHERE.filter((e) => e.command.test(command.text))) {
        expect(existsSync(join(ROOT, place.where)), place.where).toBe(true)
        const text = readFileSync(join(ROOT, place.where), 'utf8')
        for (const needle of place.contains) expect(text, `${place.where} runs "${command.text}"`).toContain(needle)
      }
    }
    expect(PACKAGE.scripts.dev).toBe('node bin/potok.mjs dev')
    expect(PACKAGE.scripts.test).toMatch(/vitest run/)
  })

  test('npm start serves the flows: the greeting curl answers as the README shows', async () => {
    const command = commands.find((c) => c.text.includes('/api/webrequest/greet -H'))!
    const result = await shell(command.text, work, { [README_ADDRESS]: address })
    expect(result.code, result.stderr).toBe(0)
    expect(command.expected.length).toBeGreaterThan(2)
    expectLines(result.stdout.replace(/\r/g, ''), command.expected, command.text)
  })

  test('?async=true answers 202 with a process id, and the processes curl lists it with the generated token', async () => {
    const asyncCommand = commands.find((c) => c.text.includes('async=true'))!
    const accepted = await shell(asyncCommand.text, work, { [README_ADDRESS]: address })
    expect(accepted.code, accepted.stderr).toBe(0)
    expect(accepted.stdout).toMatch(/^HTTP\/1\.1 202/)
    const processId = /^x-process-id: (\S+)/im.exec(accepted.stdout)?.[1]
    expect(processId).toBeTruthy()

    const list = commands.find((c) => c.text.includes('/api/v1/processes'))!
    await expect
      .poll(async () => {
        const result = await shell(list.text, work, { [README_ADDRESS]: address })
        const page = JSON.parse(result.stdout) as { items: Array<{ id: string; status: string; scenario: { id: string } }> }
        return page.items.find((item) => item.id === processId)?.status
      })
      .toBe('completed')
  })

  test('potok run prints the result the README shows', async () => {
    const command = commands.find((c) => c.text.startsWith('npx potok run'))!
    expect(command.after?.lang).toBe('json')
    const result = await shell(command.text, ROOT)
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(command.after!.body))
  })

  test('potok validate: the examples are valid, and the broken file gets the problems the README shows', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'potok-readme-x-'))
    const file = join(scratch, 'x.json')
    try {
      const examples = commands.find((c) => c.text === 'npx potok validate flows/*.json')!
      const valid = await shell(examples.text, ROOT)
      expect(valid.code, valid.stdout).toBe(0)
      expectLines(valid.stdout, examples.expected, examples.text)

      const write = commands.find((c) => c.text.startsWith('echo '))!
      expect((await shell(write.text, ROOT, { '/tmp/x.json': file })).code).toBe(0)
      const broken = commands.find((c) => c.text === 'npx potok validate /tmp/x.json')!
      const invalid = await shell(broken.text, ROOT, { '/tmp/x.json': file })
      expect(invalid.code).toBe(1)
      expect(invalid.stdout.trimEnd().split('\n')).toEqual(broken.expected.map((line) => line.split('/tmp/x.json').join(file)))
    } finally {
      rmSync(scratch, { recursive: true, force: true })
    }
  })

  test("the commands in the README's tables exist: each potok command (run by its own test) and each benchmark file", async () => {
    // Where each CLI command of the table is run as a user runs it (node bin/potok.mjs …).
    const tested: Record<string, string> = {
      serve: 'test/server/serve.test.ts',
      dev: 'test/server/dev.test.ts',
      validate: 'test/runtime/cli.test.ts',
      run: 'test/runtime/cli.test.ts',
      processes: 'test/server/cli-processes.test.ts',
      replay: 'test/server/cli-processes.test.ts',
      import: 'test/bpmn/cli.test.ts',
      export: 'test/bpmn/cli.test.ts',
    }
    const listed = [...README.matchAll(/^\| `potok (\w+)[^`]*` \|/gm)].map((m) => m[1]!)
    expect(listed.sort()).toEqual(Object.keys(tested).sort())
    const help = await run(process.execPath, [join(ROOT, PACKAGE.bin.potok!), '--help'], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } })
    const usage = /potok ([\w|]+)/.exec(help.stdout.replace(/\u001b\[\d+m/g, ''))?.[1]?.split('|') ?? []
    for (const command of listed) {
      expect(usage, `potok ${command} is not a command`).toContain(command)
      expect(readFileSync(join(ROOT, tested[command]!), 'utf8'), `${tested[command]} runs potok ${command}`).toMatch(new RegExp(`['"]${command}['"]`))
    }
    // Benchmarks are run by hand (never timed in tests); the files the README names must exist.
    const benches = [...README.matchAll(/`node --import tsx (bench\/[\w-]+\.ts)`/g)].map((m) => m[1]!)
    expect(benches.length).toBeGreaterThan(0)
    expect(benches.filter((file) => !existsSync(join(ROOT, file)))).toEqual([])
  })

  test('the extraction reads prompts, continuations, comments and the output shown after a command', () => {
    const parsed = readmeCommands('```sh\n$ a \\\n  b\nout 1\n$ c # note\n```\n\n```json\n{}\n```\n```sh\nd   # why\n# shown\n```\n')
    expect(parsed).toEqual([
      { text: 'a b', expected: ['out 1'] },
      { text: 'c', expected: [], after: { lang: 'json', body: '{}\n' } },
      { text: 'd', expected: ['shown'] },
    ])
  })
})
