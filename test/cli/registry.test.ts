import { describe, expect, it } from 'vitest';
import { COMMANDS, loadAllCommands, SECTIONS } from '../../src/cli/commands/index.js';
import { cliHint } from '../../src/cli/hints.js';
import { fitWidths } from '../../src/cli/output.js';
import { readablePayload } from '../../src/cli/commands/fleet-views.js';

describe('the lazy CLI command registry', () => {
  it('loads, for every entry, the command with exactly that path, once per path, in a known section', async () => {
    const commands = await loadAllCommands();
    expect(commands.map((c) => c.path)).toEqual(COMMANDS.map((e) => e.path));
    const paths = COMMANDS.map((e) => e.path.join(' '));
    expect(new Set(paths).size).toBe(paths.length);
    for (const e of COMMANDS) expect(Object.keys(SECTIONS)).toContain(e.section);
    for (const c of commands) {
      expect(c.summary.length, c.path.join(' ')).toBeGreaterThan(10);
      expect(c.usage, c.path.join(' ')).toContain(`fleetdeck ${c.path.join(' ')}`);
    }
  });
});

describe('CLI text', () => {
  it('hints name the CLI command for a tool a person would otherwise be told to call', () => {
    expect(cliHint('list runs with list_runs')).toBe('list runs with `fleetdeck runs`');
    expect(cliHint('list agents with fleet_status or fleet://agents')).toBe('list agents with `fleetdeck agents`');
    expect(cliHint('read it with get_run and retry')).toBe('read it with `fleetdeck status RUN_ID` and retry');
    // an agent's own actions have no CLI counterpart and stay as they are
    expect(cliHint('await_update on the run')).toBe('await_update on the run');
  });

  it('narrows the widest columns until a table fits, never below a column minimum', () => {
    expect(fitWidths([20, 10, 60], [20, 5, 5], 100)).toEqual([20, 10, 60]);
    const fitted = fitWidths([20, 30, 60], [20, 5, 5], 80);
    expect(fitted.reduce((a, b) => a + b, 0) + 4).toBe(80);
    expect(fitted[0]).toBe(20);
    expect(fitWidths([20, 20], [20, 20], 10)).toEqual([20, 20]); // nothing can give
  });

  it('shows an event payload as key=value, quoting text with spaces and leaving out empty values', () => {
    expect(readablePayload({ outcome: 'completed', evidence: ['art_1', 'art_2'], note: 'all green now', risks: [], hint: null, n: 3 })).toBe(
      'outcome=completed evidence=art_1,art_2 note="all green now" n=3',
    );
    expect(readablePayload({})).toBe('');
  });
});
