import type { Agent } from '../domain/agent.js';
import { FleetError, notFound } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { LIMITS } from '../domain/limits.js';
import { hashToken, newToken } from '../identity/tokens.js';
import type { AccessToken } from '../store/port/access-tokens.js';
import type { Tx } from '../store/port/index.js';
import { registerAgent } from './agents.js';
import type { Deps } from './deps.js';
import { readTx, writeTx } from './tx.js';
import { mapSeq } from './sequential.js';

/**
 * Bearer tokens of the HTTP transport. A token names one identity: an agent, or an operator (named
 * by the token's label). Only a SHA-256 of the secret is stored; the secret is shown once.
 * An agent's registration token (from register_agent) is accepted as its bearer token too, so an
 * agent that registered over stdio can reach the shared server without an extra step; it cannot be
 * revoked, so teams hand out access tokens (`fleetdeck token create`) instead.
 */
export type BearerIdentity =
  | { kind: 'agent'; agentId: string; tokenId: string | null; label: string }
  | { kind: 'operator'; name: string; tokenId: string };

/** Two requests act as the same identity when their keys are equal (tokens may differ). */
export function identityKey(identity: BearerIdentity): string {
  return identity.kind === 'agent' ? `agent:${identity.agentId}` : `operator:${identity.name}`;
}

/** What a rate limit counts against: the token, or the agent for a registration token. */
export function limiterKey(identity: BearerIdentity): string {
  return identity.tokenId ?? `registration:${identity.kind === 'agent' ? identity.agentId : identity.name}`;
}

export type CreateTokenInput =
  | { kind: 'agent'; /** an agent id, or a name (with role) */ agent: string; role?: string; label?: string }
  | { kind: 'operator'; label?: string };

export interface CreatedToken {
  token: AccessToken;
  /** shown once; only its hash is stored */
  secret: string;
  agent: Agent | null;
  agentCreated: boolean;
}

export async function createAccessToken(deps: Deps, actor: string, input: CreateTokenInput): Promise<CreatedToken> {
  let agent: Agent | null = null;
  let agentCreated = false;
  if (input.kind === 'agent') {
    ({ agent, created: agentCreated } = await resolveOrCreateAgent(deps, input.agent, input.role));
  }
  const label = checkLabel(input.label ?? (agent ? agent.name : 'operator'));
  const secret = newToken();
  const id = newId('tok');
  const token = await writeTx(deps, async (tx, now) => {
    if (agent && !await tx.agents.get(agent.id)) throw notFound('agent', agent.id);
    const created = await tx.accessTokens.insert({ id, kind: input.kind, agentId: agent?.id ?? null, label, tokenHash: hashToken(secret), now });
    await tx.events.append(
      { actor, type: 'token.created', agentId: agent?.id ?? null, subjectId: id, payload: { kind: input.kind, label } },
      now,
    );
    return created;
  });
  return { token, secret, agent, agentCreated };
}

async function resolveOrCreateAgent(deps: Deps, nameOrId: string, role: string | undefined): Promise<{ agent: Agent; created: boolean }> {
  if (/^agt_[0-9a-z]+$/.test(nameOrId)) {
    const agent = await readTx(deps, async (tx) => await tx.agents.get(nameOrId));
    if (!agent) throw notFound('agent', nameOrId, 'list agents with `fleetdeck agents`, or give --agent NAME --role ROLE to create one');
    return { agent, created: false };
  }
  if (!role) throw new FleetError('INVALID_INPUT', `--agent ${nameOrId} needs --role`, 'e.g. fleetdeck token create --agent alice --role implementer');
  if (nameOrId.length === 0 || nameOrId.length > LIMITS.name) throw new FleetError('INVALID_INPUT', 'the agent name must be 1–128 characters');
  if (role.length === 0 || role.length > LIMITS.role || !/^[A-Za-z0-9][A-Za-z0-9._:-]*$/.test(role)) {
    throw new FleetError('INVALID_INPUT', `invalid role: ${role}`, 'letters, digits, . _ : - (e.g. implementer, reviewer)');
  }
  const existing = await readTx(deps, async (tx) => await tx.agents.findByNameRole(nameOrId, role));
  if (existing[0]) return { agent: existing[0], created: false };
  const registration = await registerAgent(deps, { name: nameOrId, role });
  return { agent: registration.agent, created: true };
}

function checkLabel(label: string): string {
  const trimmed = label.trim();
  if (trimmed.length === 0 || trimmed.length > LIMITS.name) throw new FleetError('INVALID_INPUT', 'the label must be 1–128 characters');
  return trimmed;
}

