import type { ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { isRunEvent } from '../domain/event.js';
import type { Logger } from '../logger.js';
import type { ChangeFeed } from '../services/change-feed.js';
import type { Deps } from '../services/deps.js';
import { recordRejectedTask } from '../services/external-tasks/intake.js';
import { publishConfirmed, connectWithBackoff } from './connection.js';
import { ORIGIN } from './envelope.js';
import { decideDelivery, type Disposition } from './intake.js';
import { CompletionRelay } from './relay.js';
import type { AgentqSettings } from './settings.js';
import { DEAD_LETTER_EXCHANGE, declareTopology } from './topology.js';

export interface BridgeOptions {
  deps: Deps;
  feed: ChangeFeed;
  settings: AgentqSettings;
  /** the bridge's own fleet identity: it submits the runs and owns their context evidence */
  agentId: string;
  logger: Logger;
  /** how often the outbox is looked at even without a local wake-up (other processes' ends) */
  relayPollMs?: number;
  /** called after each settled delivery (tests and logs) */
  onDelivery?: (d: Disposition) => void;
}

const RETRY_DELAY_MS = 1000;

/**
 * `fleetdeck agentq bridge`: consumes agentq.NAME for every target, turns envelopes into runs
 * (acked only once stored), dead-letters what it must refuse, and relays the completion outbox to
 * reply queues. RabbitMQ connection loss is survived: it reconnects with backoff, unacked
 * deliveries come back and are recognised by their task id. `stop()` (SIGTERM) stops consuming,
 * lets every envelope in hand finish (stored and acked), publishes what is due, then closes.
 */
export class AgentqBridge {
  private readonly abort = new AbortController();
  private readonly inflight = new Set<Promise<void>>();
  private readonly failures = new Map<string, number>();
  private readonly relay: CompletionRelay;
  private done: Promise<void> | null = null;
  private connectedOnce: (() => void) | null = null;
  readonly connected: Promise<void>;
  /** how this bridge's connection is named in RabbitMQ (rabbitmqctl list_connections client_properties) */
  readonly connectionName: string;

  constructor(private readonly o: BridgeOptions) {
    this.relay = new CompletionRelay(o.deps, `agentq-relay:${o.agentId}:${randomBytes(4).toString('hex')}`, o.settings.outboxHoldMs, o.logger);
    this.connected = new Promise((resolve) => (this.connectedOnce = resolve));
    this.connectionName = `fleetdeck-agentq-bridge ${this.relay.relayId}`;
  }

  start(): Promise<void> {
    this.done ??= this.loop();
    return this.done;
  }

  /** Drains and closes; resolves when everything in hand is settled. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.start();
  }

  private async loop(): Promise<void> {
    let pause = 250;
    while (!this.abort.signal.aborted) {
      const connection = await connectWithBackoff(this.o.settings.amqpUrl, this.connectionName, this.o.logger, this.abort.signal);
      if (!connection) break;
      let consumed = false;
      try {
        consumed = await this.session(connection);
      } catch (error) {
        // e.g. PRECONDITION_FAILED: a queue exists with other arguments; retried, slower each time
        this.o.logger.error({ err: (error as Error).message, retryInMs: pause }, 'agentq: could not set up the bridge on RabbitMQ');
      }
      await connection.close().catch(() => {});
      pause = consumed ? 250 : Math.min(pause * 2, 30_000);
      if (!this.abort.signal.aborted) await sleep(pause, undefined, { signal: this.abort.signal }).catch(() => {});
    }
  }

  /** One connection's life; true once it consumed (so a later drop reconnects at once). */
  private async session(connection: ChannelModel): Promise<boolean> {
    const closed = new Promise<void>((resolve) => {
      connection.on('close', () => resolve());
      connection.on('error', (e: Error) => this.o.logger.warn({ err: e.message }, 'agentq: connection error'));
    });
    const channel = await connection.createConfirmChannel();
    channel.on('error', (e: Error) => this.o.logger.warn({ err: e.message }, 'agentq: channel error'));
    const channelClosed = new Promise<void>((resolve) => channel.on('close', () => resolve()));
    const queues = await declareTopology(channel, this.o.settings.targets);
    await channel.prefetch(this.o.settings.prefetch);
    this.relay.watch(channel);

    const tags: string[] = [];
    for (const queue of queues) {
      const { consumerTag } = await channel.consume(queue, (msg) => {
        if (msg) this.track(this.handle(channel, queue, msg));
      });
      tags.push(consumerTag);
    }
    this.o.logger.info({ queues }, 'agentq: bridge consuming');
    this.connectedOnce?.();

    const relayNow = () => void this.relay.pass(channel).catch((e: unknown) => this.o.logger.warn({ err: (e as Error).message }, 'agentq: relay pass failed'));
    const unsubscribe = this.o.feed.subscribe((events) => {
      if (events.some(isRunEvent)) relayNow();
    });
    const timer = setInterval(relayNow, this.o.relayPollMs ?? 1000);
    relayNow();

    const aborted = new Promise<void>((resolve) => this.abort.signal.addEventListener('abort', () => resolve(), { once: true }));
    await Promise.race([closed, channelClosed, aborted]);
    clearInterval(timer);
    unsubscribe();

    if (this.abort.signal.aborted) {
      // drain: no new deliveries, finish (store and ack) those in hand, publish what is due
      for (const tag of tags) await channel.cancel(tag).catch(() => {});
      await this.settleInflight();
      await this.relay.pass(channel).catch(() => {});
      await channel.close().catch(() => {});
    } else {
      // the connection is gone: deliveries in hand cannot be acked; RabbitMQ redelivers them
      await this.settleInflight();
    }
    return true;
  }

  private track(work: Promise<void>): void {
    this.inflight.add(work);
    void work.finally(() => this.inflight.delete(work));
  }

  private async settleInflight(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  private async handle(channel: ConfirmChannel, queue: string, msg: ConsumeMessage): Promise<void> {
    const rules = { roots: this.o.settings.contextRoots, maxBytes: this.o.settings.contextMaxBytes, dataDir: this.o.deps.settings.dataDir };
    let disposition: Disposition;
    try {
      disposition = await decideDelivery(this.o.deps, this.o.agentId, rules, msg, (taskId) => this.failures.get(taskId) ?? 0);
    } catch (error) {
      disposition = { kind: 'retry', error: (error as Error).message, taskId: null };
    }
    try {
      if (disposition.kind === 'ack') {
        this.failures.delete(disposition.taskId);
        channel.ack(msg);
        this.o.logger.info({ task_id: disposition.taskId, run_id: disposition.runId, deduplicated: disposition.deduplicated }, 'agentq: envelope stored');
      } else if (disposition.kind === 'reject') {
        await this.deadLetter(channel, queue, msg, disposition);
        channel.ack(msg);
      } else {
        if (disposition.taskId) this.failures.set(disposition.taskId, (this.failures.get(disposition.taskId) ?? 0) + 1);
        this.o.logger.warn({ task_id: disposition.taskId, err: disposition.error }, 'agentq: envelope not stored, will retry');
        await sleep(RETRY_DELAY_MS);
        channel.nack(msg, false, true);
      }
    } catch (error) {
      // the channel closed under us: the message was not acked and will be redelivered
      this.o.logger.warn({ err: (error as Error).message, task_id: disposition.taskId }, 'agentq: could not settle a delivery');
      return;
    }
    this.o.onDelivery?.(disposition);
  }

  /** Copies the envelope to agentq.dlx with its reason (confirmed), records it, then the original is acked. */
  private async deadLetter(channel: ConfirmChannel, queue: string, msg: ConsumeMessage, d: Extract<Disposition, { kind: 'reject' }>): Promise<void> {
    const headers = {
      ...(msg.properties.headers ?? {}),
      'x-agentq-reject-reason': d.reason,
      'x-agentq-source-queue': queue,
      'x-agentq-rejected-at': new Date(this.o.deps.clock.now()).toISOString(),
    };
    await publishConfirmed(channel, DEAD_LETTER_EXCHANGE, msg.fields.routingKey, msg.content, {
      persistent: true,
      headers,
      contentType: msg.properties.contentType as string | undefined,
      messageId: msg.properties.messageId as string | undefined,
      correlationId: msg.properties.correlationId as string | undefined,
      timestamp: msg.properties.timestamp as number | undefined,
    });
    this.o.logger.warn({ task_id: d.taskId, reason: d.reason, queue }, 'agentq: envelope dead-lettered');
    await recordRejectedTask(this.o.deps, this.o.agentId, { origin: ORIGIN, taskId: d.taskId, source: queue, reason: d.reason, bytes: msg.content.length }).catch((e: unknown) =>
      this.o.logger.warn({ err: (e as Error).message }, 'agentq: could not record a rejection'),
    );
  }
}
