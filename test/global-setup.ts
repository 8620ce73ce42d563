/**
 * Builds the server's JavaScript (dist/) once before the tests: the tests that run the CLI as a
 * user does (`node bin/potok.mjs …`) then run what ships, never a stale build.
 */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url))
  execFileSync(process.execPath, ['scripts/build.mjs', 'server'], { cwd: root, stdio: 'inherit' })
}
