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
import { v7 } from 'uuid'

export function newProcessId(): string {
  return v7()
}
