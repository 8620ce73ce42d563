/**
 * Retention: finished processes older than PROCESS_RETENTION_DAYS are pruned at start and then
 * hourly — never a queued or running one (the store's `pruneProcesses` guarantees that).
 */
import { clock } from '../runtime/index.ts'
import type { ProcessStore } from '../store/port.ts'
import type { Logger } from './log.ts'

const DAY = 86_400_000

/** Prunes once; the number of processes removed. */
export async function pruneOldProcesses(store: ProcessStore, days: number, now = clock.now()): Promise<number> {
  return store.pruneProcesses(new Date(now - days * DAY).toISOString())
}

/** Prunes now and every `everyMs` (default an hour); returns the stop function. */
export function startRetention(store: ProcessStore, days: number, logger: Logger, everyMs = 3_600_000): () => void {
  const prune = () =>
    pruneOldProcesses(store, days).then(
      (count) => {
        if (count) logger.info({ count, days }, 'pruned old processes')
      },
      (error) => logger.error({ err: { message: (error as Error)?.message } }, 'pruning old processes failed'),
    )
  void prune()
  const timer = setInterval(prune, everyMs)
  timer.unref()
  return () => clearInterval(timer)
}
