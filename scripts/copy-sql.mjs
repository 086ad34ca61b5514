// Copies the numbered SQL migrations next to the compiled store so dist/ is self-contained.
import { cpSync, mkdirSync } from 'node:fs';
const from = new URL('../src/store/sqlite/migrations/', import.meta.url);
const to = new URL('../dist/store/sqlite/migrations/', import.meta.url);
mkdirSync(to, { recursive: true });
cpSync(from, to, { recursive: true });
