// A process worker's first module: worker threads do not inherit the main thread's loader, so
// the TypeScript sources are registered here (tsx, as bin/potok.mjs does) before `worker.ts`.
import { register } from 'tsx/esm/api'

register()
await import('./worker.ts')
