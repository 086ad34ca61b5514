// `npm run build`: bundles src/cli.ts into dist/ with esbuild (ESM, code splitting), so a server
// start reads a few files instead of hundreds of modules. Native and service-client packages stay
// external (they load their own files, or are only needed by commands that ask for them).
// Every dynamic import() becomes its own chunk: CLI commands, the HTTP stack and the glob engine
// load when a call first needs them. The SQL migrations are copied beside the bundle.
import { build } from 'esbuild';
import { chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const dist = join(root, 'dist');

// Packages with native code or their own file layout, and ones only optional commands use.
const EXTERNAL = ['better-sqlite3', 'pg', 'pg-native', 'pg-boss', 'amqplib', 'playwright-core'];

// A bundled module no longer sits where its source file would: rewrite `import.meta.url` to the URL
// the module would have in an unbundled dist/ (dist/<path under src>.js), so relative files such as
// migrations/ and ../package.json resolve as they do from source. All chunks live in dist/ itself.
const keepModuleUrl = {
  name: 'keep-module-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      if (!args.path.startsWith(src)) return undefined;
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const asDist = relative(src, args.path).replace(/\.ts$/, '.js').split('\\').join('/');
      return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(`./${asDist}`)}, import.meta.url).href`), loader: 'ts' };
    });
  },
};

const sdkPackage = JSON.parse(readFileSync(join(root, 'node_modules/@modelcontextprotocol/sdk/package.json'), 'utf8'));

rmSync(dist, { recursive: true, force: true });
await build({
  entryPoints: [join(src, 'cli.ts')],
  outdir: dist,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: EXTERNAL,
  chunkNames: '_[name]-[hash]',
  sourcemap: 'linked',
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [keepModuleUrl],
  // what `fleetdeck doctor` reports: the SDK version inside the bundle, not whatever node_modules holds later
  define: { __FLEETDECK_BUNDLED__: JSON.stringify({ sdk: sdkPackage.version }) },
  // bundled CommonJS packages call require() for Node built-ins
  banner: { js: "import { createRequire as __fleetdeckRequire } from 'node:module'; const require = __fleetdeckRequire(import.meta.url);" },
});

// SQL migrations of every store backend, beside where their module "lives" (see keepModuleUrl).
for (const dir of findDirs(join(src, 'store'), 'migrations')) {
  const to = join(dist, relative(src, dir));
  mkdirSync(dirname(to), { recursive: true });
  cpSync(dir, to, { recursive: true });
}
chmodSync(join(dist, 'cli.js'), 0o755);

function findDirs(dir, name) {
  const found = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (!statSync(path).isDirectory()) continue;
    if (entry === name) found.push(path);
    else found.push(...findDirs(path, name));
  }
  return found;
}
