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
  },
})
