/**
 * The engine's public face: what the layers above it (the server, the CLI) may use. Scenarios
 * and their validation, running a process (in this thread or through a `ProcessRunner`), the
 * services a process calls, the limits, the error type and the shapes of what crosses.
 *
 * @example
 * import { registerComponents } from '../components/index.ts'
 * import { startProcess, validateScenario } from '../runtime/index.ts'
 * registerComponents()
 * const result = await startProcess(scenario, { body: { name: 'Ada' } })
 */
export * from './binary.ts'
export * from './children.ts'
export * from './clock.ts'
export * from './depth.ts'
export * from './error-codes.ts'
export * from './errors.ts'
export * from './limits.ts'
export * from './process.ts'
export * from './process-id.ts'
export * from './records.ts'
export * from './registry.ts'
export * from './runner.ts'
export * from './scenario.ts'
export * from './stop.ts'
export * from './types.ts'
export * from './variables.ts'
export { DEFAULT_SANDBOX_TZ, timeZoneProblem } from './sandbox/timeZone.ts'
