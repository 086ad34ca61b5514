// Copies the numbered SQL migrations of each engine next to its compiled store so dist/ is self-contained.
import { cpSync, mkdirSync } from 'node:fs';
for (const engine of ['sqlite', 'postgres']) {
  const from = new URL(`../src/store/${engine}/migrations/`, import.meta.url);
  const to = new URL(`../dist/store/${engine}/migrations/`, import.meta.url);
  mkdirSync(to, { recursive: true });
  cpSync(from, to, { recursive: true });
}
