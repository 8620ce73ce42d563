/**
 * Scenario files (docs/server.md): every `*.json` in `FLOWS_DIR` is one scenario, which may carry
 * `"webrequests": [{ "urlId", "name", …catalog fields }]`. On start each file is validated —
 * one invalid file stops the start, with every problem of every file listed — then upserted:
 * a changed scenario becomes a new version, and each external request is created or replaced
 * by its `urlId` (bound to that scenario).
 *
 * @example
 * const loaded = await loadFlows(store, './flows')   // { scenarios: 5, webrequests: 5 }
 */
import { join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { PotokError, type Scenario, validateScenario } from '../runtime/index.ts'
import type { ProcessStore, ScenarioRecord, WebRequestRecord } from '../store/port.ts'
import type { Catalog } from '../store/records-port.ts'
import { loadCatalogs } from './flow-catalogs.ts'
import { readJsonFiles } from './json-files.ts'
import { parseWebRequestInput, toWebRequestRecord, type WebRequestInput } from './catalog.ts'

export interface FlowProblem {
  file?: string
  path: string
  message: string
}

/** A scenario document split into the scenario and the external requests it declares. */
export interface ScenarioDocument {
  scenario: Scenario
  webrequests: WebRequestInput[]
}

/**
 * Validates a scenario document (a flow file's content or an API body): the scenario (docs/scenarios.md)
 * and each entry of `webrequests`, which is bound to this scenario.
 */
export function checkScenarioDocument(input: unknown): { ok: true; document: ScenarioDocument } | { ok: false; problems: FlowProblem[] } {
  const validation = validateScenario(input)
  const problems: FlowProblem[] = validation.ok ? [] : [...validation.problems]
  const declared = (input as { webrequests?: unknown } | null)?.webrequests
  const scenarioId = (input as { id?: unknown } | null)?.id
  const webrequests: WebRequestInput[] = []
  if (Array.isArray(declared)) {
    declared.forEach((entry, index) => {
      if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
        problems.push({ path: `webrequests[${index}]`, message: 'must be an object with urlId and name' })
        return
      }
      const given = (entry as { scenarioId?: unknown }).scenarioId
      if (given !== undefined && given !== scenarioId) {
        problems.push({ path: `webrequests[${index}].scenarioId`, message: `must be this scenario's id "${String(scenarioId)}" (or be left out)` })
        return
      }
      try {
        webrequests.push(parseWebRequestInput({ ...entry, scenarioId }, ['webrequests', index]))
      } catch (error) {
        problems.push(...(((error as PotokError).details?.problems as FlowProblem[] | undefined) ?? [{ path: `webrequests[${index}]`, message: (error as Error).message }]))
      }
    })
  }
  const seen = new Set<string>()
  webrequests.forEach((entry, index) => {
    if (seen.has(entry.urlId)) problems.push({ path: `webrequests[${index}].urlId`, message: `urlId "${entry.urlId}" is declared twice` })
    seen.add(entry.urlId)
  })
  if (problems.length || !validation.ok) return { ok: false, problems }
  const { webrequests: _declared, ...scenario } = validation.scenario as Scenario & { webrequests?: unknown }
  return { ok: true, document: { scenario, webrequests } }
}

/** Reads and validates every `*.json` in `dir`; throws `INVALID_FLOWS` listing every problem. */
export async function readFlows(dir: string): Promise<Array<ScenarioDocument & { file: string }>> {
  const { files, problems } = await readJsonFiles(dir)
  const flows: Array<ScenarioDocument & { file: string }> = []
  for (const { file, json } of files) {
    const checked = checkScenarioDocument(json)
    if (!checked.ok) problems.push(...checked.problems.map((p) => ({ file, ...p })))
    else flows.push({ file, ...checked.document })
  }
  const scenarioFiles = new Map<string, string>()
  const urlFiles = new Map<string, string>()
  for (const flow of flows) {
    const other = scenarioFiles.get(flow.scenario.id)
    if (other) problems.push({ file: flow.file, path: 'id', message: `scenario id "${flow.scenario.id}" is also used by ${other}` })
    scenarioFiles.set(flow.scenario.id, flow.file)
    flow.webrequests.forEach((entry, index) => {
      const otherUrl = urlFiles.get(entry.urlId)
      if (otherUrl && otherUrl !== flow.file) problems.push({ file: flow.file, path: `webrequests[${index}].urlId`, message: `urlId "${entry.urlId}" is also declared in ${otherUrl}` })
      urlFiles.set(entry.urlId, flow.file)
    })
  }
  if (problems.length) {
    const list = problems.map((p) => `${p.file}: ${p.path}: ${p.message}`).join('\n')
    throw new PotokError('INVALID_FLOWS', `invalid scenario files in ${dir}:\n${list}`, { details: { problems } })
  }
  return flows
}

/** Saves a scenario (a new version when it changed) and upserts its external requests by urlId. */
export async function saveScenarioDocument(store: ProcessStore, document: ScenarioDocument): Promise<{ record: ScenarioRecord; webrequests: WebRequestRecord[] }> {
  const record = await store.saveScenario(document.scenario)
  const webrequests: WebRequestRecord[] = []
  for (const entry of document.webrequests) {
    const existing = await store.findWebRequestByUrlId(entry.urlId)
    const next = toWebRequestRecord({ ...entry, id: entry.id ?? entry.urlId }, existing)
    // Unchanged: nothing written, so a start on a full disk (or a read-only replica) works.
    if (existing && sameWebRequest(existing, next)) webrequests.push(existing)
    else webrequests.push(existing ? (await store.replaceWebRequest(next))! : await store.createWebRequest(next))
  }
  return { record, webrequests }
}

/** Equal but for `updatedAt` (compared as stored: JSON). */
function sameWebRequest(stored: WebRequestRecord, next: WebRequestRecord): boolean {
  const plain = (record: WebRequestRecord) => JSON.parse(JSON.stringify({ ...record, updatedAt: null })) as unknown
  return isDeepStrictEqual(plain(stored), plain(next))
}

/** Loads `FLOWS_DIR` into the store (see the file comment); a missing directory loads nothing. */
export async function loadFlows(store: ProcessStore, dir: string): Promise<{ scenarios: ScenarioRecord[]; webrequests: WebRequestRecord[]; catalogs: Catalog[] }> {
  const flows = await readFlows(dir)
  const scenarios: ScenarioRecord[] = []
  const webrequests: WebRequestRecord[] = []
  for (const flow of flows) {
    const saved = await saveScenarioDocument(store, flow)
    scenarios.push(saved.record)
    webrequests.push(...saved.webrequests)
  }
  // Catalogs (FLOWS_DIR/catalogs/*.json) after the scenarios their events name.
  const catalogs = await loadCatalogs(store, join(dir, 'catalogs'))
  return { scenarios, webrequests, catalogs }
}
