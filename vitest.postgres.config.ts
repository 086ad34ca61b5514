import { defineConfig } from 'vitest/config';
import { probePostgres } from './test/helpers/postgres-probe.js';

/**
 * The contract suite against PostgreSQL: the store, service and MCP tests, each file on a fresh
 * database of the server named by FLEETDECK_TEST_PG_URL (default the local one), plus the
 * PostgreSQL-only store tests. Nothing here spawns dist/, so there is no build step.
 * Run: FLEETDECK_TEST_STORE=postgres npx vitest run --config vitest.postgres.config.ts
 */
const probe = await probePostgres();
// Unreachable: only the PostgreSQL store tests run, and each file prints why it skips.
if (!probe.ok) console.warn(`PostgreSQL contract run skipped: ${probe.reason}`);

export default defineConfig({
  test: {
    include: probe.ok
      ? ['test/store/postgres/**/*.test.ts', 'test/services/**/*.test.ts', 'test/mcp/**/*.test.ts', 'test/transports/stateless-sessions.test.ts']
      : ['test/store/postgres/**/*.test.ts'],
    // these start dist/ processes on a SQLite file, or inspect SQLite itself: engine-specific by design
    exclude: [
      'test/mcp/evidence-stdio.test.ts',
      'test/services/evidence.test.ts',
      'test/services/sweep.test.ts',
      'test/services/blockers-store.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    env: { FLEETDECK_TEST_STORE: 'postgres' },
  },
});
