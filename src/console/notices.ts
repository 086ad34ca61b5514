import type { ActionName } from './actions.js';

/**
 * What a page says after a plain (no-script) form post. The redirect carries only a code (the
 * action's name, or an error code); the text comes from these tables, never from the URL, so a
 * link cannot make the console show words of someone else's choosing.
 */
export const ACTION_DONE: Record<ActionName, string> = {
  'pause-agent': 'The agent is paused.',
  'resume-agent': 'The agent is resumed.',
  'requeue-run': 'The run is requeued.',
  'cancel-run': 'The run is cancelled.',
  'reassign-run': 'The run is reassigned.',
  'force-release': 'The claims are released.',
  'resolve-blocker': 'The blocker is decided.',
  'requeue-dead': 'The dead letters are requeued.',
  'forget-stale-agents': 'The stale agents are forgotten.',
};

export const ERROR_TEXT: Record<string, string> = {
  INVALID_INPUT: 'The form was not valid: check the fields and try again.',
  NOT_FOUND: 'What the form names no longer exists.',
  INVALID_STATE: 'Not possible in its current state: it changed meanwhile. Look again and retry.',
  LEASE_LOST: 'The lease moved meanwhile. Look again and retry.',
  FORBIDDEN: 'Not allowed.',
  TOO_LARGE: 'The form is too large.',
  BUSY: 'The database is busy. Try again in a moment.',
  MISSING_EVIDENCE: 'Evidence is missing.',
};

export function noticeText(code: string | null): string | undefined {
  return code && Object.hasOwn(ACTION_DONE, code) ? ACTION_DONE[code as ActionName] : undefined;
}

export function errorText(code: string | null): string | undefined {
  return code && Object.hasOwn(ERROR_TEXT, code) ? ERROR_TEXT[code] : undefined;
}
