/**
 * A process worker: runs processes (XState actors, the sandbox, every component) handed to it
 * by the pool on the main thread, and streams back what the main thread needs — persisted
 * snapshots (awaiting each acknowledgement, so durable runs stay durable), checkpoints of long
 * synchronous runs, the result — while host services are called on the main thread by name.
 *
 * It tells the main thread through shared memory which process runs now and which sandbox call
 * is under way with what deadline: when the worker stops answering, the supervisor knows whom
 * to blame without asking it.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { registerComponents } from '../components/index.ts'
import { cutDeepValues, MAX_STORED_DEPTH } from '../runtime/depth.ts'
import { PotokError } from '../runtime/errors.ts'
import { HandleTable, KeyedTable } from '../runtime/handle-table.ts'
import { resumeProcess, startProcess } from '../runtime/process.ts'
import { setRuntimeLimits, type RuntimeLimits } from '../runtime/limits.ts'
import { getSandbox } from '../runtime/sandbox.ts'
import type { RuntimeServices, Scenario, StartOptions } from '../runtime/types.ts'
import { StopSource } from '../runtime/stop.ts'
import { setWorkWatch } from '../runtime/watch.ts'
import { eachMessage, Outbox } from './outbox.ts'
import { BEAT_MS, errorFromJson, errorToJson, WATCH, type FromWorker, type ScenarioRef, type ToWorker } from './protocol.ts'

interface Job {
  controller: StopSource
}

const port = parentPort!
const data = workerData as { watch: SharedArrayBuffer; limits: RuntimeLimits }
setRuntimeLimits(data.limits, true)
registerComponents()
const slots = new Float64Array(data.watch)
// Tables, not Maps of what runs (runtime/handle-table.ts says why): a job by the main thread's
// id, a persist and a call by their handle.
const jobs = new KeyedTable<number, Job>()
const persistAcks = new HandleTable<{ resolve: () => void; reject: (error: unknown) => void }>()
const calls = new HandleTable<{ resolve: (value: unknown) => void; reject: (error: unknown) => void }>()

// V8's deserializer recurses: a value a few thousand levels deep would be lost on the way
// (a 'messageerror' on the main thread, and its process never answered). What crosses is cut
// where the store would cut it anyway, a few levels below for the message's own wrapping.
const outbox = new Outbox<FromWorker>((data) => port.postMessage(cutDeepValues(data, MAX_STORED_DEPTH + 8)))
const send = (message: FromWorker) =>
  outbox.send(message, (error) => {
    // A result that cannot be cloned: the process is reported refused instead (others still go).
    if (message.type === 'done')
      outbox.send({ type: 'refused', job: message.job, error: errorToJson(new PotokError('RESULT_NOT_CLONABLE', `the process's result cannot leave the worker: ${(error as Error).message}`)) })
  })

setWorkWatch({
  process: (job) => {
    slots[WATCH.JOB] = job
  },
  call: (kind, limitMs) => {
    slots[WATCH.CALL_KIND] = kind === 'code' ? 2 : 1
    slots[WATCH.CALL_LIMIT] = limitMs
    slots[WATCH.MEMORY_AT_CALL] = -1
    slots[WATCH.CALL_DEADLINE] = Date.now() + limitMs
  },
  callEnded: () => {
    slots[WATCH.CALL_DEADLINE] = 0
  },
  memory: (bytes) => {
    if (slots[WATCH.MEMORY_AT_CALL]! < 0) slots[WATCH.MEMORY_AT_CALL] = bytes
    if (bytes > slots[WATCH.MEMORY]!) slots[WATCH.GROWN_AT] = Date.now()
    slots[WATCH.MEMORY] = bytes
  },
})

/** A host service as a function of this thread: each call is a message and its reply. */
function proxyService(job: number, name: string) {
  return (...args: unknown[]) => {
    let settle!: { resolve: (value: unknown) => void; reject: (error: unknown) => void }
    const result = new Promise((resolve, reject) => {
      settle = { resolve, reject }
    })
    const call = calls.add(settle)
    const sent = args.map((arg) => {
      if (!(arg instanceof AbortSignal)) return arg
      const forward = () => send({ type: 'abort-call', call, reason: errorToJson(reasonOf(arg)) })
      if (arg.aborted) queueMicrotask(forward)
      else arg.addEventListener('abort', forward, { once: true })
      return { $signal: call }
    })
    outbox.send({ type: 'call', job, call, name, args: sent }, (error) => {
      calls.delete(call)
      settle.reject(new PotokError('SERVICE_ARGUMENTS', `the arguments of service "${name}" cannot leave the worker: ${(error as Error).message}`))
    })
    // A fire-and-forget service (respond) must not leave an unhandled rejection behind.
    result.catch(() => {})
    return result
  }
}

