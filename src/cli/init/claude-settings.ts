/**
 * Merges fleetdeck's hooks into a Claude Code settings document (.claude/settings.json or
 * settings.local.json) in the documented shape: `{"hooks": {"PreToolUse": [{"matcher": "…",
 * "hooks": [{"type": "command", "command": "…", "timeout": 10}]}]}}`. Everything else in the
 * file, the user's own hooks included, is kept; a fleetdeck hook already there is updated in
 * place, so running init again changes nothing.
 */
import { HOOK_EVENTS, FILE_EDIT_TOOLS, type HookEvent } from '../../hooks/events.js';
import { shellQuote } from './invocation.js';

export interface HookFlags {
  autoClaim: boolean;
  blockStop: boolean;
  strict: boolean;
  /** a database path (personal entries only) */
  db?: string;
}

/** Hook timeout in seconds: a hook gives up on fleetdeck after 5 s by itself and fails open. */
const TIMEOUT_SECONDS = 10;

const MATCHERS: Partial<Record<HookEvent, string>> = {
  'pre-tool-use': FILE_EDIT_TOOLS.join('|'),
  'post-tool-use': '*',
};

type HookEntry = { type?: string; command?: string; timeout?: number } & Record<string, unknown>;
type HookGroup = { matcher?: string; hooks?: HookEntry[] } & Record<string, unknown>;
export type SettingsDoc = { hooks?: Record<string, HookGroup[]> } & Record<string, unknown>;

export function hookCommandLine(start: string, event: HookEvent, flags: HookFlags): string {
  const extra = [
    ...(flags.strict ? ['--strict'] : []),
    ...(event === 'pre-tool-use' && flags.autoClaim ? ['--auto-claim'] : []),
    ...(event === 'stop' && flags.blockStop ? ['--block-stop'] : []),
    ...(flags.db ? ['--db', shellQuote(flags.db)] : []),
  ];
  return [start, 'hook', event, ...extra].join(' ');
}

/** Whether a hook command is one of ours for `event` (however fleetdeck was invoked). */
export function isFleetdeckHook(command: unknown, event: HookEvent): boolean {
  return typeof command === 'string' && new RegExp(`(fleetdeck(\\.sh)?|cli\\.js)['"]?\\s+hook\\s+${event}(\\s|$)`).test(command);
}

export function mergeHooks(doc: SettingsDoc, start: string, flags: HookFlags): SettingsDoc {
  const hooks: Record<string, HookGroup[]> = { ...(doc.hooks ?? {}) };
  for (const [event, claudeName] of Object.entries(HOOK_EVENTS) as [HookEvent, string][]) {
    const ours: HookEntry = { type: 'command', command: hookCommandLine(start, event, flags), timeout: TIMEOUT_SECONDS };
    const matcher = MATCHERS[event];
    let found = false;
    const groups: HookGroup[] = [];
    for (const group of Array.isArray(hooks[claudeName]) ? hooks[claudeName] : []) {
      const entries = Array.isArray(group.hooks) ? group.hooks : [];
      const kept: HookEntry[] = [];
      for (const entry of entries) {
        if (!isFleetdeckHook(entry.command, event)) kept.push(entry);
        else if (!found) {
          kept.push(ours);
          found = true;
        }
        // a second fleetdeck hook for the same event would run twice: dropped
      }
      if (kept.length === 0 && entries.length > 0) continue;
      const onlyOurs = kept.length === 1 && kept[0] === ours;
      groups.push({ ...group, ...(onlyOurs && matcher !== undefined ? { matcher } : {}), hooks: kept });
    }
    if (!found) groups.push({ ...(matcher !== undefined ? { matcher } : {}), hooks: [ours] });
    hooks[claudeName] = groups;
  }
  return { ...doc, hooks };
}

/**
 * The options the fleetdeck hooks in a settings document were written with, so running init again
 * keeps them (`--reset` drops them).
 */
export function existingHookFlags(doc: SettingsDoc): Pick<HookFlags, 'autoClaim' | 'blockStop' | 'strict'> {
  const commands: string[] = [];
  for (const [event, claudeName] of Object.entries(HOOK_EVENTS) as [HookEvent, string][]) {
    for (const group of Array.isArray(doc.hooks?.[claudeName]) ? doc.hooks[claudeName] : []) {
      for (const entry of Array.isArray(group.hooks) ? group.hooks : []) if (isFleetdeckHook(entry.command, event)) commands.push(String(entry.command));
    }
  }
  const has = (flag: string) => commands.some((c) => c.split(/\s+/).includes(flag));
  return { autoClaim: has('--auto-claim'), blockStop: has('--block-stop'), strict: has('--strict') };
}
