import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FleetError } from '../../src/domain/errors.js';
import { parseHookPayload } from '../../src/hooks/payload.js';
import { FIXTURES } from '../helpers/hooks.js';

/** The documented input shape (docs/claude-code.md), as zod would check it: the reference. */
const text = z.string().max(4096).refine((s) => !s.includes('\0'));
const Reference = z
  .object({
    session_id: text.nullish(),
    cwd: text.refine((s) => s.startsWith('/')).nullish(),
    hook_event_name: text.nullish(),
    tool_name: text.nullish(),
    source: text.nullish(),
    stop_hook_active: z.boolean().optional(),
    tool_input: z.object({ file_path: text.nullish(), notebook_path: text.nullish() }).passthrough().nullish(),
  })
  .passthrough();

function ours(input: unknown): boolean {
  try {
    parseHookPayload(JSON.stringify(input));
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(FleetError);
    return false;
  }
}

describe('hook payload reader', () => {
  it('reads every recorded payload', () => {
    for (const name of readdirSync(FIXTURES).filter((f) => f.endsWith('.json'))) {
      const raw = readFileSync(`${FIXTURES}${name}`, 'utf8').replaceAll('__WORKSPACE__', '/home/dev/repo');
      const p = parseHookPayload(raw);
      expect(p.sessionId, name).toBe('3f1c9a2e-6b7d-4e1a-9c52-7d2b0e8f4a11');
      expect(p.cwd, name).toMatch(/^\/home\/dev\/repo/);
      expect(Reference.safeParse(JSON.parse(raw)).success, name).toBe(true);
    }
    const nb = parseHookPayload(readFileSync(`${FIXTURES}pre-tool-use-notebook.json`, 'utf8').replaceAll('__WORKSPACE__', '/r'));
    expect(nb).toMatchObject({ toolName: 'NotebookEdit', filePath: '/r/notebooks/analysis.ipynb' });
    expect(parseHookPayload(readFileSync(`${FIXTURES}stop-active.json`, 'utf8').replaceAll('__WORKSPACE__', '/r')).stopHookActive).toBe(true);
  });

  it('accepts exactly what the zod reference accepts', () => {
    const value = fc.oneof(fc.string({ maxLength: 8 }), fc.constant('/abs/path'), fc.constant('x'.repeat(4097)), fc.constant('a\0b'), fc.integer(), fc.boolean(), fc.constant(null));
    const payload = fc.record(
      {
        session_id: value,
        cwd: value,
        hook_event_name: value,
        tool_name: value,
        source: value,
        stop_hook_active: value,
        tool_input: fc.oneof(value, fc.record({ file_path: value, notebook_path: value, other: value }, { requiredKeys: [] })),
        extra: value,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(payload, (input) => {
        expect(ours(input)).toBe(Reference.safeParse(input).success);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses what is not a JSON object, and an oversized input', () => {
    for (const raw of ['[1]', '"x"', '{', 'null']) expect(() => parseHookPayload(raw)).toThrow(/hook input/);
    expect(parseHookPayload('')).toMatchObject({ cwd: null, toolName: null });
    expect(() => parseHookPayload(JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }))).toThrow(/larger than/);
  });
});
