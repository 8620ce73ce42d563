/**
 * The one contract every store adapter passes (`store/port.ts`). Each adapter's test
 * file calls `storeContract(name, makeStore)`; every test gets a fresh, initialised store.
 */
import { randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { PotokError } from '../../runtime/errors.ts'
import type { ProcessRecord, ProcessStore, WebRequestRecord } from '../../store/port.ts'
import type { ProcessStatus, Scenario, StepRecord } from '../../runtime/types.ts'
import { manualClock, type ManualClock } from '../clock.ts'

export interface ContractOptions {
  /** Skip every test (e.g. no database reachable). */
  skip?: boolean
  /** Called after each test instead of `store.close()` (e.g. to drop a database). */
  dispose?: (store: ProcessStore) => Promise<void>
}

const T0 = Date.parse('2024-05-01T10:00:00.000Z')
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString()

function greet(overrides: Partial<Scenario> = {}): Scenario {
  return {
    id: 'greet',
    name: 'Greeting',
    nodes: [
      { id: 'start', type: 'start' },
      { id: 'vars', type: 'setVariables', config: { assignments: [{ name: '$body', value: "'hi'" }] } },
      { id: 'end', type: 'end' },
    ],
    edges: [
      { from: 'start', to: 'vars' },
      { from: 'vars', to: 'end' },
    ],
    ...overrides,
  }
}

function webRequest(overrides: Partial<WebRequestRecord> = {}): WebRequestRecord {
  return {
    id: 'wr-1',
    name: 'Greeting',
    urlId: 'greet',
    scenarioId: 'greet',
    enabled: true,
    cors: { origins: '*', methods: ['POST'] },
    auth: { type: 'bearer', token: { env: 'GREET_TOKEN' } },
    createdAt: at(0),
    updatedAt: at(0),
    ...overrides,
  }
}

function proc(overrides: Partial<ProcessRecord> = {}): ProcessRecord {
  return {
    id: randomUUID(),
    scenario: { id: 'greet', version: 1 },
    trigger: { type: '$webRequest', id: 'wr-1', async: false },
    status: 'queued',
    input: { body: { name: 'Ann' }, headers: { 'content-type': 'application/json' } },
    startedAt: at(0),
    ...overrides,
  }
}

function step(index: number, overrides: Partial<StepRecord> = {}): StepRecord {
  return { index, nodeId: `n${index}`, type: 'setVariables', startedAt: at(index), status: 'running', ...overrides }
}

async function rejection(promise: Promise<unknown>): Promise<PotokError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(PotokError)
    return error as PotokError
  }
  throw new Error('expected a rejection')
}

