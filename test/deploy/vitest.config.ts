import { defineConfig } from 'vitest/config';

// `npm run test:deploy`: the production stack, natively. Slow (it may build the Temporal server first),
// so it is not part of `npm test`; `.ci/run` runs it after the suite.
export default defineConfig({
  test: {
    include: ['test/deploy/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30 * 60_000,
    hookTimeout: 90 * 60_000,
    teardownTimeout: 120_000,
  },
});
