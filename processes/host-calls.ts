/**
 * Host services called from a worker (`call` → `reply`): the service runs here, on the main
 * thread, by name; an `AbortSignal` argument crossed as a marker and becomes a signal here that
 * the worker can abort (`abort-call`), and that fires too if the worker dies under the call.
 */
import { PotokError } from '../runtime/errors.ts'
import type { RuntimeServices } from '../runtime/types.ts'
import { errorFromJson, errorToJson, type ErrorJson, type FromWorker, type ToWorker } from './protocol.ts'

/** The worker a call came from, as the pool holds it. */
export interface CallingWorker {
  threadId: number
  gone: boolean
  send(message: ToWorker, failed?: (error: unknown) => void): void
}

export class HostCalls {
  /** Signals of calls under way, by worker thread and the worker's call number. */
  private readonly signals = new Map<number, Map<number, AbortController>>()

  /** Runs the called service and sends its value or error back (unless the worker is gone). */
  async serve(worker: CallingWorker, services: RuntimeServices | undefined, message: Extract<FromWorker, { type: 'call' }>): Promise<void> {
    const own = this.signals.get(worker.threadId) ?? new Map<number, AbortController>()
    this.signals.set(worker.threadId, own)
    let reply: ToWorker
    try {
      const service = (services as Record<string, unknown> | undefined)?.[message.name]
      if (typeof service !== 'function') throw new PotokError('SERVICE_UNAVAILABLE', `this server offers no service "${message.name}"`)
      const args = message.args.map((arg) => {
        if (!isSignalMarker(arg)) return arg
        const controller = new AbortController()
        own.set(message.call, controller)
        return controller.signal
      })
      reply = { type: 'reply', call: message.call, ok: true, value: await service(...args) }
    } catch (error) {
      reply = { type: 'reply', call: message.call, ok: false, error: errorToJson(error) }
    } finally {
      own.delete(message.call)
    }
    if (worker.gone) return
    worker.send(reply, (error) => {
      const reason = new PotokError('SERVICE_RESULT', `service "${message.name}" returned a value that cannot reach the worker: ${(error as Error).message}`)
      worker.send({ type: 'reply', call: message.call, ok: false, error: errorToJson(reason) })
    })
  }

  /** The worker aborted the signal it passed to a call. */
  abort(threadId: number, call: number, reason: ErrorJson): void {
    this.signals.get(threadId)?.get(call)?.abort(errorFromJson(reason))
  }

  /** The worker is gone: every call it was waiting for is aborted. */
  abortAll(threadId: number, reason: PotokError): void {
    for (const controller of this.signals.get(threadId)?.values() ?? []) controller.abort(reason)
    this.signals.delete(threadId)
  }
}

function isSignalMarker(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length === 1 && typeof (value as { $signal?: unknown }).$signal === 'number'
}
