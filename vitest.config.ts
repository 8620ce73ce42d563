import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup.ts'],
    // expect.poll waits for a condition, not a duration: on a loaded 2-core machine the browser
    // tests' pages need more than vitest's default second to catch up.
    expect: { poll: { timeout: 10_000 } },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // vitest's default is one fork per core but one, so a 2-core machine runs one file at a time;
    // most files wait (timers, child servers, the browser, FerretDB), so two at once finish the
    // suite sooner there. Larger machines keep the default.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
})
