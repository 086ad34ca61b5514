import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCycles, layerViolations } from '../../scripts/import-cycles.js';

/**
 * Known exceptions, each to be emptied by the work named beside it; the tests fail on anything
 * new, and on an exception that no longer exists (so the list only shrinks).
 */
const KNOWN_TYPE_CYCLES: string[][] = [
  // removed in part B (issue 19: steps under use cases; the call context stops importing deps)
  ['services/call-context.ts', 'services/deps.ts', 'services/signals.ts'],
];
const KNOWN_LAYER_VIOLATIONS: string[] = [];

describe('the module graph of src/', () => {
  it('has no import cycles (value imports; lazy import() cannot cycle at load)', () => {
    expect(importCycles()).toEqual([]);
  });

  it('has no cycle of type-only imports either, but for the known ones', () => {
    expect(importCycles(undefined, { types: true })).toEqual(KNOWN_TYPE_CYCLES);
  });

  it('never imports up the layers: domain < store < services < adapters; only src/store knows a backend', () => {
    expect(layerViolations()).toEqual(KNOWN_LAYER_VIOLATIONS);
  });

  it('finds a cycle when there is one, across multi-line imports, and counts type-only ones only when asked', () => {
    const dir = `${mkdtempSync(join(tmpdir(), 'fleetdeck-cycles-'))}/`;
    try {
      writeFileSync(join(dir, 'a.ts'), "import {\n  b,\n} from './b.js';\nexport const a = b;\n");
      writeFileSync(join(dir, 'b.ts'), "import { a } from './a.js';\nimport type { C } from './c.js';\nexport const b = 2;\nexport type B = C | typeof a;\n");
      writeFileSync(join(dir, 'c.ts'), "import type { B } from './b.js';\nexport type C = B;\n");
      expect(importCycles(dir)).toEqual([['a.ts', 'b.ts']]);
      expect(importCycles(dir, { types: true })).toEqual([['a.ts', 'b.ts', 'c.ts']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds an import that runs up the layers, a type-only one included', () => {
    const dir = `${mkdtempSync(join(tmpdir(), 'fleetdeck-layers-'))}/`;
    try {
      for (const d of ['domain', 'services', 'mcp', 'store/sqlite']) mkdirSync(join(dir, d), { recursive: true });
      writeFileSync(join(dir, 'mcp/tool.ts'), 'export const tool = 1;\n');
      writeFileSync(join(dir, 'store/sqlite/db.ts'), 'export type Db = number;\n');
      writeFileSync(join(dir, 'services/a.ts'), "import type { Db } from '../store/sqlite/db.js';\nexport type A = Db;\n");
      writeFileSync(join(dir, 'domain/b.ts'), "import { tool } from '../mcp/tool.js';\nexport const b = tool;\n");
      writeFileSync(join(dir, 'mcp/c.ts'), "import { tool } from './tool.js';\nexport const c = tool;\n");
      expect(layerViolations(dir)).toEqual(['domain/b.ts → mcp/tool.ts', 'services/a.ts → store/sqlite/db.ts']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
