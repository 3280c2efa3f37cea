import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // End-to-end suites start servers on ephemeral ports; files run in parallel, tests inside a file in order.
    pool: 'forks',
  },
});
