import type { ConfirmChannel } from 'amqplib';
import type { Logger } from '../logger.js';
import type { Deps } from '../services/deps.js';
import { claimCompletions, deferCompletion, markCompletionPublished } from '../services/external-tasks/outbox.js';
import type { OutboxEntry } from '../store/port/external-tasks.js';
import { publishConfirmed } from './connection.js';
import { completionMessage } from './envelope.js';

const BATCH = 50;
const RETRY_BASE_MS = 1000;
const RETRY_CAP_MS = 5 * 60_000;

/**
 * Publishes the outbox: claim due completions, publish each to its reply queue through the
 * default exchange (persistent, mandatory, publisher confirms), and mark it published only after
 * the broker's confirm. A completion whose queue does not exist comes back (basic.return, which
 * the broker sends before the confirm): it stays in the outbox and is tried again with backoff.
 *
 * The one window left: a crash after the confirm and before the mark commits republishes that
 * completion. It carries the same message id (`fleetdeck:RUN:OUTBOX_ID`), so a consumer can tell.
 */
export class CompletionRelay {
  private readonly returned = new Set<string>();
  private running: Promise<number> | null = null;
  private again = false;

  constructor(
    private readonly deps: Deps,
    readonly relayId: string,
    private readonly holdMs: number,
    private readonly logger: Logger,
  ) {}

  /** Call once per channel: unroutable completions are reported here before their confirm. */
  watch(channel: ConfirmChannel): void {
    channel.on('return', (msg: { properties: { messageId?: string } }) => {
      if (msg.properties.messageId) this.returned.add(msg.properties.messageId);
    });
  }

  /** Runs a pass now, or right after the one under way; resolves with how many it published. */
  async pass(channel: ConfirmChannel): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let total = 0;
      do {
        this.again = false;
        total += await this.drain(channel);
      } while (this.again);
      return total;
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async drain(channel: ConfirmChannel): Promise<number> {
    let published = 0;
    for (;;) {
      const batch = await claimCompletions(this.deps, this.relayId, this.holdMs, BATCH);
      for (const entry of batch) if (await this.publishOne(channel, entry)) published++;
      if (batch.length < BATCH) return published;
    }
  }

  private async publishOne(channel: ConfirmChannel, entry: OutboxEntry): Promise<boolean> {
    const messageId = `fleetdeck:${entry.runId}:${entry.id}`;
    this.returned.delete(messageId);
    try {
      await publishConfirmed(channel, '', entry.replyTo, Buffer.from(JSON.stringify(completionMessage(entry.completion))), {
        persistent: true,
        mandatory: true,
        contentType: 'application/json',
        messageId,
        correlationId: entry.taskId,
        type: 'agentq.completion',
        timestamp: Math.floor(this.deps.clock.now() / 1000),
        headers: { 'x-fleetdeck-run-id': entry.runId },
      });
    } catch (error) {
      await this.defer(entry, `publish failed: ${(error as Error).message}`);
      throw error;
    }
    if (this.returned.delete(messageId)) {
      await this.defer(entry, `no queue named ${entry.replyTo} (the message was returned unroutable)`);
      return false;
    }
    await markCompletionPublished(this.deps, this.relayId, entry);
    this.logger.info({ task_id: entry.taskId, run_id: entry.runId, status: entry.status, reply_to: entry.replyTo }, 'agentq: completion published');
    return true;
  }

  private async defer(entry: OutboxEntry, error: string): Promise<void> {
    const delay = Math.min(RETRY_BASE_MS * 2 ** Math.max(0, entry.attempts - 1), RETRY_CAP_MS);
    this.logger.warn({ task_id: entry.taskId, reply_to: entry.replyTo, attempts: entry.attempts, retryInMs: delay, error }, 'agentq: completion not published yet');
    await deferCompletion(this.deps, this.relayId, entry, error, this.deps.clock.now() + delay).catch((e: unknown) => this.logger.warn({ err: e }, 'agentq: could not defer a completion'));
  }
}
