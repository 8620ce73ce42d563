/**
 * The management API client: JSON in and out, the admin token as a bearer header, the standard
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

interface Exchange {
  body?: BodyInit
  contentType?: string
  accept?: string
  signal?: AbortSignal
}

/** One HTTP exchange with the bearer token; a non-2xx answer is thrown as `ApiError`. */
async function exchange(method: string, path: string, { body, contentType, accept = 'application/json', signal }: Exchange): Promise<Response> {
  const headers: Record<string, string> = { accept }
  const token = getToken()
  if (token) headers.authorization = `Bearer ${token}`
  if (contentType) headers['content-type'] = contentType
  let response: Response
  try {
    response = await fetch(path, { method, headers, body, signal })
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error
    throw new ApiError(0, 'NETWORK', `the server did not answer: ${(error as Error).message}`)
  }
  if (!response.ok) {
    const parsed = parseBody(await response.text())
    const error = (parsed as { error?: { code?: string; message?: string; details?: Record<string, unknown>; processId?: string } })?.error
    if (response.status === 401 && path.startsWith('/api/v1/')) signOut()
    throw new ApiError(response.status, error?.code ?? `HTTP_${response.status}`, error?.message ?? (response.statusText || `HTTP ${response.status}`), error?.details, error?.processId)
  }
  return response
}

function parseBody(text: string): unknown {
  if (!text) return undefined
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** Calls the API; resolves with status, headers and the parsed body, or throws `ApiError`. */
export async function request<T = unknown>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<ApiAnswer<T>> {
  const json = body === undefined ? {} : { body: JSON.stringify(body), contentType: 'application/json' }
  const response = await exchange(method, path, { ...json, signal })
  return { status: response.status, headers: response.headers, body: parseBody(await response.text()) as T }
}

/** Sends a file (or any raw body) as it is, e.g. a `.bpmn` document as `application/xml`. */
export async function upload<T = unknown>(path: string, body: Blob | string, contentType: string): Promise<T> {
  const response = await exchange('POST', path, { body, contentType })
  return parseBody(await response.text()) as T
}

/**
 * Saves what `path` answers as a file named `filename`. The API needs the bearer token, so a
 * plain link cannot do it: the answer is fetched, then handed to the browser as a Blob URL.
 */
export async function download(path: string, filename: string, accept = '*/*'): Promise<void> {
  const response = await exchange('GET', path, { accept })
  const url = URL.createObjectURL(await response.blob())
  const link = document.createElement('a')
  link.href = url
  link.download = filename
  link.style.display = 'none'
  document.body.append(link)
  link.click()
  link.remove()
  // The download has started from the URL; give the browser a moment before letting it go.
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
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
