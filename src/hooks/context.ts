/** What every hook handler gets, and the text fragments the hooks share. */
import type { Signal } from '../domain/signal.js';
import type { Deps } from '../services/deps.js';
import type { HookPayload } from './payload.js';

export interface HookOptions {
  /** pre-tool-use: claim a file for the session's agent before allowing its edit */
  autoClaim: boolean;
  /** stop: keep the session going while its agent holds runs or claims */
  blockStop: boolean;
}

export interface HookContext {
  deps: Deps;
  payload: HookPayload;
  /** the session's workspace: its repository's identity (services/workspace-identity.ts) */
  workspace: string;
  /** the worktree top-level of the session: edited paths are relative to it */
  root: string;
  /** the session's agent */
  agentId: string;
  options: HookOptions;
}

const MAX_SIGNAL_LINES = 10;

/** Pending signals as lines a model can act on, most important first (the order they came). */
export function signalLines(signals: Signal[]): string[] {
  const lines = signals.slice(0, MAX_SIGNAL_LINES).map((s) => `- ${s.kind}${s.runId ? ` (${s.runId})` : ''}${s.subjectId && s.subjectId !== s.runId ? ` [${s.subjectId}]` : ''}: ${s.message}`);
  if (signals.length > MAX_SIGNAL_LINES) lines.push(`- … and ${signals.length - MAX_SIGNAL_LINES} more (whoami shows recent signals)`);
  return lines;
}

export function signalsText(signals: Signal[]): string {
  return [`fleetdeck: ${signals.length} signal(s) for you; act on them before anything else:`, ...signalLines(signals)].join('\n');
}

/** "12s ago", "3 min ago" */
export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s}s ago`;
  const m = Math.round(s / 60);
  return m < 90 ? `${m} min ago` : `${Math.round(m / 60)} h ago`;
}
