import { describe, expect, it } from 'vitest';
import { isFleetdeckHook, mergeHooks, type SettingsDoc } from '../../src/cli/init/claude-settings.js';

const flags = { autoClaim: false, blockStop: false, strict: false };

describe('merging fleetdeck hooks into Claude Code settings', () => {
  it('adds one group per event, keeps everything else, and is idempotent', () => {
    const mine = { type: 'command', command: './scripts/lint.sh' };
    const doc: SettingsDoc = { model: 'opus', hooks: { PreToolUse: [{ matcher: 'Edit', hooks: [mine] }], PreCompact: [{ hooks: [mine] }] } };
    const once = mergeHooks(doc, 'fleetdeck', flags);
    expect(once.model).toBe('opus');
    expect(once.hooks!.PreCompact).toEqual([{ hooks: [mine] }]);
    expect(once.hooks!.PreToolUse).toEqual([
      { matcher: 'Edit', hooks: [mine] },
      { matcher: 'Edit|Write|MultiEdit|NotebookEdit', hooks: [{ type: 'command', command: 'fleetdeck hook pre-tool-use', timeout: 10 }] },
    ]);
    expect(Object.keys(once.hooks!).sort()).toEqual(['PostToolUse', 'PreCompact', 'PreToolUse', 'SessionStart', 'Stop', 'UserPromptSubmit']);
    expect(mergeHooks(once, 'fleetdeck', flags)).toEqual(once);
  });

  it('updates its own hook in place (another install, new flags) and drops duplicates', () => {
    const old = 'node /old/dist/cli.js hook stop';
    const doc: SettingsDoc = {
      hooks: {
        Stop: [
          { hooks: [{ type: 'command', command: 'say done' }, { type: 'command', command: old }] },
          { hooks: [{ type: 'command', command: "'/usr/bin/node' '/x/dist/cli.js' hook stop --strict" }] },
        ],
      },
    };
    const merged = mergeHooks(doc, 'fleetdeck', { ...flags, blockStop: true, db: '/data/my fleet.db' });
    expect(merged.hooks!.Stop).toEqual([
      { hooks: [{ type: 'command', command: 'say done' }, { type: 'command', command: "fleetdeck hook stop --block-stop --db '/data/my fleet.db'", timeout: 10 }] },
    ]);
  });

  it('recognises its commands by event only', () => {
    expect(isFleetdeckHook('"$CLAUDE_PROJECT_DIR"/node_modules/.bin/fleetdeck hook pre-tool-use --auto-claim', 'pre-tool-use')).toBe(true);
    expect(isFleetdeckHook('fleetdeck hook pre-tool-use', 'post-tool-use')).toBe(false);
    expect(isFleetdeckHook('fleetdeck hook stopwatch', 'stop')).toBe(false);
    expect(isFleetdeckHook('my-tool hook stop', 'stop')).toBe(false);
  });
});
