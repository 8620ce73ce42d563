/**
 * When a saved scenario is a new version: both adapters compare the document without its
 * `version` field as JSON with sorted keys, so key order and the version number never count
 * as a change.
 */
import type { Scenario } from '../runtime/types.ts'
import type { ScenarioRecord } from './port.ts'

/** JSON with object keys sorted at every depth; `undefined` properties dropped as JSON does. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'null'
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : sortKeys(item)))
  if (value && typeof value === 'object' && (value as { toJSON?: unknown }).toJSON === undefined) {
    const sorted: Record<string, unknown> = {}
    for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key])
    return sorted
  }
  return value
}

/** The part of a scenario that decides whether it changed. */
export function scenarioFingerprint(scenario: Scenario): string {
  const { version: _version, ...document } = scenario
  return canonicalJson(document)
}

/** True when `next` differs from the stored `latest` (whose `version` is ignored). */
export function scenarioChanged(latest: Scenario | null | undefined, next: Scenario): boolean {
  return !latest || scenarioFingerprint(latest) !== scenarioFingerprint(next)
}

/**
 * The record to store when `scenario` is saved over `latest`: the next version, or null when
 * nothing changed (`latest` stands).
 */
export function nextScenarioVersion(latest: ScenarioRecord | null, scenario: Scenario): ScenarioRecord | null {
  if (latest && !scenarioChanged(latest.scenario, scenario)) return null
  const version = (latest?.version ?? 0) + 1
  return { id: scenario.id, version, scenario: { ...scenario, version }, createdAt: new Date().toISOString() }
}
