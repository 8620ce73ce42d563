/**
 * A small history router: the console has a handful of routes, so a pattern list and
 * `pushState` do what a router library would. Paths are real (`/processes/…`); the server
 * answers index.html for any non-API path.
 */
import { useSyncExternalStore } from 'react'

const listeners = new Set<() => void>()
const notify = () => listeners.forEach((listener) => listener())
window.addEventListener('popstate', () => {
  // Back/forward already changed the address: when a guard refuses, the page stays and its address is put back.
  if (guard && lastPath !== currentPath() && !guard(currentPath())) {
    history.pushState(null, '', lastPath)
    return
  }
  lastPath = currentPath()
  notify()
})

/** Asked before every in-app navigation (an editor with unsaved changes); false stays on the page. */
let guard: ((to: string) => boolean) | null = null
let lastPath = location.pathname + location.search

/** Installs the navigation guard (null removes it); answers a function removing this one. */
export function setNavigationGuard(next: ((to: string) => boolean) | null): () => void {
  guard = next
  return () => {
    if (guard === next) guard = null
  }
}

function subscribe(listener: () => void) {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/** `pathname + search` of the current page. */
export function currentPath(): string {
  return location.pathname + location.search
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === currentPath()) return
  if (guard && !guard(to)) return
  if (options.replace) history.replaceState(null, '', to)
  else history.pushState(null, '', to)
  lastPath = currentPath()
  notify()
}

export interface Location {
  path: string
  query: URLSearchParams
}

let cached: { key: string; value: Location } | null = null
function snapshot(): Location {
  const key = currentPath()
  if (cached?.key !== key) cached = { key, value: { path: location.pathname, query: new URLSearchParams(location.search) } }
  return cached.value
}

/** The current location; re-renders on navigation. */
export function useLocation(): Location {
  return useSyncExternalStore(subscribe, snapshot)
}

/** Matches `/processes/:id` against a path; params decoded. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/').filter(Boolean)
  const got = path.split('/').filter(Boolean)
  if (want.length !== got.length) return null
  const params: Record<string, string> = {}
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) params[want[i].slice(1)] = decodeURIComponent(got[i])
    else if (want[i] !== got[i]) return null
  }
  return params
}

/** Replaces query parameters of the current page (empty values removed) without a history entry. */
export function setQuery(values: Record<string, string | undefined>): void {
  const query = new URLSearchParams(location.search)
  for (const [key, value] of Object.entries(values)) {
    if (value) query.set(key, value)
    else query.delete(key)
  }
  const qs = query.toString()
  navigate(location.pathname + (qs ? `?${qs}` : ''), { replace: true })
}
