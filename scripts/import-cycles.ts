/**
 * Finds import cycles between the modules of src/, and imports that run against the layers.
 * Value imports can form a cycle at load; type-only ones (`import type`) cannot, but a circle of
 * types still ties the modules together for a reader, so `importCycles(root, { types: true })`
 * counts them too. `node --import tsx scripts/import-cycles.ts` prints both; the architecture test
 * (test/architecture/layers.test.ts) fails on any not in its list of known exceptions.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const SRC = fileURLToPath(new URL('../src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (entry.endsWith('.ts') && !entry.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/**
 * Relative static imports of one file, as absolute .ts paths (dynamic import() is lazy: no cycle at
 * load). Value imports only, unless `types` is set.
 */
export function valueImports(file: string, types = false): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?([^'";]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]/gm;
  for (const m of text.matchAll(re)) {
    if (!types && m[2]) continue; // import type / export type
    if (!types && m[3] && /^\{[^}]*\}\s+from\s+$/.test(m[3].trim() + ' ') && m[3].replace(/[{}\s]/g, '').split(',').every((n) => n.startsWith('type'))) continue;
    found.push(resolve(dirname(file), m[4]!.replace(/\.js$/, '.ts')));
  }
  return found;
}

/** Every static import (type-only ones included) of `file`. */
export function allImports(file: string): string[] {
  return valueImports(file, true);
}

/** Every strongly connected group of two or more modules (or a module importing itself). */
export function importCycles(root: string = SRC, options: { types?: boolean } = {}): string[][] {
  const files = sourceFiles(root);
  const graph = new Map(files.map((f) => [f, valueImports(f, options.types ?? false).filter((t) => t.startsWith(root))]));
  let index = 0;
  const stack: string[] = [];
  const meta = new Map<string, { index: number; low: number; onStack: boolean }>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    meta.set(v, { index, low: index, onStack: true });
    index++;
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!meta.has(w)) {
        visit(w);
        meta.get(v)!.low = Math.min(meta.get(v)!.low, meta.get(w)!.low);
      } else if (meta.get(w)!.onStack) meta.get(v)!.low = Math.min(meta.get(v)!.low, meta.get(w)!.index);
    }
    if (meta.get(v)!.low === meta.get(v)!.index) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        meta.get(w)!.onStack = false;
        group.push(w);
      } while (w !== v);
      if (group.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(group.map((f) => relative(root, f)).sort());
    }
  };
  for (const f of files) if (!meta.has(f)) visit(f);
  return cycles;
}

/** The folders (or root files) of src/ that form its layers, lowest first. */
const ADAPTERS = ['mcp', 'cli', 'console', 'hooks', 'agentq', 'transports'];

/** What a module of each lower layer may never import (type-only imports included). */
const FORBIDDEN: Record<string, string[]> = {
  domain: ['services', 'store', ...ADAPTERS, 'main.ts', 'config.ts'],
  store: ['services', ...ADAPTERS, 'main.ts'],
  services: [...ADAPTERS, 'main.ts', 'store/sqlite', 'store/postgres'],
  // above the services only src/store/open-store.ts knows the engines
  ...Object.fromEntries([...ADAPTERS, 'main.ts', 'config.ts'].map((a) => [a, ['store/sqlite', 'store/postgres']])),
  mcp: ['store/sqlite', 'store/postgres', 'transports', 'cli', 'console', 'hooks', 'agentq'],
  transports: ['store/sqlite', 'store/postgres', 'cli', 'hooks', 'agentq'],
  console: ['store/sqlite', 'store/postgres', 'mcp', 'cli', 'hooks', 'agentq', 'transports'],
  hooks: ['store/sqlite', 'store/postgres', 'mcp', 'cli', 'console', 'agentq', 'transports'],
  agentq: ['store/sqlite', 'store/postgres', 'mcp', 'cli', 'console', 'hooks', 'transports'],
};

function layerOf(rel: string): string {
  return rel.split('/')[0]!;
}

/** Imports that run up the layers: `from → to`, relative to `root`. The lint says the same per file; this checks the whole graph. */
export function layerViolations(root: string = SRC): string[] {
  const out: string[] = [];
  for (const file of sourceFiles(root)) {
    const from = relative(root, file).split('\\').join('/');
    const forbidden = FORBIDDEN[layerOf(from)];
    if (!forbidden) continue;
    for (const target of allImports(file)) {
      if (!target.startsWith(root)) continue;
      const to = relative(root, target).split('\\').join('/');
      if (forbidden.some((f) => to === f || to.startsWith(`${f}/`))) out.push(`${from} → ${to}`);
    }
  }
  return out.sort();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const v of layerViolations()) process.stderr.write(`import against the layers: ${v}\n`);
  for (const c of importCycles(SRC, { types: true })) process.stderr.write(`import cycle (type-only imports included): ${c.join(' → ')}\n`);
  const cycles = importCycles();
  for (const c of cycles) process.stderr.write(`import cycle: ${c.join(' → ')}\n`);
  process.stderr.write(cycles.length === 0 ? 'no import cycles in src/\n' : `${cycles.length} import cycle(s)\n`);
  process.exitCode = cycles.length === 0 ? 0 : 1;
}
