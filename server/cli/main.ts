/** `potok <command>`: the CLI entry (bin/potok.mjs loads this). */
import { defineCommand, runMain } from 'citty'
import { runCommand } from './run.ts'
import { validateCommand } from './validate.ts'

const main = defineCommand({
  meta: { name: 'potok', description: 'Scenarios triggered by web requests, run as XState machines.' },
  subCommands: {
    serve: () => import('./serve.ts').then((m) => m.serveCommand),
    validate: validateCommand,
    run: runCommand,
  },
})

await runMain(main)
