import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { FleetError } from '../../domain/errors.js';

export type JsonDoc = Record<string, unknown>;

/** A JSON object file, or `{}` when it does not exist; anything else is refused, never overwritten. */
export function readJsonDoc(file: string): JsonDoc {
  if (!existsSync(file)) return {};
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new FleetError('INVALID_STATE', `${file} is not valid JSON: ${(error as Error).message}`, 'fix or remove it, then run fleetdeck init again');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new FleetError('INVALID_STATE', `${file} is not a JSON object`);
  return doc as JsonDoc;
}

export interface PlannedFile {
  file: string;
  content: string;
  changed: boolean;
  /** file mode when written (default: the umask's) */
  mode?: number;
}

export function planText(file: string, content: string, mode: number): PlannedFile {
  let before: string | null = null;
  try {
    before = readFileSync(file, 'utf8');
  } catch {
    before = null;
  }
  return { file, content, changed: before !== content, mode };
}

export function planJson(file: string, before: JsonDoc, after: JsonDoc): PlannedFile {
  const content = `${JSON.stringify(after, null, 2)}\n`;
  return { file, content, changed: !existsSync(file) || JSON.stringify(before) !== JSON.stringify(after) };
}

export function writePlanned(plan: PlannedFile): void {
  if (!plan.changed) return;
  mkdirSync(dirname(plan.file), { recursive: true });
  writeFileSync(plan.file, plan.content, plan.mode !== undefined ? { mode: plan.mode } : {});
  if (plan.mode !== undefined) chmodSync(plan.file, plan.mode);
}

/**
 * Keeps a personal file out of commits: Claude Code's settings.local.json is meant to be ignored;
 * when git does not ignore it yet, it goes into this clone's .git/info/exclude (never .gitignore).
 */
export function ensureIgnored(root: string, file: string): boolean {
  const rel = relative(root, file);
  try {
    execFileSync('git', ['-C', root, 'check-ignore', '-q', rel], { stdio: 'ignore' });
    return false; // already ignored
  } catch {
    // not ignored (or not a git repository)
  }
  let exclude: string;
  try {
    exclude = execFileSync('git', ['-C', root, 'rev-parse', '--git-path', 'info/exclude'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return false;
  }
  const path = isAbsolute(exclude) ? exclude : join(root, exclude);
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, `${existsSync(path) && !readFileSync(path, 'utf8').endsWith('\n') ? '\n' : ''}/${rel}\n`);
  return true;
}
