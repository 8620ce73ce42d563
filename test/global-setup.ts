/**
 * Builds what ships once before the tests — the server's JavaScript (dist/) and the console
 * (console/dist/) — so the tests that run the CLI as a user does (`node bin/potok.mjs …`) and
 * the browser tests run what ships, never a stale build. Once, here: test files run two at a
 * time, and a file rebuilding the console empties console/dist under another file's browser.
 */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url))
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' })
}