function reasonOf(signal: AbortSignal): unknown {
  return signal.reason instanceof PotokError ? signal.reason : new PotokError('ABORTED', 'the call was aborted')
}

/** Scenarios sent once, by key (the pool sends a scenario again only after it was dropped here). */
const scenarios = new Map<string, Scenario>()
const SCENARIO_LIMIT = 500

function scenarioOf(ref: ScenarioRef): Scenario {
  if (ref.scenario) {
    if (scenarios.size >= SCENARIO_LIMIT) scenarios.delete(scenarios.keys().next().value!)
    scenarios.set(ref.key, ref.scenario)
    return ref.scenario
  }
  const known = scenarios.get(ref.key)
  if (!known) throw new PotokError('INTERNAL_ERROR', `scenario ${ref.key} was never sent to this worker`)
  return known
}

async function run(message: Extract<ToWorker, { type: 'start' | 'resume' }>): Promise<void> {
  const { job } = message
  const controller = new StopSource()
  const services: RuntimeServices = {}
  for (const name of message.services) (services as Record<string, unknown>)[name] = proxyService(job, name)
  const options: StartOptions = {
    ...message.options,
    signal: controller,
    services,
    watchTag: job,
    checkpoint: (snapshot) => send({ type: 'checkpoint', job, snapshot }),
    ...(message.persist
      ? {
          persist: (update) =>
            new Promise<void>((resolve, reject) => {
              const seq = persistAcks.add({ resolve, reject })
              outbox.send({ type: 'persist', job, seq, update }, (error) => {
                persistAcks.delete(seq)
                reject(new PotokError('SNAPSHOT_NOT_CLONABLE', `the snapshot cannot leave the worker: ${(error as Error).message}`))
              })
            }),
        }
      : {}),
  }
  jobs.set(job, { controller })
  try {
    const scenario = scenarioOf(message.scenario)
    const result = message.type === 'start' ? await startProcess(scenario, message.input, options) : await resumeProcess(scenario, message.snapshot, options)
    send({ type: 'done', job, result })
  } catch (error) {
    send({ type: 'refused', job, error: errorToJson(error) })
  } finally {
    jobs.delete(job)
  }
}

port.on('message', (data: ToWorker | ToWorker[]) => eachMessage(data, receive))

function receive(message: ToWorker): void {
  switch (message.type) {
    case 'start':
    case 'resume':
      void run(message)
      return
    case 'abort':
      jobs.get(message.job)?.controller.abort(errorFromJson(message.reason))
      return
    case 'reply': {
      const pending = calls.get(message.call)
      calls.delete(message.call)
      if (!pending) return
      if (message.ok) pending.resolve(message.value)
      else pending.reject(errorFromJson(message.error))
      return
    }
    case 'persisted': {
      const pending = persistAcks.get(message.seq)
      persistAcks.delete(message.seq)
      if (!pending) return
      if (message.error) pending.reject(errorFromJson(message.error))
      else pending.resolve()
    }
  }
}

// The sandbox is built before the worker says it is ready: no request pays for it.
await getSandbox()
// A heartbeat: the pool sends new work elsewhere while this thread is held by a long step.
slots[WATCH.BEAT] = Date.now()
setInterval(() => {
  slots[WATCH.BEAT] = Date.now()
}, BEAT_MS)
port.postMessage({ type: 'ready' } satisfies FromWorker)
