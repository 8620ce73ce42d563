/**
 * BPMN in the console: a file picked or dropped on the scenarios list is handed to the import
 * page (`takePendingFile`), converted by `POST /api/v1/scenarios/import` (which stores nothing),
 * and given an id the way `potok import` does: Bpium names every process `Process_1`, so the
 * file's name says more. Pure helpers only (no API calls here), so the tests can load them.
 */
import type { Problem, Scenario } from './types.ts'

/** The server refuses larger documents (`BPMN_TOO_LARGE`, `MAX_BODY_BYTES`); checked before sending. */
export const MAX_BPMN_BYTES = 10 * 1024 * 1024

export const SCENARIO_ID = /^[A-Za-z0-9_-]{1,64}$/

/** The import report of `bpmn/import.ts` (`ImportReport`), as the API answers it. */
export interface ImportReport {
  scenarioId: string
  complete: boolean
  valid: boolean
  problems: Problem[]
  unsupported: Array<{ elementId: string; nodeId: string; name?: string; element: string; connectorId?: string | null; placeholder: boolean }>
  warnings: Array<{ elementId?: string; message: string }>
  ignored: Array<{ elementId?: string; element: string }>
  renamed: Array<{ elementId: string; nodeId: string }>
}

export interface Imported {
  scenario: Scenario
  report: ImportReport
}

let pending: File | null = null

/** Keeps a picked file for the import page, which `navigate('/scenarios/import')` opens next. */
export function setPendingFile(file: File): void {
  pending = file
}

/** The file handed over by `setPendingFile` (once). */
export function takePendingFile(): File | null {
  const file = pending
  pending = null
  return file
}

const CYRILLIC: Record<string, string> = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  д: 'd',
  е: 'e',
  ё: 'e',
  ж: 'zh',
  з: 'z',
  и: 'i',
  й: 'y',
  к: 'k',
  л: 'l',
  м: 'm',
  н: 'n',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ф: 'f',
  х: 'kh',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'shch',
  ъ: '',
  ы: 'y',
  ь: '',
  э: 'e',
  ю: 'yu',
  я: 'ya',
}

/**
 * The scenario id to suggest: the process id, unless it is Bpium's `Process_1` — then the file's
 * name, as `potok import` does, with Cyrillic spelled in Latin letters and other characters as "-".
 */
export function suggestedId(processId: string, fileName: string): string {
  if (!/^Process_[0-9A-Za-z]+$/.test(processId) && SCENARIO_ID.test(processId)) return processId
  const base = fileName
    .replace(/\.[^.]*$/, '')
    .replace(/[А-Яа-яЁё]/g, (c) => {
      const latin = CYRILLIC[c.toLowerCase()] ?? ''
      return c === c.toLowerCase() ? latin : latin.charAt(0).toUpperCase() + latin.slice(1)
    })
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
  return base || processId
}

/** `12.3 KB`, `10 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`
  return `${(bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, '')} MB`
}
