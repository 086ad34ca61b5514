import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * Three projects: `unit` runs in-process against real SQLite files, needs no build and no network
 * service; `integration` runs in-process too but needs a service on this machine (PostgreSQL,
 * RabbitMQ, a browser); `e2e` spawns the built server (dist/cli.js), so only it builds dist/ first
 * (test/global-setup.ts). `npm test` (and so CI's `npm run check`) runs all three.
 * A test is end-to-end when it lives under test/e2e/ or test/reliability/, or when its source
 * spawns the build (mentions dist/ or uses test/helpers/stdio.ts): a new test file that spawns
 * `dist/cli.js` lands in the project that builds without anyone listing it.
 */
const E2E_DIRS = ['test/e2e/', 'test/reliability/'];
const SPAWNS_BUILD = /\bdist\/|helpers\/(stdio|hooks)(\.js)?'/;
/**
 * A test needs a service when it lives under test/store/postgres/ or uses the helpers that reach
 * one: RabbitMQ (helpers/amqp), Chromium (helpers/browser), a PostgreSQL test database
 * (createTestDatabase, postgresOrSkip). Importing `TEST_ENGINE` alone does not: it only reads the env.
 */
const SERVICE_DIRS = ['test/store/postgres/'];
const NEEDS_SERVICE = /helpers\/(amqp|browser)(\.js)?'|\b(createTestDatabase|postgresOrSkip|freshPostgresFleetUrl)\b/;

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...testFiles(path));
    else if (entry.endsWith('.test.ts')) out.push(relative(root, path).split('\\').join('/'));
  }
  return out;
}

// `*.serial.test.ts` files disturb shared services (the PostgreSQL chaos test restarts the server):
// they run alone, after everything else (vitest.serial.config.ts, `npm test`)
const all = testFiles(join(root, 'test')).filter((f) => !f.endsWith('.serial.test.ts'));
const e2e = all.filter((f) => E2E_DIRS.some((d) => f.startsWith(d)) || SPAWNS_BUILD.test(readFileSync(join(root, f), 'utf8')));
const integration = all.filter((f) => !e2e.includes(f) && (SERVICE_DIRS.some((d) => f.startsWith(d)) || NEEDS_SERVICE.test(readFileSync(join(root, f), 'utf8'))));
const unit = all.filter((f) => !e2e.includes(f) && !integration.includes(f));

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'unit', include: unit.length ? unit : ['test/__none__'] } },
      { extends: true, test: { name: 'integration', include: integration.length ? integration : ['test/__none__'] } },
      { extends: true, test: { name: 'e2e', include: e2e.length ? e2e : ['test/__none__'], globalSetup: ['test/global-setup.ts'] } },
    ],
  },
});
