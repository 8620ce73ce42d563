/**
 * Entries that come and go at the rate of processes (running jobs, live processes, pending
 * calls), kept by number in reused slots instead of in a long-lived `Map`.
 *
 * Why not a `Map`: V8 allocates a rehashed table of a `Map` in the old generation once the
 * table before it was there, as every long-lived `Map`'s is, and the table it leaves keeps its
 * entries (for iterators still walking it). A `Map` with an insert and a delete per process
 * rehashes every few dozen processes and so leaves a trail of dead old-generation tables
 * pointing at processes that were running then. A scavenge takes old-to-young pointers as
 * live: whatever those processes reached (input, closures, the answer waiting for its
 * record…) is copied, promoted at the next scavenge, and left for a full GC. Measured with the
 * synchronous greet under load, the worker's part replaced by a 2 ms timer: one Map of running
 * jobs by process id made the main thread promote 15 % of all it allocated, at 12 ms a
 * scavenge; without it, 1 % at 2 ms (docs/server.md, "Figures").
 *
 * A slot's array element is written and cleared in place: nothing of an ended entry stays
 * reachable. A `Map` from a key to a handle (a number) is harmless the same way: a dead
 * table then holds numbers and keys, not the entries' object graphs.
 *
 * A handle carries a count as well as the slot, so a handle kept past its entry's delete finds
 * nothing even after the slot was reused.
 */

/** Slots per table (a handle is `count * SLOTS + slot`; both stay exact integers in a double). */
const SLOTS = 2 ** 20

export class HandleTable<T> {
  readonly #values: Array<T | undefined> = []
  /** The handle now in each slot; 0 when the slot is free. */
  readonly #handles: number[] = []
  readonly #free: number[] = []
  #count = 0
  #size = 0

  /** Stores `value`; returns its handle (never 0). */
  add(value: T): number {
    const slot = this.#free.pop() ?? this.#values.length
    if (slot >= SLOTS) throw new RangeError(`more than ${SLOTS} entries at once`)
    const handle = ++this.#count * SLOTS + slot
    this.#values[slot] = value
    this.#handles[slot] = handle
    this.#size++
    return handle
  }

  get(handle: number): T | undefined {
    const slot = handle % SLOTS
    return this.#handles[slot] === handle ? this.#values[slot] : undefined
  }

  /** Removes the entry; false when the handle is not (or no longer) in the table. */
  delete(handle: number): boolean {
    const slot = handle % SLOTS
    if (handle === 0 || this.#handles[slot] !== handle) return false
    this.#values[slot] = undefined
    this.#handles[slot] = 0
    this.#free.push(slot)
    this.#size--
    return true
  }

  get size(): number {
    return this.#size
  }

  /** The entries, in slot order (an entry added during the walk may or may not be visited). */
  *values(): IterableIterator<T> {
    for (let slot = 0; slot < this.#values.length; slot++) {
      if (this.#handles[slot] !== 0) yield this.#values[slot] as T
    }
  }
}

/**
 * A `Map`'s interface over a `HandleTable`: the long-lived map holds only key → handle, the
 * entries live in the table. For keyed registries of running things (processes by id).
 */
export class KeyedTable<K, V> {
  readonly #handles = new Map<K, number>()
  readonly #table = new HandleTable<{ key: K; value: V }>()

  get(key: K): V | undefined {
    const handle = this.#handles.get(key)
    return handle === undefined ? undefined : this.#table.get(handle)?.value
  }

  has(key: K): boolean {
    return this.#handles.has(key)
  }

  set(key: K, value: V): this {
    this.delete(key)
    this.#handles.set(key, this.#table.add({ key, value }))
    return this
  }

  delete(key: K): boolean {
    const handle = this.#handles.get(key)
    if (handle === undefined) return false
    this.#handles.delete(key)
    return this.#table.delete(handle)
  }

  get size(): number {
    return this.#table.size
  }

  *keys(): IterableIterator<K> {
    for (const entry of this.#table.values()) yield entry.key
  }

  *values(): IterableIterator<V> {
    for (const entry of this.#table.values()) yield entry.value
  }
}
