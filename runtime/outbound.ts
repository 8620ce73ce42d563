/**
 * The outbound-request budget of a process (MAX_OUTBOUND_REQUESTS): every component that
 * reaches out (webRequest, and any later one that sends) takes one request from it first, so a
 * loop cannot turn one incoming request into thousands of outgoing ones. Counted per run, in
 * memory (a resumed process starts a fresh count).
 *
 * @example
 * takeOutbound(ctx.process, 'POST https://api.example/orders')   // throws OUTBOUND_LIMIT past the budget
 */
import { PotokError } from './errors.ts'
import { runtimeLimits } from './limits.ts'
import type { ProcessInfo } from './types.ts'

const sent = new WeakMap<ProcessInfo, number>()

/** Counts one outbound request of `process`; throws `OUTBOUND_LIMIT` (fatal: no boundary catches it) past the limit. */
export function takeOutbound(process: ProcessInfo, describe: string): void {
  const limit = runtimeLimits().maxOutboundRequests
  const count = (sent.get(process) ?? 0) + 1
  if (count > limit) {
    throw new PotokError('OUTBOUND_LIMIT', `${describe} would be outbound request ${count} of process ${process.id}, over the limit of ${limit} (MAX_OUTBOUND_REQUESTS)`, { details: { limit } })
  }
  sent.set(process, count)
}
