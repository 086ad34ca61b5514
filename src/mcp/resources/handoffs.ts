import { eventConcept, type FleetEvent } from '../../domain/event.js';
import { completeHandoffIds, getHandoff, listHandoffs } from '../../services/handoffs/queries.js';
import { renderHandoffMarkdown } from '../../services/handoffs/markdown.js';
import { handoffOut } from '../tools/handoff-schemas.js';
import { json, variable, type StaticResource, type TemplateResource } from './resource.js';

const LISTED = 100;

export const handoffResource: TemplateResource = {
  template: 'fleet://handoffs/{handoff_id}',
  name: 'handoff',
  title: 'One handoff (Markdown)',
  description:
    'A handoff as a person or an agent reads it at a glance: state, run, from and to, summary, next action, changed files, what failed, risks, open questions, and links to its evidence (fleet://artifacts/{id}).',
  mimeType: 'text/markdown',
  list: async (ctx) =>
    (await listHandoffs(ctx.deps, { kind: 'system' }, { states: ['offered', 'accepted', 'declined', 'withdrawn'], limit: LISTED })).map((v) => ({
      uri: `fleet://handoffs/${v.handoff.id}`,
      name: `${v.handoff.id}: ${v.run?.title ?? v.handoff.runId}`,
      description: `${v.handoff.state}, ${v.handoff.fromAgentId} → ${v.handoff.toAgentId ?? `role ${v.handoff.toRole}`}`,
    })),
  complete: {
    handoff_id: (ctx, prefix) => completeHandoffIds(ctx.deps, prefix),
  },
  read: async (ctx, _uri, vars) => ({ text: renderHandoffMarkdown(await getHandoff(ctx.deps, variable(vars, 'handoff_id'))), mimeType: 'text/markdown' }),
};

export const handoffsResource: StaticResource = {
  uri: 'fleet://handoffs',
  name: 'handoffs',
  title: 'Open handoffs',
  description: 'Handoffs waiting for a taker, oldest first, with their age (the aging view).',
  mimeType: 'application/json',
  read: async (ctx) => json({ handoffs: (await listHandoffs(ctx.deps, { kind: 'system' }, { states: ['offered'], limit: LISTED })).map(handoffOut) }),
};

export function handoffUrisChangedBy(event: FleetEvent): string[] {
  if (eventConcept(event.type) !== 'handoff' || !event.subjectId) return [];
  return [`fleet://handoffs/${event.subjectId}`, 'fleet://handoffs'];
}
