/**
 * Finds import cycles between the modules of src/ (value imports only: `import type` is erased at
 * build time and cannot form a run-time cycle). `node --import tsx scripts/import-cycles.ts` prints
 * them; test/architecture/layers.test.ts fails on any.
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

/** Relative value imports of one file, as absolute .ts paths (dynamic import() is lazy: no cycle at load). */
export function valueImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?([^'";]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]/gm;
  for (const m of text.matchAll(re)) {
    if (m[2]) continue; // import type / export type
    if (m[3] && /^\{[^}]*\}\s+from\s+$/.test(m[3].trim() + ' ') && m[3].replace(/[{}\s]/g, '').split(',').every((n) => n.startsWith('type'))) continue;
    found.push(resolve(dirname(file), m[4]!.replace(/\.js$/, '.ts')));
  }
  return found;
}

/** Every strongly connected group of two or more modules (or a module importing itself). */
export function importCycles(root: string = SRC): string[][] {
  const files = sourceFiles(root);
  const graph = new Map(files.map((f) => [f, valueImports(f).filter((t) => t.startsWith(root))]));
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

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const cycles = importCycles();
  for (const c of cycles) process.stderr.write(`import cycle: ${c.join(' → ')}\n`);
  process.stderr.write(cycles.length === 0 ? 'no import cycles in src/\n' : `${cycles.length} import cycle(s)\n`);
  process.exitCode = cycles.length === 0 ? 0 : 1;
}
