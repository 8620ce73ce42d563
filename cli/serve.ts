/** `potok serve`: the HTTP server (also `npm start`); settings come from the environment. */
import { defineCommand } from 'citty'
import { cliSettings, withCliErrors } from './files.ts'

/** `--port` / `--host`, shared with `potok dev`. */
export const listenArgs = { port: { type: 'string', description: 'overrides PORT' }, host: { type: 'string', description: 'overrides HOST' } } as const

/** Writes `--port` / `--host` over PORT / HOST before the settings are read. */
export function applyListenArgs(args: { port?: string; host?: string }): void {
  if (args.port) process.env.PORT = args.port
  if (args.host) process.env.HOST = args.host
}

export const serveCommand = defineCommand({
  meta: { name: 'serve', description: 'Serve /api/webrequest and the management API (settings from the environment; see README).' },
  args: listenArgs,
  run: async ({ args }) => {
    applyListenArgs(args)
    // A bad setting is one line and exit 1, never a stack trace.
    let settings: ReturnType<typeof cliSettings>
    try {
      settings = cliSettings()
    } catch (error) {
      return withCliErrors(() => Promise.reject(error))
    }
    const { serve, tuneGarbageCollector } = await import('../server/serve.ts')
    tuneGarbageCollector()
    await serve(settings)
  },
})
