/**
 * One settings module: `server/settings.ts` reads and validates every setting at start and hands
 * the engine its share as runtime limits. Nothing else reads a setting from `process.env`; the
 * few other uses are listed here with the reason, so a new one fails until it is routed through
 * the settings (or explained).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const LAYERS = ['runtime', 'components', 'store', 'processes', 'bpmn', 'server', 'cli', 'bin', 'console/src']

/** Files that touch `process.env` other than to read a setting, and why. */
const NOT_SETTINGS: Record<string, string> = {
  'server/settings.ts': 'the settings module itself',
  'cli/files.ts': "hands process.env to loadSettings (the CLI's entry)",
  'cli/serve.ts': 'writes --port / --host over PORT / HOST before the settings read them',
  'cli/dev.ts': 'defaults LOG_LEVEL to warn before the settings read it',
  'server/serve.ts': 'a doc comment: serve(loadSettings(process.env))',
  'server/catalog.ts': 'secrets given as { "env": "NAME" } in external requests are read when used (docs/server.md)',
  'server/connections/connections.ts': 'secrets given as { "env": "NAME" } in connections are read when used',
  'server/connections/secretKey.ts': 'POTOK_SECRET_KEY, read where connections are opened (not yet a setting)',
}

test('no module but server/settings.ts reads a setting from process.env', () => {
  const readers = LAYERS.flatMap((dir) =>
    readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
      .filter((entry) => entry.isFile() && /\.(ts|tsx|mjs)$/.test(entry.name))
      .map((entry) => relative(ROOT, join(entry.parentPath, entry.name))),
  ).filter((file) => readFileSync(join(ROOT, file), 'utf8').includes('process.env'))
  expect(readers.filter((file) => !(file in NOT_SETTINGS))).toEqual([])
  // The list stays honest: an entry whose file no longer touches process.env goes.
  expect(Object.keys(NOT_SETTINGS).filter((file) => !readers.includes(file))).toEqual([])
})
