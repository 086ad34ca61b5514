import { eventConcept, type FleetEvent } from '../../domain/event.js';
import { completeBlockerIds, getBlocker, listBlockers } from '../../services/blockers/queries.js';
import { blockerOut } from '../tools/handoff-schemas.js';
import { json, variable, type StaticResource, type TemplateResource } from './resource.js';

const LISTED = 100;

export const blockersResource: StaticResource = {
  uri: 'fleet://blockers',
  name: 'blockers',
  title: 'Open blockers',
  description: 'Every blocker waiting on a decision, oldest first: question, options, context, run, owner and its liveness.',
  mimeType: 'application/json',
  read: async (ctx) => json({ blockers: (await listBlockers(ctx.deps, { states: ['open'], limit: LISTED })).map(blockerOut) }),
};

export const blockerResource: TemplateResource = {
  template: 'fleet://blockers/{blocker_id}',
  name: 'blocker',
  title: 'One blocker',
  description: 'A blocker with its question and, once decided, the decision, its text and who took it.',
  mimeType: 'application/json',
  list: async (ctx) =>
    (await listBlockers(ctx.deps, { states: ['open'], limit: LISTED })).map((v) => ({
      uri: `fleet://blockers/${v.blocker.id}`,
      name: `${v.blocker.id}: ${v.blocker.question.slice(0, 80)}`,
      description: `${v.blocker.kind}, run ${v.blocker.runId}`,
    })),
  complete: {
    blocker_id: (ctx, prefix) => completeBlockerIds(ctx.deps, prefix),
  },
  read: async (ctx, _uri, vars) => json({ blocker: blockerOut(await getBlocker(ctx.deps, variable(vars, 'blocker_id'))) }),
};

export function blockerUrisChangedBy(event: FleetEvent): string[] {
  if (eventConcept(event.type) !== 'blocker' || !event.subjectId) return [];
  return ['fleet://blockers', `fleet://blockers/${event.subjectId}`];
}
