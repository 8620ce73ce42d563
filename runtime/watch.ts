/**
 * What the engine is doing right now, told to whoever watches it from outside. A worker thread
 * that runs processes installs a `WorkWatch` writing into memory shared with the main thread,
 * so that when the worker stops answering (a builtin that loops, a regex, memory running out)
 * the main thread knows which process held it and which limit it broke — without a message per
 * step. In a thread with no watcher every call here is a no-op.
 */

export type WatchedCall = 'expression' | 'code'

export interface WorkWatch {
  /**
   * A process's own code starts running synchronously (a step, an activity's synchronous
   * part); `tag` is what the host gave it as `StartOptions.watchTag`.
   */
  process(tag: number): void
  /** A sandbox call starts: it must be back within `limitMs`. */
  call(kind: WatchedCall, limitMs: number): void
  /** The sandbox call ended. */
  callEnded(): void
  /** The sandbox engine's memory now (bytes), reported while a call runs. */
  memory(bytes: number): void
}

let current: WorkWatch | null = null

/** Installs the watcher of this thread (the worker does, at start). */
export function setWorkWatch(watch: WorkWatch | null): void {
  current = watch
}

export function watchProcess(tag: number): void {
  current?.process(tag)
}

export function watchCall(kind: WatchedCall, limitMs: number): void {
  current?.call(kind, limitMs)
}

export function watchCallEnded(): void {
  current?.callEnded()
}

export function watchMemory(bytes: number): void {
  current?.memory(bytes)
}
