// A process worker's first module. In the built package (dist/) the worker is JavaScript beside
// this file; from the sources, worker threads do not inherit the main thread's loader, so the
// TypeScript is registered here (tsx, as bin/potok.mjs does) before `worker.ts`.
import { existsSync } from 'node:fs'

const built = new URL('./worker.js', import.meta.url)
if (existsSync(built)) {
  await import(built.href)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import('./worker.ts')
}
