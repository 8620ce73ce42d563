/**
 * What bpmn-js based modelers see: every export read by bpmn-moddle (the model layer of
 * bpmn-js) with the Camunda extensions, without warnings beyond the two attributes of Bpium's
 * own dialect (`configName` on output parameters, `type` on list values, which Bpium's editor
 * writes and bpmn-moddle keeps), and a modeler's open → save gives back the same scenario.
 * Skipped until `bpmn-moddle` and `camunda-bpmn-moddle` are installed (dev dependencies).
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { exportBpmn } from '../../bpmn/export.ts'
import { importBpmn } from '../../bpmn/import.ts'
import type { Scenario } from '../../runtime/types.ts'
import { FLOWS, fixture, fixtureNames, flowFiles } from './helpers.ts'

const require = createRequire(import.meta.url)
const installed = (() => {
  try {
    require.resolve('bpmn-moddle')
    require.resolve('camunda-bpmn-moddle/resources/camunda.json')
    return true
  } catch {
    return false
  }
})()

const DIALECT = /^unknown attribute <(configName|type)>$/

async function moddle() {
  const name = 'bpmn-moddle'
  const { BpmnModdle } = await import(name)
  return new BpmnModdle({ camunda: require('camunda-bpmn-moddle/resources/camunda.json') })
}

describe.runIf(installed)('bpmn-moddle reads what potok writes', () => {
  const scenarios = (): Array<[string, Scenario]> => [
    ...flowFiles().map((f): [string, Scenario] => [f, JSON.parse(readFileSync(new URL(f, FLOWS), 'utf8'))]),
    ...fixtureNames().map((n): [string, Scenario] => [`${n}.bpmn`, importBpmn(fixture(n), { placeholders: true }).scenario]),
  ]

  it.each(scenarios())('%s: no warnings; open → save in a modeler gives the same scenario', async (_, scenario) => {
    const model = await moddle()
    const xml = exportBpmn(scenario)
    const { rootElement, warnings } = await model.fromXML(xml)
    expect(warnings.map((w: { message: string }) => w.message).filter((m: string) => !DIALECT.test(m))).toEqual([])
    const saved = (await model.toXML(rootElement, { format: true })).xml
    expect(importBpmn(saved).scenario).toStrictEqual(importBpmn(xml).scenario)
  })
})
