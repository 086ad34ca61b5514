// `npm run build`: bundles src/cli.ts into dist/ with esbuild (ESM, code splitting, minified), so a server
// start reads a few files instead of hundreds of modules. Native and service-client packages stay
// external (they load their own files, or are only needed by commands that ask for them).
// Every dynamic import() becomes its own chunk: CLI commands, the HTTP stack and the glob engine
// load when a call first needs them. The SQL migrations are copied beside the bundle.
import { build } from 'esbuild';
import { chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

// zod re-exports every locale (~50 of them) in a namespace object (`z.locales`), which no bundler
// can shake; fleetdeck speaks English only, so `z.locales` holds English alone in the bundle.
const englishOnlyZod = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) => {
      if (!/[\\/]zod[\\/]/.test(args.importer)) return undefined;
      return { path: join(dirname(args.importer), '..', 'locales', 'en.js').replace(/\.js$/, '.english-only'), namespace: 'zod-en' };
    });
    b.onLoad({ filter: /.*/, namespace: 'zod-en' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path.replace(/\.english-only$/, '.js'))};`,
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

// The SDK's Server imports Ajv (with its formats, ~190 kB) to validate elicitation answers, and
// builds an instance in its constructor unless given a validator. src/mcp/server.ts always gives
// one, which loads Ajv on first use; so in the bundle the SDK's default stays out of the start-up.
const ajvOnDemand = {
  name: 'ajv-on-demand',
  setup(b) {
    b.onResolve({ filter: /validation\/ajv-provider\.js$/ }, (args) =>
      /[\\/]@modelcontextprotocol[\\/]sdk[\\/]dist[\\/]esm[\\/]server[\\/]/.test(args.importer) ? { path: 'sdk-server-ajv', namespace: 'ajv-on-demand' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'ajv-on-demand' }, () => ({
      contents:
        "export class AjvJsonSchemaValidator { constructor() { throw new Error('fleetdeck: pass jsonSchemaValidator to the SDK server (src/mcp/server.ts does)'); } }",
      loader: 'js',
    }));
  },
};

rmSync(dist, { recursive: true, force: true });
const result = await build({
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
  // identifiers too: ~27 % less to compile at every start, ~15 % faster to the initialize answer
  // (keepNames would add a call per function and give most of that back; nothing relies on names)
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  plugins: [keepModuleUrl, englishOnlyZod, ajvOnDemand],
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
// FLEETDECK_BUILD_META=1: what each output file holds, for whoever trims the start-up path
if (process.env.FLEETDECK_BUILD_META === '1') writeFileSync(join(dist, 'meta.json'), JSON.stringify(result.metafile));
// which sources each chunk holds (paths only): lets a test tell what a process loaded (test/hooks/import-graph.test.ts)
const chunkSources = Object.fromEntries(Object.entries(result.metafile.outputs).map(([out, o]) => [relative(dist, out), Object.keys(o.inputs)]));
writeFileSync(join(dist, 'chunk-sources.json'), JSON.stringify(chunkSources));
writeFileSync(join(dist, 'THIRD-PARTY-LICENSES.md'), thirdPartyLicenses(Object.keys(result.metafile.inputs)));

/** The licence of every package bundled into dist/ (their own comments are stripped by minifying). */
function thirdPartyLicenses(inputs) {
  const packages = new Map();
  for (const input of inputs) {
    const m = /^(.*node_modules[\\/])((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(input);
    if (m) packages.set(m[2].split('\\').join('/'), join(root, m[1], m[2]));
  }
  const parts = ['# Third-party software bundled in dist/', ''];
  for (const [name, dir] of [...packages].sort(([a], [b]) => a.localeCompare(b))) {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const file = readdirSync(dir).find((f) => /^(licen[sc]e|copying)/i.test(f));
    parts.push(`## ${name} ${pkg.version} (${pkg.license ?? 'see its package'})`, '', file ? readFileSync(join(dir, file), 'utf8').trim() : '(no licence file in the package)', '');
  }
  return `${parts.join('\n')}\n`;
}

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
