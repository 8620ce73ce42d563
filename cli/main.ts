/** `potok <command>`: the CLI entry (bin/potok.mjs loads this). */
import { defineCommand, runMain } from 'citty'
import { registerComponents } from '../components/index.ts'
import { runCommand } from './run.ts'
import { validateCommand } from './validate.ts'

registerComponents()

const main = defineCommand({
  meta: { name: 'potok', description: 'Scenarios triggered by web requests, run as XState machines.' },
  subCommands: {
    serve: () => import('./serve.ts').then((m) => m.serveCommand),
    dev: () => import('./dev.ts').then((m) => m.devCommand),
    validate: validateCommand,
    run: runCommand,
    import: () => import('./import.ts').then((m) => m.importCommand),
    export: () => import('./export.ts').then((m) => m.exportCommand),
    processes: () => import('./processes.ts').then((m) => m.processesCommand),
    replay: () => import('./processes.ts').then((m) => m.replayCommand),
  },
})

await runMain(main)
