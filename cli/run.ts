/**
 * `potok run <scenario.json> --input '<json>'`: runs a scenario without a server and prints
 * `{ status, output, error }`; exit 0 when the process completed, 1 otherwise. Sub-processes
 * find their scenarios among the `*.json` files beside the scenario file.
 */
import { defineCommand } from 'citty'
import { readdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { childProcessService, PotokError, type Scenario, startProcess } from '../runtime/index.ts'
import { cliSettings, readInputArg, readJsonFile, withCliErrors } from './files.ts'

export const runCommand = defineCommand({
  meta: { name: 'run', description: 'Run a scenario file once and print { status, output, error } as JSON.' },
  args: {
    scenario: { type: 'positional', description: 'scenario JSON file', required: true },
    input: { type: 'string', description: "initial variables: '<json>' or @file.json" },
    timeout: { type: 'string', description: 'stop the process after this many ms' },
  },
  run: ({ args }) =>
    withCliErrors(async () => {
      cliSettings()
      const scenario = (await readJsonFile(args.scenario)) as Scenario
      const input = await readInputArg(args.input)
      const services = await childServices(dirname(args.scenario))
      let result: Awaited<ReturnType<typeof startProcess>>
      try {
        result = await startProcess(scenario, input, { timeoutMs: args.timeout ? Number(args.timeout) : undefined, services })
      } catch (error) {
        if (error instanceof PotokError && error.code === 'INVALID_SCENARIO') {
          const problems = (error.details?.problems ?? []) as Array<{ path: string; message: string }>
          for (const p of problems) process.stderr.write(`${args.scenario}: ${p.path}: ${p.message}\n`)
          return 1
        }
        throw error
      }
      const error = result.error ? { code: result.error.code, message: result.error.message, nodeId: result.error.nodeId ?? null } : null
      process.stdout.write(`${JSON.stringify({ status: result.status, output: result.output, error }, null, 2)}\n`)
      return result.status === 'completed' ? 0 : 1
    }),
})

/** Sub-processes run scenarios found among the `*.json` files beside the scenario file. */
async function childServices(folder: string) {
  const loadScenario = async (id: string) => {
    for (const name of await readdir(folder)) {
      if (!name.endsWith('.json')) continue
      const document = (await readJsonFile(join(folder, name)).catch(() => null)) as Scenario | null
      if (document?.id === id) return document
    }
    return null
  }
  return { startChild: childProcessService({ loadScenario }) }
}
