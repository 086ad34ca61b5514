/**
 * The Claude Code hook events fleetdeck answers, by their CLI name (`fleetdeck hook EVENT`) and the
 * name Claude Code puts in `hook_event_name` and expects back in `hookSpecificOutput.hookEventName`.
 */
export const HOOK_EVENTS = {
  'session-start': 'SessionStart',
  'pre-tool-use': 'PreToolUse',
  'post-tool-use': 'PostToolUse',
  'user-prompt-submit': 'UserPromptSubmit',
  stop: 'Stop',
} as const;

export type HookEvent = keyof typeof HOOK_EVENTS;
export type ClaudeEventName = (typeof HOOK_EVENTS)[HookEvent];

export function isHookEvent(name: string): name is HookEvent {
  return Object.hasOwn(HOOK_EVENTS, name);
}

/** The tools that write a file named in their input; pre-tool-use checks claims only for these. */
export const FILE_EDIT_TOOLS = ['Edit', 'Write', 'MultiEdit', 'NotebookEdit'] as const;
