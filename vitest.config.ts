import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The production-stack test has its own config and command (`npm run test:deploy`).
    exclude: [...configDefaults.exclude, 'test/deploy/**'],
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    teardownTimeout: 60_000,
  },
});
