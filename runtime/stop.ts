/**
 * What a process listens to for a stop. An `AbortSignal` is one; `StopSource` is a lighter one
 * for the hot path: Node's AbortSignal is an EventTarget, and making one for every process, on
 * both sides of a worker (the HTTP thread's request, the worker's job), showed as only ≈ 3 % of
 * each thread in CPU profiles, yet replacing them took greet's main thread ≈ 190 → 175 µs and
 * the worker ≈ 146 → 135 µs of CPU per request (the garbage they left counted too).
 *
 * @example
 * const stop = new StopSource()
 * void startProcess(scenario, input, { signal: stop })
 * stop.abort(new PotokError('CANCELLED', 'cancelled by the caller'))
 */
export interface StopSignal {
  readonly aborted: boolean
  readonly reason: unknown
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void
  removeEventListener(type: 'abort', listener: () => void): void
}

/** A stop signal and its trigger in one: `abort` once, and every listener hears it once. */
export class StopSource implements StopSignal {
  aborted = false
  reason: unknown = undefined
  #listeners: Array<() => void> | null = null

  /** Listeners added after the stop are never called (as with an AbortSignal); each is called once, `once` or not. */
  addEventListener(_type: 'abort', listener: () => void, _options?: { once?: boolean }): void {
    if (!this.aborted) (this.#listeners ??= []).push(listener)
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const listeners = this.#listeners
    const index = listeners ? listeners.indexOf(listener) : -1
    if (index !== -1) listeners!.splice(index, 1)
  }

  /** Stops with `reason` (an AbortError when none is given); later calls do nothing. */
  abort(reason?: unknown): void {
    if (this.aborted) return
    this.aborted = true
    this.reason = reason === undefined ? new DOMException('This operation was aborted', 'AbortError') : reason
    const listeners = this.#listeners
    this.#listeners = null
    if (listeners) for (const listener of listeners) listener()
  }
}
