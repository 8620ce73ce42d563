/**
 * Labels in Russian (default, as Bpium's) and English. The choice is kept in localStorage.
 * `t('key', { n: 3 })` fills `{n}` placeholders.
 */
import { useSyncExternalStore } from 'react'
import catalog from 'virtual:potok-components'
import { messages, type MessageKey } from './messages.ts'

export type Lang = 'ru' | 'en'
const KEY = 'potok.lang'

const listeners = new Set<() => void>()

function readLang(): Lang {
  return localStorage.getItem(KEY) === 'en' ? 'en' : 'ru'
}

export function setLang(lang: Lang): void {
  localStorage.setItem(KEY, lang)
  document.documentElement.lang = lang
  listeners.forEach((listener) => listener())
}

function subscribe(listener: () => void) {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

export function translate(lang: Lang, key: MessageKey, vars?: Record<string, string | number>): string {
  let text: string = messages[lang][key] ?? messages.en[key] ?? key
  if (vars) for (const [name, value] of Object.entries(vars)) text = text.replaceAll(`{${name}}`, String(value))
  return text
}

/** The component's Bpium display name in `lang`; the type itself when it is not registered. */
export function componentName(lang: Lang, type: string): string {
  return catalog[type]?.displayName[lang] ?? type
}

export function componentKind(type: string): 'control' | 'sync' | 'async' | 'boundary' | undefined {
  return catalog[type]?.kind
}

export interface I18n {
  lang: Lang
  t: (key: MessageKey, vars?: Record<string, string | number>) => string
  component: (type: string) => string
}

const cache = new Map<Lang, I18n>()
function i18nFor(lang: Lang): I18n {
  let value = cache.get(lang)
  if (!value) {
    value = { lang, t: (key, vars) => translate(lang, key, vars), component: (type) => componentName(lang, type) }
    cache.set(lang, value)
  }
  return value
}

export function useI18n(): I18n {
  const lang = useSyncExternalStore(subscribe, readLang)
  return i18nFor(lang)
}

document.documentElement.lang = readLang()
