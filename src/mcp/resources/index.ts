import type { FleetEvent } from '../../domain/event.js';
import { artifactResource } from './artifacts.js';
import { agentClaimsResource, claimsResource, claimUrisChangedBy } from './claims.js';
import { blockerResource, blockersResource, blockerUrisChangedBy } from './blockers.js';
import { agentResource, agentsResource, eventsResource, eventsSinceResource, overviewResource } from './fleet.js';
import { handoffResource, handoffsResource, handoffUrisChangedBy } from './handoffs.js';
import type { ResourceDef } from './resource.js';
import { queueResource, runResource, runUrisChangedBy } from './runs.js';

export const RESOURCES: ResourceDef[] = [overviewResource, agentsResource, agentResource, eventsResource, eventsSinceResource, artifactResource, claimsResource, agentClaimsResource, runResource, queueResource, handoffsResource, handoffResource, blockersResource, blockerResource];

/**
 * Which resource URIs an event changes; subscribers of those URIs get
 * notifications/resources/updated. Concepts add their URIs here.
 */
export function urisChangedBy(event: FleetEvent): string[] {
  const uris = ['fleet://overview', 'fleet://events'];
  if (event.agentId) uris.push('fleet://agents', `fleet://agents/${event.agentId}`);
  if (event.type === 'artifact.attached' && event.runId) uris.push(`fleet://runs/${event.runId}`);
  uris.push(...claimUrisChangedBy(event));
  uris.push(...runUrisChangedBy(event));
  uris.push(...handoffUrisChangedBy(event));
  uris.push(...blockerUrisChangedBy(event));
  return uris;
}