export function storeContract(name: string, makeStore: () => Promise<ProcessStore>, options: ContractOptions = {}): void {
  describe.skipIf(options.skip)(`store contract: ${name}`, () => {
    let store: ProcessStore

    beforeEach(async () => {
      store = await makeStore()
    })
    afterEach(async () => {
      if (!store) return
      if (options.dispose) await options.dispose(store)
      else await store.close()
    })

    it('answers ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined()
    })

    describe('scenarios', () => {
      it('keeps the version of an unchanged document and adds one for a change', async () => {
        const first = await store.saveScenario(greet())
        expect(first).toMatchObject({ id: 'greet', version: 1, scenario: { id: 'greet', version: 1 } })
        expect(typeof first.createdAt).toBe('string')

        // Same document, other key order and a stale version field: no new version.
        const reordered = JSON.parse(JSON.stringify({ version: 9, edges: greet().edges, nodes: greet().nodes, name: 'Greeting', id: 'greet' }))
        expect((await store.saveScenario(reordered)).version).toBe(1)

        const second = await store.saveScenario(greet({ name: 'Greeting 2' }))
        expect(second.version).toBe(2)
        expect(second.scenario.name).toBe('Greeting 2')

        expect((await store.getScenario('greet'))?.version).toBe(2)
        const old = await store.getScenario('greet', 1)
        expect(old?.scenario.name).toBe('Greeting')
        expect(old?.scenario.version).toBe(1)
        expect(await store.getScenario('greet', 3)).toBeNull()
        expect(await store.getScenario('nope')).toBeNull()

        const versions = await store.listScenarioVersions('greet')
        expect(versions.map((v) => v.version)).toEqual([1, 2])
      })

      it('lists the latest version of each scenario and deletes every version', async () => {
        await store.saveScenario(greet())
        await store.saveScenario(greet({ name: 'v2' }))
        await store.saveScenario(greet({ id: 'other' }))
        const list = await store.listScenarios()
        expect(list.map((s) => [s.id, s.version, s.scenario.name])).toEqual([
          ['greet', 2, 'v2'],
          ['other', 1, 'Greeting'],
        ])

        expect(await store.deleteScenario('greet')).toBe(true)
        expect(await store.deleteScenario('greet')).toBe(false)
        expect(await store.getScenario('greet')).toBeNull()
        expect(await store.listScenarioVersions('greet')).toEqual([])
        expect((await store.listScenarios()).map((s) => s.id)).toEqual(['other'])
      })

      it('gives concurrent saves of one change one version', async () => {
        await store.saveScenario(greet())
        const saved = await Promise.all([1, 2, 3].map(() => store.saveScenario(greet({ name: 'same change' }))))
        expect(saved.map((s) => s.version)).toEqual([2, 2, 2])
        expect((await store.listScenarioVersions('greet')).length).toBe(2)
      })
    })

    describe('external requests', () => {
      it('creates, finds, lists, replaces and deletes', async () => {
        const record = webRequest()
        expect(await store.createWebRequest(record)).toEqual(record)
        await store.createWebRequest(webRequest({ id: 'wr-2', urlId: 'other', scenarioId: 'other' }))

        expect(await store.getWebRequest('wr-1')).toEqual(record)
        expect(await store.findWebRequestByUrlId('greet')).toEqual(record)
        expect(await store.findWebRequestByUrlId('missing')).toBeNull()
        expect((await store.listWebRequests()).map((r) => r.id)).toEqual(['wr-1', 'wr-2'])
        expect((await store.listWebRequests({ scenarioId: 'other' })).map((r) => r.id)).toEqual(['wr-2'])

        const replaced = { ...record, urlId: 'greet-2', name: 'Renamed', enabled: false, updatedAt: at(5) }
        delete (replaced as Partial<WebRequestRecord>).cors
        expect(await store.replaceWebRequest(replaced)).toEqual(replaced)
        expect(await store.getWebRequest('wr-1')).toEqual(replaced)
        expect(await store.findWebRequestByUrlId('greet')).toBeNull()
        expect((await store.findWebRequestByUrlId('greet-2'))?.id).toBe('wr-1')
        expect(await store.replaceWebRequest(webRequest({ id: 'absent', urlId: 'absent' }))).toBeNull()

        expect(await store.deleteWebRequest('wr-1')).toBe(true)
        expect(await store.deleteWebRequest('wr-1')).toBe(false)
        expect(await store.getWebRequest('wr-1')).toBeNull()
      })

      it('refuses a taken urlId on create and on replace with CONFLICT 409', async () => {
        await store.createWebRequest(webRequest())
        await store.createWebRequest(webRequest({ id: 'wr-2', urlId: 'second' }))

        const onCreate = await rejection(store.createWebRequest(webRequest({ id: 'wr-3' })))
        expect(onCreate.code).toBe('CONFLICT')
        expect(onCreate.status).toBe(409)
        expect(onCreate.message).toContain('greet')

        const onReplace = await rejection(store.replaceWebRequest(webRequest({ id: 'wr-2', urlId: 'greet' })))
        expect(onReplace.code).toBe('CONFLICT')
        expect(onReplace.status).toBe(409)
        expect((await store.getWebRequest('wr-2'))?.urlId).toBe('second')

        const sameId = await rejection(store.createWebRequest(webRequest({ urlId: 'fresh' })))
        expect(sameId.code).toBe('CONFLICT')
        expect(await store.findWebRequestByUrlId('fresh')).toBeNull()
      })
    })

    describe('processes', () => {
      it('creates and reads a process as stored', async () => {
        const record = proc({ parentId: 'parent-1', replayOf: 'orig-1' })
        await store.createProcess(record)
        const read = await store.getProcess(record.id)
        expect(read).toMatchObject(record)
        expect(read?.steps).toBeUndefined()
        expect(read?.output ?? null).toBeNull()
        expect(read?.lease ?? null).toBeNull()
        expect((await store.getProcess(record.id, { steps: true }))?.steps).toEqual([])
        expect(await store.getProcess('missing')).toBeNull()

        const duplicate = await rejection(store.createProcess(record))
        expect(duplicate.code).toBe('CONFLICT')
        expect(duplicate.status).toBe(409)
      })

      it('updates a process, upserting steps, leaving unset fields alone', async () => {
        const record = proc({ status: 'running' })
        await store.createProcess(record)
        await store.updateProcess(record.id, { snapshot: { value: 'vars' } }, [step(2), step(0)])
        await store.updateProcess(record.id, {}, [step(0, { status: 'completed', finishedAt: at(1), durationMs: 3 }), step(1)])
        await store.updateProcess(
          record.id,
          {
            status: 'completed',
            output: { $body: 'hi' },
            response: { status: 201, headers: { 'x-flow': 'yes', 'set-cookie': ['a=1', 'b=2'] }, body: { ok: true } },
            finishedAt: at(2),
            durationMs: 2000,
          },
          [step(1, { status: 'completed' }), step(2, { status: 'failed', error: { code: 'X', message: 'boom' } })],
        )

        const read = await store.getProcess(record.id, { steps: true })
        expect(read).toMatchObject({
          status: 'completed',
          input: record.input,
          output: { $body: 'hi' },
          response: { status: 201, headers: { 'x-flow': 'yes', 'set-cookie': ['a=1', 'b=2'] }, body: { ok: true } },
          finishedAt: at(2),
          durationMs: 2000,
          snapshot: { value: 'vars' },
        })
        expect(read?.steps).toEqual([
          step(0, { status: 'completed', finishedAt: at(1), durationMs: 3 }),
          step(1, { status: 'completed' }),
          step(2, { status: 'failed', error: { code: 'X', message: 'boom' } }),
        ])

        await store.updateProcess(record.id, { lease: { owner: 'a', expiresAt: at(60) } })
        expect((await store.getProcess(record.id))?.lease).toEqual({ owner: 'a', expiresAt: at(60) })
        await store.updateProcess(record.id, { lease: null, error: null })
        const cleared = await store.getProcess(record.id)
        expect(cleared?.lease ?? null).toBeNull()
        expect(cleared?.status).toBe('completed')

        const missing = await rejection(store.updateProcess('missing', { status: 'failed' }))
        expect(missing.code).toBe('NOT_FOUND')
        expect(missing.status).toBe(404)
      })

      it('records a finished process with its steps in one call', async () => {
        const record = proc({ status: 'completed', output: { $status: 201 }, response: { status: 201, headers: {} }, finishedAt: at(1), durationMs: 1000 })
        const steps = [step(0, { status: 'completed' }), step(1, { status: 'completed' }), step(2, { status: 'completed' })]
        await store.recordProcess(record, steps)
        const read = await store.getProcess(record.id, { steps: true })
        expect(read).toMatchObject({ ...record, steps })

        // Recording a process that already exists (created queued, with steps) replaces it whole.
        const queued = proc()
        await store.createProcess({ ...queued, steps: [step(0), step(1)] })
        await store.recordProcess({ ...queued, status: 'failed', error: { code: 'E', message: 'm' } }, steps.slice(0, 1))
        const replaced = await store.getProcess(queued.id, { steps: true })
        expect(replaced?.status).toBe('failed')
        expect(replaced?.error).toEqual({ code: 'E', message: 'm' })
        expect(replaced?.steps).toEqual(steps.slice(0, 1))
      })

      it('gives back a recorded output built on its input whole, its keys in order, whatever the process did to the input', async () => {
        const input = { event: { id: 'w' }, headers: { a: '1', b: '2' }, body: { name: 'Ann', list: [1, { x: null }] }, ['__proto__']: { polluted: true } }
        const outputs: Array<Record<string, unknown>> = [
          { ...input, $status: 201, $body: { ok: true } },
          { ...input, body: { name: 'Bob', list: [1, { x: null }] }, $status: 200 },
          { ...input, headers: { b: '2', a: '1' } },
          { headers: input.headers, event: input.event, body: input.body },
          { event: input.event, body: input.body, $body: 1 },
          { ...input },
          { a: 1 },
        ]
        for (const output of outputs) {
          const snapshot = { status: 'done', value: 'completed', context: { pid: 'x', vars: output }, output: null }
          const record = proc({ status: 'completed', input, output, snapshot, finishedAt: at(1) })
          await store.recordProcess(record, [])
          const read = await store.getProcess(record.id)
          expect(JSON.stringify(read?.output)).toBe(JSON.stringify(output))
          expect(Object.getPrototypeOf(read?.output)).toBe(Object.prototype)
          expect(JSON.stringify(read?.input)).toBe(JSON.stringify(input))
          expect(read?.snapshot).toEqual(snapshot)
        }
        // A list leaves an output out with a large input it was built on.
        const large = { body: { text: 'x'.repeat(70 * 1024) } }
        const big = proc({ status: 'completed', input: large, output: { ...large, $status: 201 }, startedAt: at(5), finishedAt: at(6) })
        await store.recordProcess(big, [])
        const listed = await store.listProcesses({ limit: 1 })
        expect(listed.items[0]?.id).toBe(big.id)
        expect(listed.items[0]?.omitted).toEqual(['input', 'output'])
        expect(listed.items[0]?.output ?? null).toBeNull()
        expect((await store.getProcess(big.id))?.output).toEqual({ ...large, $status: 201 })
      })

      it('stores a recorded snapshot once with its output, and gives both back whole', async () => {
        const vars = { a: 1, $body: { ok: true } }
        const snapshot = { status: 'active', value: 'failed', context: { pid: 'x', vars, stepCount: 2 } }
        const record = proc({ status: 'interrupted', output: vars, snapshot, finishedAt: at(1), durationMs: 5 })
        await store.recordProcess(record, [step(0, { status: 'completed' }), step(1, { status: 'failed' })])
        const read = await store.getProcess(record.id, { steps: true })
        expect(read?.snapshot).toEqual(snapshot)
        expect(read?.output).toEqual(vars)
        // Resumed later: the steps it adds come after (and over) the recorded ones.
        await store.updateProcess(record.id, { status: 'running' }, [step(1, { status: 'completed' }), step(2, { status: 'completed' })])
        const resumed = await store.getProcess(record.id, { steps: true })
        expect(resumed?.steps?.map((s) => [s.index, s.status])).toEqual([
          [0, 'completed'],
          [1, 'completed'],
          [2, 'completed'],
        ])
      })

      it('lists newest first with every filter', async () => {
        const records = [
          proc({ id: 'p1', startedAt: at(1), status: 'completed', scenario: { id: 'a', version: 1 }, trigger: { type: '$webRequest', id: 'w1', async: false } }),
          proc({ id: 'p2', startedAt: at(2), status: 'failed', scenario: { id: 'a', version: 2 }, trigger: { type: '$webRequest', id: 'w2', async: true } }),
          proc({ id: 'p3', startedAt: at(3), status: 'queued', scenario: { id: 'b', version: 1 }, trigger: { type: '$webRequest', id: 'w1', async: true } }),
          proc({ id: 'p4', startedAt: at(4), status: 'running', scenario: { id: 'b', version: 1 }, trigger: { type: '$subProcess', id: null, async: false }, parentId: 'p3' }),
        ]
        for (const record of records) await store.createProcess(record)
        const ids = async (filter: Parameters<ProcessStore['listProcesses']>[0]) => {
          const page = await store.listProcesses(filter)
          return page.items.map((p) => p.id)
        }
        expect(await ids({})).toEqual(['p4', 'p3', 'p2', 'p1'])
        expect(await ids({ status: 'queued' })).toEqual(['p3'])
        expect(await ids({ status: ['completed', 'failed'] })).toEqual(['p2', 'p1'])
        expect(await ids({ scenarioId: 'a' })).toEqual(['p2', 'p1'])
        expect(await ids({ triggerId: 'w1' })).toEqual(['p3', 'p1'])
        expect(await ids({ parentId: 'p3' })).toEqual(['p4'])
        expect(await ids({ from: at(2), to: at(4) })).toEqual(['p3', 'p2'])
        expect(await ids({ scenarioId: 'b', status: 'running', triggerId: undefined })).toEqual(['p4'])
        expect(await ids({ scenarioId: 'missing' })).toEqual([])
        const page = await store.listProcesses({})
        expect(page.nextCursor).toBeNull()
        expect(page.items[0].steps).toBeUndefined()
        expect(page.items[0].parentId).toBe('p3')
      })

      it('pages with a cursor: no duplicates or gaps, equal startedAt broken by id', async () => {
        const created: ProcessRecord[] = []
        for (let i = 0; i < 23; i++) {
          // Groups of equal timestamps, inserted in shuffled id order.
          const record = proc({ id: `p-${String((i * 7) % 23).padStart(2, '0')}`, startedAt: at(Math.floor(i / 5)), scenario: { id: 'paged', version: 1 } })
          created.push(record)
          await store.createProcess(record)
        }
        await store.createProcess(proc({ id: 'noise', scenario: { id: 'other', version: 1 } }))
        const expected = created
          .slice()
          .sort((a, b) => (a.startedAt === b.startedAt ? (a.id < b.id ? 1 : -1) : a.startedAt < b.startedAt ? 1 : -1))
          .map((p) => p.id)

        const seen: string[] = []
        let cursor: string | null = null
        let pages = 0
        do {
          const page = await store.listProcesses({ scenarioId: 'paged', limit: 4, cursor })
          expect(page.items.length).toBeLessThanOrEqual(4)
          seen.push(...page.items.map((p) => p.id))
          cursor = page.nextCursor
          pages++
        } while (cursor && pages < 20)
        expect(seen).toEqual(expected)
        expect(pages).toBe(6)

        // A page ending exactly at the last item has no next cursor.
        const exact = await store.listProcesses({ scenarioId: 'paged', limit: 23 })
        expect(exact.items.length).toBe(23)
        expect(exact.nextCursor).toBeNull()

        const bad = await rejection(store.listProcesses({ cursor: 'not-a-cursor' }))
        expect(bad.code).toBe('INVALID_CURSOR')
        expect(bad.status).toBe(400)
      })

      it('transitions atomically, only from the listed statuses', async () => {
        const record = proc()
        await store.createProcess(record)
        expect(await store.transitionProcess(record.id, ['running'], { status: 'completed' })).toBe(false)
        expect((await store.getProcess(record.id))?.status).toBe('queued')

        expect(await store.transitionProcess(record.id, ['queued'], { status: 'running', snapshot: { s: 1 } })).toBe(true)
        const running = await store.getProcess(record.id)
        expect(running?.status).toBe('running')
        expect(running?.snapshot).toEqual({ s: 1 })
        expect(await store.transitionProcess('missing', ['queued'], { status: 'running' })).toBe(false)

        // Many concurrent movers out of `running`: exactly one wins.
        const outcomes: ProcessStatus[] = ['completed', 'cancelled', 'failed', 'interrupted', 'completed', 'cancelled']
        const results = await Promise.all(outcomes.map((status) => store.transitionProcess(record.id, ['queued', 'running'], { status, finishedAt: at(9) })))
        expect(results.filter(Boolean).length).toBe(1)
        const final = await store.getProcess(record.id)
        expect(final?.status).toBe(outcomes[results.indexOf(true)])
        expect(final?.finishedAt).toBe(at(9))
      })

      it('transitions with an owner only while that owner holds the lease', async () => {
        await store.createProcess(proc({ id: 'leased', startedAt: at(0) }))
        await store.claimProcesses('holder', 60_000, 1)
        expect(await store.transitionProcess('leased', ['running'], { status: 'completed' }, 'someone-else')).toBe(false)
        expect((await store.getProcess('leased'))?.status).toBe('running')
        expect(await store.transitionProcess('leased', ['running'], { status: 'completed', lease: null }, 'holder')).toBe(true)
        expect((await store.getProcess('leased'))?.status).toBe('completed')
      })

      it('prunes finished processes started before a time, never queued or running ones', async () => {
        const statuses: ProcessStatus[] = ['queued', 'running', 'completed', 'failed', 'interrupted', 'cancelled']
        for (const status of statuses) {
          await store.recordProcess(proc({ id: `old-${status}`, status, startedAt: at(0) }), [step(0)])
        }
        await store.createProcess(proc({ id: 'new-completed', status: 'completed', startedAt: at(100) }))
        expect(await store.pruneProcesses(at(50))).toBe(4)
        const left = (await store.listProcesses({})).items.map((p) => p.id).sort()
        expect(left).toEqual(['new-completed', 'old-queued', 'old-running'])
        expect(await store.getProcess('old-completed', { steps: true })).toBeNull()
        expect((await store.getProcess('old-running', { steps: true }))?.steps?.length).toBe(1)
        expect(await store.pruneProcesses(at(50))).toBe(0)
      })
    })

    describe('after the housekeeping of ended processes (archiveEnded: MongoDB moves them out of the working collection)', () => {
      /** Runs the store's housekeeping as if every end were old enough. */
      const archive = async () => {
        let moved = 0
        for (;;) {
          const count = (await store.archiveEnded?.({ endedBefore: at(1e6) })) ?? 0
          if (count === 0) return moved
          moved += count
        }
      }

      it('reads, lists, updates and prunes an archived process as before', async () => {
        const ended = proc({ id: 'ended', status: 'completed', startedAt: at(1), output: { a: 1 }, finishedAt: at(2), durationMs: 1000 })
        await store.recordProcess(ended, [step(0, { status: 'completed' })])
        await store.createProcess(proc({ id: 'waiting', startedAt: at(2) }))
        await store.recordProcess(proc({ id: 'older', status: 'failed', startedAt: at(0), finishedAt: at(1) }), [])
        const moved = await archive()
        if (store.archiveEnded) expect(moved).toBe(2)
        expect(await archive()).toBe(0)

        expect(await store.getProcess('ended', { steps: true })).toMatchObject({ status: 'completed', output: { a: 1 }, steps: [{ index: 0, status: 'completed' }] })
        const all = await store.listProcesses({})
        expect(all.items.map((p) => p.id)).toEqual(['waiting', 'ended', 'older'])
        // Paging crosses from the working processes to the archived ones.
        const first = await store.listProcesses({ limit: 1 })
        expect(first.items.map((p) => p.id)).toEqual(['waiting'])
        const second = await store.listProcesses({ limit: 1, cursor: first.nextCursor! })
        expect(second.items.map((p) => p.id)).toEqual(['ended'])
        expect((await store.listProcesses({ status: 'failed' })).items.map((p) => p.id)).toEqual(['older'])

        await store.updateProcess('ended', {}, [step(1, { status: 'cancelled' })])
        expect((await store.getProcess('ended', { steps: true }))?.steps?.map((s) => s.index)).toEqual([0, 1])
        expect(await store.pruneProcesses(at(5))).toBe(2)
        expect((await store.listProcesses({})).items.map((p) => p.id)).toEqual(['waiting'])
      })

      it('resumes an archived process: it is claimed again and archived again after its next end', async () => {
        const time = manualClock(T0 + 10_000)
        try {
          const snapshot = { status: 'active', value: 'vars', context: { pid: 'cut', vars: {} } }
          await store.recordProcess(proc({ id: 'cut', status: 'interrupted', startedAt: at(0), snapshot, finishedAt: at(1), error: { code: 'TIMEOUT', message: 'm' } }), [])
          await archive()
          expect(await store.transitionProcess('cut', ['interrupted'], { status: 'queued', lease: null, error: null, finishedAt: null })).toBe(true)
          expect(await archive()).toBe(0)
          const [claimed] = await store.claimProcesses('a', 60_000, 4)
          expect(claimed).toMatchObject({ id: 'cut', status: 'running', snapshot })
          expect(await store.commitProcess('cut', { owner: 'a', fence: claimed!.rev! }, { status: 'completed', output: { done: true }, finishedAt: at(20), lease: null })).toBe(true)
          await archive()
          expect(await store.getProcess('cut')).toMatchObject({ status: 'completed', output: { done: true } })
          expect((await store.listProcesses({})).items.map((p) => [p.id, p.status])).toEqual([['cut', 'completed']])
          // Archived with its newer end, it is brought back again by the next resume.
          expect(await store.transitionProcess('cut', ['completed'], { status: 'queued' })).toBe(true)
          expect((await store.getProcess('cut'))?.status).toBe('queued')
          expect(await store.claimProcesses('b', 60_000, 4)).toHaveLength(1)
        } finally {
          time.restore()
        }
      })

      it('refuses a sub-process id that is taken by an archived one', async () => {
        await store.recordProcess(proc({ id: 'child-1', status: 'completed', parentId: 'parent', startedAt: at(0), finishedAt: at(1) }), [])
        await archive()
        const error = await rejection(store.createProcess(proc({ id: 'child-1', parentId: 'parent', startedAt: at(2) })))
        expect(error.code).toBe('CONFLICT')
        expect((await store.getProcess('child-1'))?.status).toBe('completed')
        expect(await store.claimProcesses('a', 60_000, 4)).toEqual([])
      })
    })

    describe('claims and leases', () => {
      // Leases and wake times are read off the clock: the tests move it on instead of sleeping.
      let time: ManualClock
      beforeEach(() => {
        time = manualClock()
      })
      afterEach(() => time.restore())

      it('claims queued processes once, oldest first', async () => {
        for (let i = 0; i < 3; i++) await store.createProcess(proc({ id: `q${i}`, startedAt: at(i) }))
        // A synchronous process running without a lease is never claimed.
        await store.createProcess(proc({ id: 'sync', status: 'running', startedAt: at(-10) }))
        await store.createProcess(proc({ id: 'done', status: 'completed', startedAt: at(-10) }))

        const first = await store.claimProcesses('a', 60_000, 2)
        expect(first.map((p) => p.id)).toEqual(['q0', 'q1'])
        for (const claimed of first) {
          expect(claimed.status).toBe('running')
          expect(claimed.lease?.owner).toBe('a')
          expect(Date.parse(claimed.lease!.expiresAt)).toBeGreaterThan(Date.now() + 50_000)
          expect(claimed.input).toEqual(proc().input)
        }
        expect((await store.getProcess('q0'))?.lease?.owner).toBe('a')
        expect((await store.claimProcesses('b', 60_000, 5)).map((p) => p.id)).toEqual(['q2'])
        expect(await store.claimProcesses('c', 60_000, 5)).toEqual([])
        expect(await store.claimProcesses('c', 60_000, 0)).toEqual([])
      })

      it('never gives one process to two concurrent claimers', async () => {
        const ids: string[] = []
        for (let i = 0; i < 12; i++) {
          const record = proc({ id: `c${String(i).padStart(2, '0')}`, startedAt: at(i) })
          ids.push(record.id)
          await store.createProcess(record)
        }
        const [a, b, c] = await Promise.all([store.claimProcesses('a', 60_000, 12), store.claimProcesses('b', 60_000, 12), store.claimProcesses('c', 60_000, 5)])
        const all = [...a, ...b, ...c].map((p) => p.id)
        expect(new Set(all).size).toBe(all.length)
        expect(all.sort()).toEqual(ids)
        for (const [owner, claimed] of [
          ['a', a],
          ['b', b],
          ['c', c],
        ] as const) {
          for (const p of claimed) expect((await store.getProcess(p.id))?.lease?.owner).toBe(owner)
        }
      })

      it('reclaims an expired lease but not a live one', async () => {
        await store.createProcess(proc({ id: 'short', startedAt: at(0) }))
        await store.createProcess(proc({ id: 'long', startedAt: at(1) }))
        expect((await store.claimProcesses('a', 400, 1)).map((p) => p.id)).toEqual(['short'])
        expect((await store.claimProcesses('a', 60_000, 1)).map((p) => p.id)).toEqual(['long'])
        expect(await store.claimProcesses('b', 60_000, 5)).toEqual([])
        await time.advance(399)
        expect(await store.claimProcesses('b', 60_000, 5)).toEqual([])
        await time.advance(51)
        const reclaimed = await store.claimProcesses('b', 60_000, 5)
        expect(reclaimed.map((p) => p.id)).toEqual(['short'])
        expect(reclaimed[0].lease?.owner).toBe('b')
      })

      it('renews only the leases the owner still holds', async () => {
        for (const id of ['r1', 'r2', 'r3']) await store.createProcess(proc({ id, startedAt: at(id === 'r3' ? 0 : 5) }))
        await store.claimProcesses('a', 400, 1) // r3, expires soon
        await store.claimProcesses('a', 60_000, 2) // r1, r2
        await time.advance(450)
        expect((await store.claimProcesses('b', 60_000, 5)).map((p) => p.id)).toEqual(['r3'])
        await store.transitionProcess('r2', ['running'], { status: 'completed', lease: null })

        const before = (await store.getProcess('r1'))!.lease!.expiresAt
        await time.advance(5)
        const held = await store.renewLeases('a', ['r1', 'r2', 'r3', 'missing'], 120_000)
        expect(held).toEqual(['r1'])
        const after = (await store.getProcess('r1'))!.lease!
        expect(after.owner).toBe('a')
        expect(after.expiresAt > before).toBe(true)
        expect((await store.getProcess('r3'))?.lease?.owner).toBe('b')
        expect(await store.renewLeases('a', [], 1000)).toEqual([])
      })

      it("fences a stale owner: after a reclaim its commits are refused, the new owner's apply", async () => {
        await store.createProcess(proc({ id: 'f1' }))
        const [first] = await store.claimProcesses('a', 300, 1)
        const fenceA = { owner: 'a', fence: first.rev! }
        expect(await store.commitProcess('f1', fenceA, { snapshot: { step: 1 } }, [step(0)])).toBe(true)
        await time.advance(350)
        const [second] = await store.claimProcesses('b', 60_000, 1)
        expect(second.id).toBe('f1')
        expect(second.rev).toBeGreaterThan(first.rev!)
        expect(await store.commitProcess('f1', fenceA, { snapshot: { step: 99 } }, [step(1)])).toBe(false)
        expect(await store.commitProcess('f1', fenceA, { status: 'completed', lease: null })).toBe(false)
        // The same owner name with an old fence (a server that reclaimed its own process) is refused too.
        expect(await store.commitProcess('f1', { owner: 'b', fence: first.rev! }, { snapshot: { step: 98 } })).toBe(false)
        const fenceB = { owner: 'b', fence: second.rev! }
        expect(await store.commitProcess('f1', fenceB, { status: 'completed', snapshot: { step: 3 }, lease: null }, [step(1)])).toBe(true)
        const stored = await store.getProcess('f1', { steps: true })
        expect(stored).toMatchObject({ status: 'completed', snapshot: { step: 3 }, lease: null })
        expect(stored!.steps!.map((s) => s.index)).toEqual([0, 1])
        expect(await store.commitProcess('f1', fenceB, { snapshot: { step: 4 } })).toBe(false)
        expect(await store.claimProcesses('c', 60_000, 5)).toEqual([])
      })

      it('parks a process until its wake time, then any owner claims it', async () => {
        await store.createProcess(proc({ id: 'sleeper' }))
        const [claimed] = await store.claimProcesses('a', 60_000, 1)
        const wakeAt = new Date(time.now() + 300).toISOString()
        expect(await store.commitProcess('sleeper', { owner: 'a', fence: claimed.rev! }, { status: 'queued', lease: null, wakeAt, snapshot: { at: 'timer' } })).toBe(true)
        expect(await store.getProcess('sleeper')).toMatchObject({ status: 'queued', wakeAt })
        expect(await store.claimProcesses('b', 60_000, 5)).toEqual([])
        await time.advance(299)
        expect(await store.claimProcesses('b', 60_000, 5)).toEqual([])
        await time.advance(51)
        const [woken] = await store.claimProcesses('b', 60_000, 5)
        expect(woken).toMatchObject({ id: 'sleeper', status: 'running', snapshot: { at: 'timer' }, wakeAt: null })
        expect(woken.lease?.owner).toBe('b')
      })

      it('wakes a parked process now (a child it waits on ended), but not a running or finished one', async () => {
        await store.createProcess(proc({ id: 'waiting-parent' }))
        const [claimed] = await store.claimProcesses('a', 60_000, 1)
        expect(await store.wakeProcess('waiting-parent')).toBe(false) // running: it looks again when it parks
        const wakeAt = new Date(Date.now() + 60_000).toISOString()
        expect(await store.commitProcess('waiting-parent', { owner: 'a', fence: claimed.rev! }, { status: 'queued', lease: null, wakeAt, snapshot: { at: 'child' } })).toBe(true)
        expect(await store.claimProcesses('b', 60_000, 5)).toEqual([])
        expect(await store.wakeProcess('waiting-parent')).toBe(true)
        expect(await store.wakeProcess('waiting-parent')).toBe(false) // already due
        const [woken] = await store.claimProcesses('b', 60_000, 5)
        expect(woken).toMatchObject({ id: 'waiting-parent', status: 'running', snapshot: { at: 'child' } })
        expect(await store.wakeProcess('waiting-parent')).toBe(false)
        expect(await store.wakeProcess('nobody')).toBe(false)
      })

      it('renews the lease with a commit', async () => {
        await store.createProcess(proc({ id: 'renewed' }))
        const [claimed] = await store.claimProcesses('a', 60_000, 1)
        const before = claimed.lease!.expiresAt
        await time.advance(5)
        expect(await store.commitProcess('renewed', { owner: 'a', fence: claimed.rev! }, { snapshot: { n: 1 } }, [], 120_000)).toBe(true)
        expect((await store.getProcess('renewed'))!.lease!.expiresAt > before).toBe(true)
      })

      it('takes a health write', async () => {
        await store.probeWrite('server-1')
        await store.probeWrite('server-1')
      })

      it('renews an expired lease nobody took', async () => {
        await store.createProcess(proc({ id: 'lapsed' }))
        await store.claimProcesses('a', 20, 1)
        await time.advance(40)
        expect(await store.renewLeases('a', ['lapsed'], 60_000)).toEqual(['lapsed'])
        expect(await store.claimProcesses('b', 60_000, 1)).toEqual([])
      })
    })

    describe('idempotency', () => {
      const future = () => new Date(Date.now() + 60_000).toISOString()

      it('inserts once and returns the record already there', async () => {
        expect(await store.putIdempotency({ key: 'wr-1:k1', processId: 'p1', expiresAt: future() })).toBeNull()
        const existing = await store.putIdempotency({ key: 'wr-1:k1', processId: 'p2', expiresAt: future() })
        expect(existing).toMatchObject({ key: 'wr-1:k1', processId: 'p1' })
        expect(existing?.response ?? null).toBeNull()

        const response = { status: 201, headers: { 'x-process-id': 'p1' }, body: { ok: true } }
        await store.setIdempotencyResponse('wr-1:k1', response)
        expect((await store.putIdempotency({ key: 'wr-1:k1', processId: 'p3', expiresAt: future() }))?.response).toEqual(response)
        expect(await store.putIdempotency({ key: 'wr-2:k1', processId: 'p4', expiresAt: future() })).toBeNull()
      })

      it('lets an expired key be used again', async () => {
        const past = new Date(Date.now() - 1000).toISOString()
        expect(await store.putIdempotency({ key: 'k', processId: 'old', expiresAt: past })).toBeNull()
        expect(await store.putIdempotency({ key: 'k', processId: 'new', expiresAt: future() })).toBeNull()
        expect((await store.putIdempotency({ key: 'k', processId: 'later', expiresAt: future() }))?.processId).toBe('new')
      })

      it('lets exactly one of concurrent callers own a key', async () => {
        const results = await Promise.all(['a', 'b', 'c', 'd'].map((processId) => store.putIdempotency({ key: 'race', processId, expiresAt: future() })))
        const winners = results.filter((r) => r === null)
        expect(winners.length).toBe(1)
        const owner = ['a', 'b', 'c', 'd'][results.indexOf(null)]
        for (const r of results) if (r) expect(r.processId).toBe(owner)
      })
    })

    describe('values', () => {
      it('stores a 2 MB input and output intact', async () => {
        const big = 'x'.repeat(1024 * 1024) + 'ü€𝄞'.repeat(100_000)
        const input = { body: { text: big, list: Array.from({ length: 1000 }, (_, i) => ({ i, s: `item ${i}` })) } }
        expect(JSON.stringify(input).length).toBeGreaterThan(1.4 * 1024 * 1024)
        const record = proc({ input, status: 'running' })
        await store.createProcess(record)
        await store.updateProcess(record.id, { output: { copy: big } })
        const read = await store.getProcess(record.id)
        expect(read?.input).toEqual(input)
        expect((read!.output as { copy: string }).copy === big).toBe(true)
        // A list never carries values that large (nor snapshots): it names what it left out.
        const listed = await store.listProcesses({ limit: 1 })
        expect(listed.items[0].id).toBe(record.id)
        expect(listed.items[0].omitted).toEqual(['input', 'output'])
        expect(listed.items[0]).not.toHaveProperty('snapshot')
        expect(JSON.stringify(listed.items[0]).length).toBeLessThan(10_000)
      })

      it('round-trips tagged binary values and keys JSON allows', async () => {
        const png = { $binary: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255]).toString('base64'), contentType: 'image/png' }
        const odd = { 'a.b': 1, $status: 201, '': 'empty', ключ: [null, true, 1.5, { $binary: '', contentType: 'application/octet-stream' }] }
        const record = proc({ input: { body: png, odd } })
        await store.createProcess(record)
        await store.updateProcess(record.id, {
          output: { $body: png, odd },
          response: { status: 200, headers: { 'content-type': 'image/png' }, body: png },
          snapshot: { context: { vars: { file: png } } },
          error: { code: 'E', message: 'm', variables: { file: png } },
        })
        const read = await store.getProcess(record.id)
        expect(read?.input).toEqual({ body: png, odd })
        expect(read?.output).toEqual({ $body: png, odd })
        expect(read?.response?.body).toEqual(png)
        expect(read?.snapshot).toEqual({ context: { vars: { file: png } } })
        expect(read?.error?.variables).toEqual({ file: png })

        const scenario = await store.saveScenario(greet({ id: 'bin', nodes: [{ id: 'start', type: 'start', config: { sample: png } }] }))
        expect((await store.getScenario('bin'))?.scenario).toEqual(scenario.scenario)
      })
    })
  })
}
