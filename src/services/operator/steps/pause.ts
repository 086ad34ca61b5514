import { notFound } from '../../../domain/errors.js';
import type { Tx } from '../../../store/port/index.js';

/** Inside a caller's transaction (resolve_blocker's `pause`): pauses, with its event and signal. */
export async function pauseAgentInTx(tx: Tx, agentId: string, by: string, reason: string | null, now: number): Promise<boolean> {
  const agent = await tx.agents.get(agentId);
  if (!agent) throw notFound('agent', agentId, 'list agents with fleet_status or fleet://agents');
  if (agent.paused) return false;
  await tx.agents.setPaused(agentId, true);
  await tx.events.append({ actor: by, type: 'agent.paused', agentId, payload: { reason } }, now);
  await tx.signals.insert(
    {
      agentId,
      kind: 'pause',
      message: `the operator paused you${reason ? `: ${reason}` : ''}. Stop starting new work; take_task returns nothing until you are resumed. Keep showing signs of life (heartbeat) and await_update on your run`,
      payload: { reason, by },
    },
    now,
  );
  return true;
}
