import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // End-to-end suites start servers on ephemeral ports; files run in parallel, tests inside a file in order.
    pool: 'forks',
    // Each file kills the child process groups it left (test/fixtures/child-process.ts); after the last file,
    // the run fails if any process running this checkout's code is still alive.
    setupFiles: ['test/fixtures/child-process-teardown.ts'],
    globalSetup: ['test/fixtures/leftover-processes.ts'],
  },
});
