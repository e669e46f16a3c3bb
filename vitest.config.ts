import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The production-stack test has its own config and command (`npm run test:deploy`).
    exclude: [...configDefaults.exclude, 'test/deploy/**'],
    pool: 'forks',
    // Most of the suite waits on the dev server, workers and ffmpeg rather than computing: two files at
    // once halve its wall time on two cores (vitest's default is one fewer than the cores).
    poolOptions: { forks: { maxForks: 2 } },
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    // A condition polled for is waited on as long as a loaded machine needs (vitest's default is 1 s).
    expect: { poll: { timeout: 30_000, interval: 100 } },
    hookTimeout: 600_000,
    teardownTimeout: 60_000,
  },
});
