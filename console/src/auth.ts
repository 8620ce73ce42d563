/** The admin token, kept for the browser tab only (sessionStorage): closing the tab signs out. */
const KEY = 'potok.token'

export function getToken(): string | null {
  return sessionStorage.getItem(KEY)
}

export function setToken(token: string): void {
  sessionStorage.setItem(KEY, token)
}

export function clearToken(): void {
  sessionStorage.removeItem(KEY)
}
