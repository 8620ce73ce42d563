/** Loads an API path into state; reloads when the path changes, and every `pollMs` when given. */
import { useCallback, useEffect, useRef, useState } from 'react'
import { api, ApiError } from '../api.ts'

export interface Loaded<T> {
  data: T | undefined
  error: ApiError | null
  loading: boolean
  reload: () => Promise<void>
}

export function useApi<T>(path: string | null, options: { pollMs?: number } = {}): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined)
  const [error, setError] = useState<ApiError | null>(null)
  const [loading, setLoading] = useState(path !== null)
  const current = useRef(path)
  current.current = path
  const inFlight = useRef(false)

  const load = useCallback(async (quiet = false) => {
    const wanted = current.current
    if (wanted === null || inFlight.current) return
    inFlight.current = true
    if (!quiet) setLoading(true)
    try {
      const value = await api.get<T>(wanted)
      if (current.current === wanted) {
        setData(value)
        setError(null)
      }
    } catch (e) {
      if (current.current === wanted) setError(e instanceof ApiError ? e : new ApiError(0, 'ERROR', String(e)))
    } finally {
      inFlight.current = false
      if (current.current === wanted) setLoading(false)
    }
  }, [])

  useEffect(() => {
    setData(undefined)
    setError(null)
    inFlight.current = false
    void load()
  }, [path, load])

  useEffect(() => {
    if (!options.pollMs || path === null) return
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void load(true)
    }, options.pollMs)
    return () => clearInterval(timer)
  }, [options.pollMs, path, load])

  return { data, error, loading, reload: () => load(true) }
}
