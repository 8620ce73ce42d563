/**
 * The management API client: JSON in and out, the admin token as a bearer header, SPEC §6's
 * error body turned into `ApiError`. A 401 forgets the token and sends the user to sign-in.
 */
import { clearToken, getToken } from './auth.ts'
import { navigate, currentPath } from './router.ts'
import type { Problem } from './types.ts'

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly processId?: string,
  ) {
    super(message)
  }

  /** `details.problems` of a 422 (validation), each with its JSON path. */
  get problems(): Problem[] {
    const problems = this.details?.problems
    return Array.isArray(problems) ? (problems as Problem[]) : []
  }
}

export interface ApiAnswer<T> {
  status: number
  headers: Headers
  body: T
}

/** Calls the API; resolves with status, headers and the parsed body, or throws `ApiError`. */
export async function request<T = unknown>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = { accept: 'application/json' }
  const token = getToken()
  if (token) headers.authorization = `Bearer ${token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  let response: Response
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal })
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error
    throw new ApiError(0, 'NETWORK', `the server did not answer: ${(error as Error).message}`)
  }
  const text = await response.text()
  let parsed: unknown = undefined
  if (text) {
    try {
      parsed = JSON.parse(text)
    } catch {
      parsed = text
    }
  }
  if (!response.ok) {
    const error = (parsed as { error?: { code?: string; message?: string; details?: Record<string, unknown>; processId?: string } })?.error
    if (response.status === 401 && path.startsWith('/api/v1/')) signOut()
    throw new ApiError(response.status, error?.code ?? `HTTP_${response.status}`, error?.message ?? (response.statusText || `HTTP ${response.status}`), error?.details, error?.processId)
  }
  return { status: response.status, headers: response.headers, body: parsed as T }
}

export const api = {
  get: <T>(path: string, signal?: AbortSignal) => request<T>('GET', path, undefined, signal).then((a) => a.body),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}).then((a) => a.body),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body).then((a) => a.body),
  delete: (path: string) => request('DELETE', path).then(() => undefined),
}

/** Builds `path?k=v…`, leaving out empty values. */
export function withQuery(path: string, query: Record<string, string | number | undefined | null>): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== '') params.set(key, String(value))
  const qs = params.toString()
  return qs ? `${path}?${qs}` : path
}

/** Forgets the token and goes to sign-in, coming back here afterwards. */
export function signOut(): void {
  clearToken()
  const here = currentPath()
  if (!here.startsWith('/signin')) navigate(`/signin?next=${encodeURIComponent(here)}`, { replace: true })
}
