import type { OutboxEntry } from '../../store/port/external-tasks.js';
import type { Deps } from '../deps.js';
import { readTx, writeTx } from '../tx.js';

/**
 * The outbox's read side, for a relay that publishes completions. A relay claims rows (held for
 * `holdMs`, so two relays never publish the same row at once and a crashed relay's rows come back),
 * publishes each, and marks it published only after the broker confirmed it.
 */
export function claimCompletions(deps: Deps, relayId: string, holdMs: number, limit: number): Promise<OutboxEntry[]> {
  // a plain store write: claiming must not wait for (or trigger) the expiry steps of writeTx
  return deps.store.write((tx) => tx.externalTasks.claimPending(relayId, deps.clock.now(), holdMs, limit));
}

export async function markCompletionPublished(deps: Deps, relayId: string, entry: OutboxEntry): Promise<boolean> {
  return writeTx(deps, async (tx, now) => {
    const marked = await tx.externalTasks.markPublished(entry.id, relayId, now);
    if (marked) {
      await tx.events.append(
        {
          actor: relayId,
          type: 'external_task.completion_published',
          runId: entry.runId,
          subjectId: entry.taskId,
          payload: { task_id: entry.taskId, reply_to: entry.replyTo, status: entry.status, outbox_id: entry.id, attempts: entry.attempts },
        },
        now,
      );
    }
    return marked;
  });
}

/** Gives the row back with the error, to be tried again at `retryAt`. */
export function deferCompletion(deps: Deps, relayId: string, entry: OutboxEntry, error: string, retryAt: number): Promise<void> {
  return deps.store.write((tx) => tx.externalTasks.deferPublish(entry.id, relayId, error, retryAt));
}

/** Received tasks, published completions and the outbox backlog. */
export function outboxFigures(deps: Deps) {
  return readTx(deps, (tx) => tx.externalTasks.figures());
}
