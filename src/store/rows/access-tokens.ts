import type { AccessToken } from '../port/access-tokens.js';

export interface AccessTokenRow {
  id: string;
  kind: string;
  agent_id: string | null;
  label: string;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}

export const toAccessToken = (row: AccessTokenRow): AccessToken => ({
  id: row.id,
  kind: row.kind === 'operator' ? 'operator' : 'agent',
  agentId: row.agent_id,
  label: row.label,
  createdAt: row.created_at,
  revokedAt: row.revoked_at,
  lastUsedAt: row.last_used_at,
});
