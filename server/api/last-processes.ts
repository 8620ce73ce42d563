/**
 * `GET /api/v1/webrequests/last-processes`: the newest process of every external request in
 * one answer, for the catalog's «Последний процесс» column — one request per refresh instead
 * of one per row. `?ids=a,b` limits it to some external requests.
 */
import type { H3 } from 'h3'
import type { ProcessRecord } from '../../store/port.ts'
import type { ServerContext } from '../context.ts'
import { admin, list } from './http.ts'

export interface LastProcess {
  webRequestId: string
  /** The newest process (without steps or snapshot), or null when it never ran. */
  process: Omit<ProcessRecord, 'snapshot' | 'steps'> | null
}

export function registerLastProcessRoutes(app: H3, ctx: ServerContext): void {
  app.get(
    '/api/v1/webrequests/last-processes',
    admin(ctx, async (event) => {
      const wanted = event.url.searchParams.get('ids')?.split(',').filter(Boolean)
      const ids = wanted ?? (await ctx.store.listWebRequests()).map((w) => w.id)
      const items: LastProcess[] = await Promise.all(
        ids.slice(0, 500).map(async (webRequestId) => {
          const page = await ctx.store.listProcesses({ triggerId: webRequestId, limit: 1 })
          const found = page.items[0]
          if (!found) return { webRequestId, process: null }
          const { snapshot: _snapshot, steps: _steps, ...process } = found
          return { webRequestId, process }
        }),
      )
      return list(items)
    }),
  )
}
