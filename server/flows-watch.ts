/**
 * `potok dev` keeps `FLOWS_DIR` and the store in step: a scenario file saved in an editor is
 * validated and upserted (a new version when it changed) without a restart. An invalid file is
 * reported and the previous version keeps serving.
 *
 * @example
 * const stop = watchFlows(store, './flows', { onReload: console.log, onProblem: console.error })
 */
import { watch, type FSWatcher } from 'node:fs'
import type { ProcessStore } from '../store/port.ts'
import { loadFlows } from './flows.ts'

export interface FlowsReload {
  /** Scenarios whose latest version changed, with their new version. */
  changed: Array<{ id: string; version: number }>
  scenarios: number
  webrequests: number
}

export interface WatchFlowsOptions {
  onReload: (reload: FlowsReload) => void
  onProblem: (error: Error) => void
  /** Quiet time after the last change before reloading (editors write files in several steps). */
  debounceMs?: number
}

/** Watches `dir` (recursively) and reloads it into `store` after changes; returns a stop function. */
export function watchFlows(store: ProcessStore, dir: string, options: WatchFlowsOptions): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined
  let loading: Promise<void> = Promise.resolve()
  const reload = () => {
    loading = loading.then(async () => {
      try {
        const before = new Map((await store.listScenarios()).map((s) => [s.id, s.version]))
        const loaded = await loadFlows(store, dir)
        const changed = loaded.scenarios.filter((s) => before.get(s.id) !== s.version).map((s) => ({ id: s.id, version: s.version }))
        options.onReload({ changed, scenarios: loaded.scenarios.length, webrequests: loaded.webrequests.length })
      } catch (error) {
        options.onProblem(error as Error)
      }
    })
  }
  let watcher: FSWatcher
  try {
    watcher = watch(dir, { recursive: true }, (_event, name) => {
      if (name && !String(name).endsWith('.json')) return
      clearTimeout(timer)
      timer = setTimeout(reload, options.debounceMs ?? 150)
    })
  } catch (error) {
    options.onProblem(new Error(`cannot watch ${dir}: ${(error as Error).message}`))
    return () => {}
  }
  watcher.on('error', (error) => options.onProblem(error))
  return () => {
    clearTimeout(timer)
    watcher.close()
  }
}
