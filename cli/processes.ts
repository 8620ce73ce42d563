/**
 * `potok processes [--status s] [--scenario id] [--limit n]` and `potok replay <processId>
 * [--current]`: the processes catalog of the configured store (MONGODB_URI or DATA_DIR), without
 * a server.
 */
import { defineCommand } from 'citty'
import { ProcessExecutor } from '../processes/executor.ts'
import { replayStoredProcess } from '../processes/lifecycle.ts'
import { openStore } from '../store/index.ts'
import type { ProcessRecord, ProcessStore } from '../store/port.ts'
import type { ProcessStatus } from '../runtime/index.ts'
import { processServices } from '../server/serve.ts'
import { CliError, cliSettings, withCliErrors } from './files.ts'

const STATUSES = ['queued', 'running', 'completed', 'failed', 'interrupted', 'cancelled']

async function withStore<T>(body: (store: ProcessStore) => Promise<T>): Promise<T> {
  const settings = cliSettings()
  const store = await openStore({ mongodbUri: settings.mongodbUri ?? '', dataDir: settings.dataDir })
  try {
    return await body(store)
  } finally {
    await store.close()
  }
}

export const processesCommand = defineCommand({
  meta: { name: 'processes', description: 'List stored processes, newest first (one JSON line each with --json).' },
  args: {
    status: { type: 'string', description: `only these statuses, comma-separated (${STATUSES.join(', ')})` },
    scenario: { type: 'string', description: 'only processes of this scenario id' },
    limit: { type: 'string', description: 'how many (default 20)' },
    json: { type: 'boolean', description: 'print each record as a JSON line' },
  },
  run: ({ args }) =>
    withCliErrors(async () => {
      const status = args.status?.split(',').filter(Boolean)
      const unknown = status?.filter((s) => !STATUSES.includes(s))
      if (unknown?.length) throw new CliError(`unknown status ${unknown.join(', ')}; use ${STATUSES.join(', ')}`)
      const limit = args.limit === undefined ? 20 : Number(args.limit)
      if (!Number.isInteger(limit) || limit < 1) throw new CliError('--limit must be a positive whole number')
      const page = await withStore((store) => store.listProcesses({ status: status as ProcessStatus[] | undefined, scenarioId: args.scenario, limit }))
      for (const p of page.items) process.stdout.write(args.json ? `${JSON.stringify(p)}\n` : `${line(p)}\n`)
      if (!args.json && !page.items.length) process.stdout.write('no processes\n')
      return 0
    }),
})

function line(p: ProcessRecord): string {
  const error = p.error ? `  ${p.error.code}: ${p.error.message}` : ''
  return `${p.id}  ${p.status.padEnd(11)} ${p.scenario.id}@${p.scenario.version}  ${p.startedAt}  ${p.durationMs ?? '-'} ms${p.replayOf ? `  replay of ${p.replayOf}` : ''}${error}`
}

export const replayCommand = defineCommand({
  meta: { name: 'replay', description: 'Run a stored process again with the same input (a new process with replayOf set); prints it when it ends.' },
  args: {
    processId: { type: 'positional', description: 'the process to replay', required: true },
    current: { type: 'boolean', description: 'against the latest scenario version instead of the one it ran' },
  },
  run: ({ args }) =>
    withCliErrors(() =>
      withStore(async (store) => {
        const executor = new ProcessExecutor(store, { pollMs: 100, services: processServices(store) })
        executor.start()
        try {
          const replay = await replayStoredProcess(store, executor, args.processId, args.current ? 'current' : 'original')
          const finished = await untilFinished(store, replay.id)
          const error = finished.error ? { code: finished.error.code, message: finished.error.message, nodeId: finished.error.nodeId ?? null } : null
          process.stdout.write(`${JSON.stringify({ processId: finished.id, replayOf: finished.replayOf, status: finished.status, output: finished.output, error }, null, 2)}\n`)
          return finished.status === 'completed' ? 0 : 1
        } finally {
          await executor.stop()
        }
      }),
    ),
})

async function untilFinished(store: ProcessStore, id: string): Promise<ProcessRecord> {
  for (;;) {
    const record = await store.getProcess(id)
    if (record && record.status !== 'queued' && record.status !== 'running') return record
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
