/**
 * `potok dev`: the server for building scenarios — the console, the endpoints and the API on
 * listhen, `FLOWS_DIR` watched so a saved scenario file is a new version at once, the addresses
 * printed. Settings as for `potok serve` (README); logs at `warn` unless LOG_LEVEL says otherwise.
 */
import { defineCommand } from 'citty'
import { cliSettings, withCliErrors } from './files.ts'
import { applyListenArgs, listenArgs } from './serve.ts'

export const devCommand = defineCommand({
  meta: { name: 'dev', description: 'Development server: console and endpoints on listhen, FLOWS_DIR watched and reloaded without a restart.' },
  args: listenArgs,
  run: async ({ args }) => {
    applyListenArgs(args)
    process.env.LOG_LEVEL ||= 'warn'
    const [{ serve }, { watchFlows }] = await Promise.all([import('../server/serve.ts'), import('../server/flows-watch.ts')])
    let settings: ReturnType<typeof cliSettings>
    try {
      settings = cliSettings() // a bad setting: one line, exit 1
    } catch (error) {
      return withCliErrors(() => Promise.reject(error))
    }
    const server = await serve(settings, { listener: 'listhen' })
    const say = (line: string) => process.stdout.write(`${line}\n`)
    const webrequests = await server.store.listWebRequests()
    say(`  console:    ${server.url}`)
    say(`  API:        ${server.url}api/v1/  (OpenAPI: ${server.url}api/v1/openapi.json)`)
    for (const w of webrequests.filter((w) => w.enabled)) say(`  endpoint:   ${server.url}api/webrequest/${w.urlId}  → scenario ${w.scenarioId}`)
    say(`  watching:   ${settings.flowsDir}`)
    const stop = watchFlows(server.store, settings.flowsDir, {
      onReload: ({ changed }) => {
        if (!changed.length) return
        say(`reloaded ${changed.map((c) => `${c.id} (version ${c.version})`).join(', ')}`)
      },
      onProblem: (error) => process.stderr.write(`${error.message}\n(the previous versions keep serving)\n`),
    })
    const onExit = () => stop()
    process.once('SIGINT', onExit)
    process.once('SIGTERM', onExit)
  },
})
