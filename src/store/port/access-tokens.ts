/** A bearer token of the HTTP transport, without its secret (only the hash is ever stored). */
export interface AccessToken {
  id: string;
  kind: 'agent' | 'operator';
  agentId: string | null;
  label: string;
  createdAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

export interface NewAccessToken {
  id: string;
  kind: 'agent' | 'operator';
  agentId: string | null;
  label: string;
  tokenHash: string;
  now: number;
}

export interface AccessTokenRepo {
  insert(row: NewAccessToken): Promise<AccessToken>;
  get(id: string): Promise<AccessToken | null>;
  /** The token with this hash, revoked or not (the caller decides what a revoked one means). */
  findByHash(tokenHash: string): Promise<AccessToken | null>;
  list(includeRevoked: boolean): Promise<AccessToken[]>;
  /** Sets revoked_at if the token is not revoked yet; returns whether it changed. */
  revoke(id: string, now: number): Promise<boolean>;
  /** The agent whose registration token has this hash (registration tokens are bearer tokens too). */
  agentIdByRegistrationHash(tokenHash: string): Promise<string | null>;
  /** Records use; only moves forward. */
  touch(id: string, now: number): Promise<void>;
}
