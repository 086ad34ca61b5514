/**
 * What a hook answers, in Claude Code's hook output format (Claude Code hooks reference, "Hook
 * output": JSON on stdout with exit code 0). `hookSpecificOutput.permissionDecision` ("allow" |
 * "deny" | "ask") and its reason for PreToolUse; `hookSpecificOutput.additionalContext` (read by
 * the model) for SessionStart, UserPromptSubmit and PostToolUse; `decision: "block"` with a
 * `reason` for Stop; `systemMessage` is shown to the user. An empty object changes nothing.
 *
 * A pre-tool-use that has no objection answers `{}`, never "allow": "allow" would skip Claude
 * Code's own permission prompt, which is not ours to waive.
 */
import type { ClaudeEventName } from './events.js';

/** The context a model reads is kept short: it is paid for in tokens on every turn it appears. */
export const MAX_CONTEXT_CHARS = 4000;

export type HookAnswer =
  | { kind: 'none'; systemMessage?: string }
  | { kind: 'context'; text: string; systemMessage?: string }
  | { kind: 'permission'; decision: 'deny' | 'ask'; reason: string }
  | { kind: 'block-stop'; reason: string };

export function renderAnswer(event: ClaudeEventName, answer: HookAnswer): Record<string, unknown> {
  switch (answer.kind) {
    case 'none':
      return answer.systemMessage ? { systemMessage: answer.systemMessage } : {};
    case 'context':
      return {
        hookSpecificOutput: { hookEventName: event, additionalContext: clip(answer.text, MAX_CONTEXT_CHARS) },
        ...(answer.systemMessage ? { systemMessage: answer.systemMessage } : {}),
      };
    case 'permission':
      return { hookSpecificOutput: { hookEventName: event, permissionDecision: answer.decision, permissionDecisionReason: clip(answer.reason, MAX_CONTEXT_CHARS) } };
    case 'block-stop':
      return { decision: 'block', reason: clip(answer.reason, MAX_CONTEXT_CHARS) };
  }
}

export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The fail-open answer: nothing decided, a one-line warning for the person. */
export function failOpenOutput(event: string, message: string): Record<string, unknown> {
  return { systemMessage: `fleetdeck hook ${event}: fleetdeck unavailable (${message}); continuing without it` };
}
