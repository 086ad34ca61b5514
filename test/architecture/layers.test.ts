import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCycles } from '../../scripts/import-cycles.js';

describe('the module graph of src/', () => {
  it('has no import cycles (value imports; `import type` and lazy import() cannot cycle at load)', () => {
    expect(importCycles()).toEqual([]);
  });

  it('finds a cycle when there is one, across multi-line imports, and ignores type-only imports', () => {
    const dir = `${mkdtempSync(join(tmpdir(), 'fleetdeck-cycles-'))}/`;
    try {
      writeFileSync(join(dir, 'a.ts'), "import {\n  b,\n} from './b.js';\nexport const a = b;\n");
      writeFileSync(join(dir, 'b.ts'), "import { a } from './a.js';\nimport type { C } from './c.js';\nexport const b = 2;\nexport type B = C | typeof a;\n");
      writeFileSync(join(dir, 'c.ts'), "import type { B } from './b.js';\nexport type C = B;\n");
      expect(importCycles(dir)).toEqual([['a.ts', 'b.ts']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
