/**
 * The JSON Claude Code writes on a hook's stdin (Claude Code hooks reference, "Hook input"; see
 * docs/claude-code.md): every event has `session_id`, `transcript_path`, `cwd`, `hook_event_name`;
 * PreToolUse and PostToolUse add `tool_name` and `tool_input` (file tools carry an absolute
 * `file_path`, NotebookEdit a `notebook_path`); SessionStart adds `source`; Stop adds
 * `stop_hook_active`. Unknown fields are ignored (Claude Code adds fields over time); the ones we
 * read are checked and bounded.
 */
import { FleetError } from '../domain/errors.js';

/** A hook payload is small; a larger stdin is refused before it is parsed. */
export const MAX_PAYLOAD_BYTES = 1024 * 1024;
const MAX_TEXT = 4096;

export interface HookPayload {
  sessionId: string | null;
  cwd: string | null;
  eventName: string | null;
  toolName: string | null;
  /** the absolute path a file tool writes (`file_path`, or `notebook_path` for NotebookEdit) */
  filePath: string | null;
  source: string | null;
  stopHookActive: boolean;
}

function bad(message: string): FleetError {
  return new FleetError('INVALID_INPUT', `hook input: ${message}`, 'fleetdeck hook reads the JSON Claude Code writes on stdin');
}

function optionalText(raw: Record<string, unknown>, key: string): string | null {
  const value = raw[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw bad(`${key} must be a string`);
  if (value.length > MAX_TEXT) throw bad(`${key} is longer than ${MAX_TEXT} characters`);
  if (value.includes('\0')) throw bad(`${key} contains a NUL character`);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses and checks the stdin text. An empty stdin is an empty payload (a hook run by hand);
 * anything else must be a JSON object whose fields we read have the documented types.
 */
export function parseHookPayload(text: string): HookPayload {
  if (Buffer.byteLength(text, 'utf8') > MAX_PAYLOAD_BYTES) {
    throw new FleetError('TOO_LARGE', `hook input is larger than ${MAX_PAYLOAD_BYTES} bytes`);
  }
  let raw: unknown = {};
  if (text.trim() !== '') {
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw bad(`not JSON (${(error as Error).message})`);
    }
  }
  if (!isObject(raw)) throw bad('not a JSON object');
  const toolInput = raw.tool_input;
  if (toolInput !== undefined && toolInput !== null && !isObject(toolInput)) throw bad('tool_input must be an object');
  const input = isObject(toolInput) ? toolInput : {};
  const cwd = optionalText(raw, 'cwd');
  if (cwd !== null && !cwd.startsWith('/')) throw bad('cwd must be an absolute path');
  const file = optionalText(input, 'file_path');
  const notebook = optionalText(input, 'notebook_path');
  const filePath = file ?? notebook;
  const stop = raw.stop_hook_active;
  if (stop !== undefined && typeof stop !== 'boolean') throw bad('stop_hook_active must be a boolean');
  return {
    sessionId: optionalText(raw, 'session_id'),
    cwd,
    eventName: optionalText(raw, 'hook_event_name'),
    toolName: optionalText(raw, 'tool_name'),
    filePath,
    source: optionalText(raw, 'source'),
    stopHookActive: stop === true,
  };
}
