import type { FleetEvent } from '../../domain/event.js';
import { agentResource, agentsResource, eventsResource, eventsSinceResource, overviewResource } from './fleet.js';
import type { ResourceDef } from './resource.js';

export const RESOURCES: ResourceDef[] = [overviewResource, agentsResource, agentResource, eventsResource, eventsSinceResource];

/**
 * Which resource URIs an event changes; subscribers of those URIs get
 * notifications/resources/updated. Concepts add their URIs here.
 */
export function urisChangedBy(event: FleetEvent): string[] {
  const uris = ['fleet://overview', 'fleet://events'];
  if (event.agentId) uris.push('fleet://agents', `fleet://agents/${event.agentId}`);
  return uris;
}
