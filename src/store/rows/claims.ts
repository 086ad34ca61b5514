import type { Claim, ClaimKind, ClaimMode, ClaimState } from '../../domain/claim.js';

export interface ClaimRow {
  id: string;
  workspace: string;
  kind: string;
  pattern: string;
  prefix: string;
  mode: string;
  agent_id: string;
  run_id: string | null;
  reason: string | null;
  ttl_seconds: number;
  created_at: number;
  expires_at: number;
  state: string;
  released_at: number | null;
  release_reason: string | null;
  worktree: string | null;
  branch: string | null;
  host: string | null;
}

export function toClaim(row: ClaimRow): Claim {
  return {
    id: row.id,
    workspace: row.workspace,
    kind: row.kind as ClaimKind,
    pattern: row.pattern,
    prefix: row.prefix,
    mode: row.mode as ClaimMode,
    agentId: row.agent_id,
    runId: row.run_id,
    reason: row.reason,
    ttlSeconds: row.ttl_seconds,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    state: row.state as ClaimState,
    releasedAt: row.released_at,
    releaseReason: row.release_reason,
    location: { worktree: row.worktree, branch: row.branch, host: row.host },
  };
}
