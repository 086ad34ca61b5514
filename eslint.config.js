import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ADAPTERS = ['**/mcp/**', '**/cli/**', '**/transports/**', '**/console/**', '**/hooks/**', '**/agentq/**'];

/** A store backend and its drivers: only src/store (open-store.ts picks one) may import them. */
const BACKENDS = ['**/store/sqlite/**', '**/store/postgres/**', 'better-sqlite3', 'pg'];

/** One layer's rule: files matching `files` (but not `ignores`) may not import anything matching `forbidden`. */
function layer(files, message, forbidden, ignores = []) {
  return {
    files: [files],
    ignores,
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: forbidden, message, allowTypeImports: false }] }],
    },
  };
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.ts'],
    rules: {
      // stdout is the MCP protocol in the stdio server: log with pino to stderr
      'no-console': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='process'][property.name='stdout']", message: 'stdout is the protocol; only src/cli/output.ts writes to it' },
      ],
    },
  },
  // Layering: data flows transport → adapter (mcp, cli, console, hooks, agentq) → service → store
  // port → backend. A layer never imports one above it. (Import cycles: scripts/import-cycles.ts,
  // checked by test/architecture/layers.test.ts.)
  layer('src/domain/**/*.ts', 'domain is pure rules and types: it imports no service, store, adapter or SDK', [
    '**/services/**',
    '**/store/**',
    ...ADAPTERS,
    '**/main.js',
    '**/config.js',
    '@modelcontextprotocol/*',
    'better-sqlite3',
    'pg',
  ]),
  layer('src/services/**/*.ts', 'services hold the rules: they never import an adapter, a transport, a store backend or the MCP SDK', [
    ...ADAPTERS,
    '**/main.js',
    '**/store/sqlite/**',
    '**/store/postgres/**',
    '@modelcontextprotocol/*',
    'better-sqlite3',
    'pg',
  ]),
  layer('src/store/**/*.ts', 'a store implements the port: it imports no service or adapter', ['**/services/**', ...ADAPTERS, '**/main.js', '@modelcontextprotocol/*']),
  // Adapters reach the store through the port and src/store/open-store.ts only, never a backend.
  layer('src/mcp/**/*.ts', 'the MCP adapter serves any transport: it imports no transport, other adapter or store backend', [
    '**/transports/**',
    '**/cli/**',
    '**/console/**',
    '**/hooks/**',
    '**/agentq/**',
    ...BACKENDS,
  ]),
  layer('src/cli/**/*.ts', 'the CLI reaches the store through src/store/open-store.ts, never a backend', BACKENDS),
  layer(
    'src/console/**/*.ts',
    'the console is an adapter over the services: no backend, MCP layer, CLI, hook or bridge',
    [...BACKENDS, '**/mcp/**', '@modelcontextprotocol/*', '**/cli/**', '**/hooks/**', '**/agentq/**', '**/transports/**'],
  ),
  layer('src/hooks/**/*.ts', 'a hook runs on every tool call: it loads no MCP layer, SDK, other adapter or store backend', [
    ...BACKENDS,
    '**/mcp/**',
    '@modelcontextprotocol/*',
    '**/cli/**',
    '**/console/**',
    '**/agentq/**',
    '**/transports/**',
  ]),
  layer('src/agentq/**/*.ts', 'the bridge is an adapter over the services: no backend, MCP layer, CLI, console or hook', [
    ...BACKENDS,
    '**/mcp/**',
    '@modelcontextprotocol/*',
    '**/cli/**',
    '**/console/**',
    '**/hooks/**',
    '**/transports/**',
  ]),
  // stdio.ts still takes redactUrl from the backend's folder: one import line, left to the replicas
  // branch that owns src/transports (it moves to src/store/open-store.ts, then this exception goes).
  layer('src/transports/**/*.ts', 'a transport carries the MCP server (and the console): no backend, CLI, hook or bridge', [...BACKENDS, '**/cli/**', '**/hooks/**', '**/agentq/**']),
  {
    // plain Node scripts run by npm (build, lock-platform-stubs)
    files: ['scripts/**/*.mjs', 'eslint.config.js'],
    languageOptions: { globals: { URL: 'readonly', process: 'readonly', console: 'readonly' } },
  },
  {
    files: ['src/cli/output.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