export interface ListedToken extends AccessToken {
  agentName: string | null;
}

export async function listAccessTokens(deps: Deps, includeRevoked: boolean): Promise<ListedToken[]> {
  return readTx(deps, async (tx) =>
    mapSeq(await tx.accessTokens.list(includeRevoked), async (t) => ({ ...t, agentName: t.agentId ? ((await tx.agents.get(t.agentId))?.name ?? null) : null })),
  );
}

/**
 * Revokes a token at once: the next request that carries it gets 401. Revoking an agent's token
 * revokes every credential of that agent: its other access tokens, and its registration token
 * (which is a bearer token too). The registration token is revoked by a revoked access-token row
 * carrying its hash (label `registration token`): bearer checks find that row first, and resuming
 * with that token is refused (agents.ts). Revoking twice is a no-op.
 */
export async function revokeAccessToken(deps: Deps, actor: string, id: string): Promise<{ token: AccessToken; changed: boolean; alsoRevoked: AccessToken[] }> {
  return writeTx(deps, async (tx, now) => {
    const token = await tx.accessTokens.get(id);
    if (!token) throw notFound('token', id, 'list tokens with `fleetdeck token list`');
    const changed = await tx.accessTokens.revoke(id, now);
    if (changed) await tx.events.append({ actor, type: 'token.revoked', agentId: token.agentId, subjectId: id, payload: { kind: token.kind, label: token.label } }, now);
    const alsoRevoked = token.agentId === null ? [] : await revokeOtherCredentials(tx, actor, token.agentId, id, now);
    return { token: (await tx.accessTokens.get(id))!, changed, alsoRevoked };
  });
}

const REGISTRATION_LABEL = 'registration token';

async function revokeOtherCredentials(tx: Tx, actor: string, agentId: string, except: string, now: number): Promise<AccessToken[]> {
  const revoked: AccessToken[] = [];
  for (const other of await tx.accessTokens.list(false)) {
    if (other.agentId !== agentId || other.id === except) continue;
    if (!await tx.accessTokens.revoke(other.id, now)) continue;
    await tx.events.append({ actor, type: 'token.revoked', agentId, subjectId: other.id, payload: { kind: other.kind, label: other.label, with: except } }, now);
    revoked.push((await tx.accessTokens.get(other.id))!);
  }
  const registrationHash = await tx.agents.tokenHash(agentId);
  if (registrationHash !== null && await tx.accessTokens.findByHash(registrationHash) === null) {
    const marker = await tx.accessTokens.insert({ id: newId('tok'), kind: 'agent', agentId, label: REGISTRATION_LABEL, tokenHash: registrationHash, now });
    await tx.accessTokens.revoke(marker.id, now);
    await tx.events.append({ actor, type: 'token.revoked', agentId, subjectId: marker.id, payload: { kind: 'agent', label: REGISTRATION_LABEL, with: except } }, now);
    revoked.push((await tx.accessTokens.get(marker.id))!);
  }
  return revoked;
}

/** Whether this secret is a revoked credential (an access token, or a revoked registration token). */
export async function isRevokedSecret(tx: Tx, secret: string): Promise<boolean> {
  const token = await tx.accessTokens.findByHash(hashToken(secret));
  return token !== null && token.revokedAt !== null;
}

/** The identity a bearer secret names, or null (unknown or revoked). A read only. */
export async function authenticateBearer(deps: Deps, secret: string): Promise<BearerIdentity | null> {
  if (secret.length === 0 || secret.length > 200) return null;
  const hash = hashToken(secret);
  return readTx(deps, async (tx) => {
    const token = await tx.accessTokens.findByHash(hash);
    if (token) {
      if (token.revokedAt !== null) return null;
      if (token.kind === 'operator') return { kind: 'operator', name: token.label, tokenId: token.id };
      return { kind: 'agent', agentId: token.agentId!, tokenId: token.id, label: token.label };
    }
    const agentId = await tx.accessTokens.agentIdByRegistrationHash(hash);
    return agentId ? { kind: 'agent', agentId, tokenId: null, label: 'registration token' } : null;
  });
}

/**
 * Bookkeeping only (no audit event): when a token was last used. Callers throttle it. Soft state,
 * like a sign of life: committed without waiting for the disk (WriteOptions.soft).
 */
export async function recordTokenUse(deps: Deps, tokenId: string): Promise<void> {
  await deps.store.write(async (tx) => await tx.accessTokens.touch(tokenId, deps.clock.now()), { soft: () => true });
}
