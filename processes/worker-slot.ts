/**
 * One process worker as the pool sees it: the thread, the memory it shares with the main
 * thread (its watch slots), the processes on it, and how it is ranked for the next process.
 */
import { Worker } from 'node:worker_threads'
import { eachMessage, Outbox } from './outbox.ts'
import { BEAT_MS, WATCH, type FromWorker, type ToWorker } from './protocol.ts'
import { runtimeLimits } from '../runtime/limits.ts'

export interface Slot<J> {
  worker: Worker
  /** Sends a message to the worker, batched per turn; `failed` is told if it cannot be cloned. */
  send(message: ToWorker, failed?: (error: unknown) => void): void
  threadId: number
  /** Resolves when the worker has built its sandbox and takes work (or is gone). */
  ready: Promise<void>
  started: boolean
  /** Keys of the scenarios this worker holds, oldest first (as the worker drops them). */
  scenarios: Set<string>
  watch: Float64Array
  /** How many of the pool's jobs run on it now. */
  running: number
  /** Why it is being terminated, decided before `terminate()`. */
  ending?: { reason: string; culprit?: J; error?: { code: string; message: string } }
  gone: boolean
}

const ENTRY = new URL('./worker-entry.mjs', import.meta.url)
/**
 * A process leaves only garbage behind: a young generation this size is scavenged far less often
 * than with V8's default, which measured 189 → 139 µs of CPU per greet process (the worker and
 * V8's GC helper threads together).
 */
const YOUNG_GENERATION_MB = 64

export interface SlotEvents {
  /** The worker has built its sandbox and takes work. */
  started(): void
  message(message: Exclude<FromWorker, { type: 'ready' }>): void
  error(error: Error): void
  /** After `error`, or alone when terminated. */
  exit(): void
}

/** Starts a worker thread with a V8 heap of `memoryMb`. */
export function spawnWorker<J>(memoryMb: number, on: SlotEvents): Slot<J> {
  const shared = new SharedArrayBuffer(WATCH.SIZE * Float64Array.BYTES_PER_ELEMENT)
  const worker = new Worker(ENTRY, {
    // The limits the main thread validated at start (runtime state is per thread).
    workerData: { watch: shared, limits: runtimeLimits() },
    resourceLimits: { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    stdout: false,
    stderr: false,
  })
  // The main thread's event loop must not wait for idle workers (a CLI run ends when its work does).
  worker.unref()
  let ready!: () => void
  const outbox = new Outbox<ToWorker>((data) => worker.postMessage(data))
  const slot: Slot<J> = {
    worker,
    send: (message, failed) => outbox.send(message, failed),
    threadId: worker.threadId,
    ready: new Promise((resolve) => {
      ready = resolve
    }),
    started: false,
    scenarios: new Set(),
    watch: new Float64Array(shared),
    running: 0,
    gone: false,
  }
  worker.on('message', (data: FromWorker | FromWorker[]) =>
    eachMessage(data, (message) => {
      if (message.type !== 'ready') return on.message(message)
      slot.started = true
      ready()
      on.started()
    }),
  )
  worker.on('error', on.error)
  worker.on('exit', () => {
    ready()
    on.exit()
  })
  return slot
}

/** A worker's place in the queue for the next process: busy ones later, starting ones later still, held ones last. */
export function rank(slot: Slot<unknown>, now: number): number {
  if (slot.gone) return Infinity
  if (!slot.started) return 1e6 + slot.running
  // Generous: on a loaded machine a yielding worker can miss a few beats and still be the best choice.
  const held = now - slot.watch[WATCH.BEAT]! > 25 * BEAT_MS
  return slot.running + (held ? 1e7 : 0)
}
