/**
 * session-start: the session's agent is registered or resumed (by the runner), shows a sign of
 * life, and the model gets a short brief: who it is in the fleet, the runs and claims it holds,
 * its pending signals, and what waits for it or its role.
 */
import { OWNED_STATES } from '../domain/run.js';
import { touchAgent } from '../services/agents.js';
import { listHandoffs } from '../services/handoffs/queries.js';
import { listRuns } from '../services/runs/queries.js';
import { describeSelf } from '../services/self.js';
import { takeSignalsOnce } from '../services/signals-once.js';
import type { HookAnswer } from './answer.js';
import { signalLines, type HookContext } from './context.js';

const LISTED = 5;

export async function sessionStart(ctx: HookContext): Promise<HookAnswer> {
  const actor = { kind: 'agent' as const, agentId: ctx.agentId };
  await touchAgent(ctx.deps, ctx.agentId);
  const self = await describeSelf(ctx.deps, ctx.agentId, 0);
  const owned = await listRuns(ctx.deps, actor, { owner: ctx.agentId, state: [...OWNED_STATES], limit: LISTED + 1 });
  const handoffs = await listHandoffs(ctx.deps, actor, { limit: LISTED + 1 });
  const queued = await listRuns(ctx.deps, actor, { role: self.agent.role, state: ['queued'], limit: LISTED + 1 });
  const signals = await takeSignalsOnce(ctx.deps, ctx.agentId);

  const a = self.agent;
  const lines = [
    `fleetdeck: in this session you are agent ${a.name} (${a.id}, role ${a.role}) of the fleet, workspace ${ctx.workspace}.`,
    'The fleetdeck MCP server of this session already acts as this agent: do not call register_agent. Claim files (claim_scope) before editing them; an edit of a file another agent claimed is denied.',
  ];
  lines.push(
    owned.runs.length === 0
      ? 'Runs you hold: none.'
      : `Runs you hold: ${more(owned.runs.slice(0, LISTED).map((r) => `${r.id} "${r.title}" (${r.state})`), owned.runs.length)}.`,
  );
  const claims = self.claims.claims;
  lines.push(claims.length === 0 ? 'Claims: none.' : `Claims: ${more(claims.slice(0, LISTED).map((v) => `${v.claim.id} ${v.claim.kind} \`${v.claim.pattern}\``), self.claims.total)}.`);
  if (signals.length > 0) lines.push(`Signals (act on these first):`, ...signalLines(signals));
  if (handoffs.length > 0) {
    lines.push(
      `Handoffs offered to you or your role: ${more(handoffs.slice(0, LISTED).map((h) => `${h.handoff.id} for run ${h.handoff.runId}${h.run ? ` "${h.run.title}"` : ''} from ${h.from.name ?? h.from.agentId}`), handoffs.length)} (accept_handoff to take one).`,
    );
  }
  if (queued.runs.length > 0) {
    lines.push(`Queued for role ${a.role}: ${more(queued.runs.slice(0, LISTED).map((r) => `${r.id} "${r.title}"`), queued.runs.length)} (take_task to lease the next).`);
  }
  return { kind: 'context', text: lines.join('\n') };
}

function more(items: string[], total: number): string {
  return total > items.length ? `${items.join('; ')}; and more` : items.join('; ');
}
