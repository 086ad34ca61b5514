import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCycles, layerViolations, serviceDirectionViolations, serviceKind, SRC } from '../../scripts/import-cycles.js';


describe('the module graph of src/', () => {
  it('has no import cycles (value imports; lazy import() cannot cycle at load)', () => {
    expect(importCycles()).toEqual([]);
  });

  it('has no cycle of type-only imports either', () => {
    expect(importCycles(undefined, { types: true })).toEqual([]);
  });

  it('never imports up the layers: domain < store < services < adapters; only src/store knows a backend', () => {
    expect(layerViolations()).toEqual([]);
  });

  it('inside src/services: machinery < steps < use cases; a step never reaches tx.ts or a use case', () => {
    expect(serviceDirectionViolations()).toEqual([]);
    expect(serviceKind(SRC, 'services/tx.ts')).toBe('machinery');
    expect(serviceKind(SRC, 'services/runs/steps/end.ts')).toBe('step');
    expect(serviceKind(SRC, 'services/runs/cancel.ts')).toBe('use case');
    expect(serviceKind(SRC, 'services/lifecycle.ts')).toBe('shared');
  });

  it('finds a step that reaches a use case or tx.ts, and machinery that reaches a concept, through any import', () => {
    const dir = `${mkdtempSync(join(tmpdir(), 'fleetdeck-direction-'))}/`;
    try {
      for (const d of ['services/runs/steps', 'services/claims/steps']) mkdirSync(join(dir, d), { recursive: true });
      writeFileSync(join(dir, 'services/deps.ts'), 'export interface Deps { n: number }\n');
      writeFileSync(join(dir, 'services/tx.ts'), "import type { Deps } from './deps.js';\nimport { expire } from './claims/steps/expire.js';\nexport function writeTx(d: Deps): number { return expire() + d.n; }\n");
      writeFileSync(join(dir, 'services/claims/steps/expire.ts'), 'export function expire(): number { return 1; }\n');
      writeFileSync(join(dir, 'services/runs/cancel.ts'), "import { writeTx } from '../tx.js';\nimport type { Deps } from '../deps.js';\nexport function cancel(deps: Deps): number { return writeTx(deps); }\n");
      writeFileSync(join(dir, 'services/runs/helper.ts'), "export type { Deps } from '../deps.js';\nimport type { cancel } from './cancel.js';\nexport type K = typeof cancel;\n");
      writeFileSync(join(dir, 'services/runs/steps/end.ts'), "import type { K } from '../helper.js';\nexport type E = K;\n");
      expect(serviceDirectionViolations(dir)).toEqual([
        'services/runs/helper.ts (shared) → services/runs/cancel.ts (use case)',
        'services/runs/steps/end.ts (step) → services/runs/cancel.ts (use case)',
        'services/runs/steps/end.ts (step) → services/tx.ts (machinery)',
        'services/tx.ts (machinery) → services/claims/steps/expire.ts (step)',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
