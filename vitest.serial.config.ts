import { defineConfig } from 'vitest/config';

/**
 * Tests that disturb services other test files share, or whose timing rules (4 s leases, 0.5 s
 * sweeps, SIGSTOP) must not compete with other files for the 2 cores, so they run one file at a
 * time and after everything else (`npm test` runs this config last): the PostgreSQL chaos test
 * restarts the PostgreSQL server itself; the SQLite chaos test reported overlapping grants in
 * its replay only when run beside the other e2e files (docs/reliability.md). They spawn dist/, so the build runs first (test/global-setup.ts).
 */
export default defineConfig({
  test: {
    include: ['test/**/*.serial.test.ts'],
    fileParallelism: false,
    testTimeout: 150_000,
    hookTimeout: 120_000,
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
  },
});
