import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/build-once.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Adapter suites share one PostgreSQL database and one Redis; files run in parallel
    // but each suite uses its own table prefix / key prefix.
    pool: 'forks',
  },
});
