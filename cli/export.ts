/**
 * `potok export <scenario.json> [-o file.bpmn]`: the scenario as BPMN 2.0 XML in Bpium's dialect
 * (docs/bpmn.md), on stdout or in `-o`. A file that is not a scenario document exits 1 with its
 * problems; validation problems of a well-formed scenario are printed to stderr as warnings
 * (an imported scenario with unsupported nodes can still go back to a modeler).
 */
import { defineCommand } from 'citty'
import { writeFile } from 'node:fs/promises'
import { exportBpmn } from '../bpmn/export.ts'
import { type Scenario, scenarioSchema, validateScenario } from '../runtime/index.ts'
import { readJsonFile, withCliErrors } from './files.ts'

export const exportCommand = defineCommand({
  meta: { name: 'export', description: 'Write a scenario as BPMN 2.0 XML (opens in bpmn-js based modelers and in Bpium).' },
  args: { scenario: { type: 'positional', description: 'scenario JSON file', required: true }, output: { type: 'string', alias: 'o', description: 'write the XML to this file instead of stdout' } },
  run: ({ args }) =>
    withCliErrors(async () => {
      const document = await readJsonFile(args.scenario)
      const shape = scenarioSchema.safeParse(document)
      const validation = validateScenario(document)
      if (!shape.success) {
        for (const p of validation.problems) process.stderr.write(`${args.scenario}: ${p.path}: ${p.message}\n`)
        return 1
      }
      for (const p of validation.problems) process.stderr.write(`${args.scenario}: warning: ${p.path}: ${p.message}\n`)
      const xml = exportBpmn(shape.data as Scenario)
      if (args.output) await writeFile(args.output, xml)
      else process.stdout.write(xml)
      return 0
    }),
})
