/**
 * New process ids: UUIDs of version 7 (RFC 9562, the `uuid` package). The first 48 bits are the
 * time the id was made, in ms; then a 32-bit counter that starts at random each ms; the last 42
 * bits are random for every id.
 *
 * Why not random (version 4) UUIDs: every store indexes processes by id, and a random id puts
 * each new process on a page of that index of its own. On SQLite that page is written to the WAL
 * at every commit: a greet-sized record, 16 per transaction, took 35 µs of CPU with random ids
 * and 20 with time-ordered ones (docs/server.md, "Figures"). The id tells when the process was
 * made, as its `startedAt` does; its random bits keep it unguessable. Ids made before (version 4)
 * stay valid.
 *
 * The console shows an id by its last 8 characters, which differ between processes of the same
 * second (its first ones do not).
 */
import { getRandomValues } from 'node:crypto'
import { v7 } from 'uuid'

// The `uuid` package asks the system for 16 random bytes per id: under load that call cost about
// 4 µs of the main thread's 125 per request. The bytes come from the same source, 4 KB at a time.
const POOL = new Uint8Array(4096)
let taken = POOL.length
// The package's own rule (its `updateV7State`): a counter that starts at random each ms and
// counts up within it, so ids made here sort in the order they were made.
let msecs = -1
let seq = 0

export function newProcessId(): string {
  if (taken === POOL.length) {
    getRandomValues(POOL)
    taken = 0
  }
  const random = POOL.subarray(taken, taken + 16)
  taken += 16
  const now = Date.now()
  if (now > msecs) {
    msecs = now
    seq = ((random[6]! & 0x7f) << 24) | (random[7]! << 16) | (random[8]! << 8) | random[9]!
  } else {
    seq = (seq + 1) | 0
    if (seq === 0) msecs++
  }
  return v7({ random, msecs, seq })
}
