import amqp, { type ChannelModel } from 'amqplib';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logger.js';
import { redactUrl } from './settings.js';

/** Connects once; a refused or failed connection throws. `name` shows in RabbitMQ's connection list. */
export function connectOnce(url: string, name = 'fleetdeck'): Promise<ChannelModel> {
  return amqp.connect(url, { timeout: 5000, clientProperties: { connection_name: name } });
}

/**
 * Connects, retrying with exponential backoff and jitter (0.25 s doubling to 15 s) until it
 * succeeds or `signal` aborts (then null).
 */
export async function connectWithBackoff(url: string, name: string, logger: Logger, signal: AbortSignal): Promise<ChannelModel | null> {
  let delay = 250;
  for (let attempt = 1; !signal.aborted; attempt++) {
    try {
      const connection = await connectOnce(url, name);
      if (attempt > 1) logger.info({ url: redactUrl(url), attempt }, 'agentq: connected to RabbitMQ');
      return connection;
    } catch (error) {
      logger.warn({ url: redactUrl(url), attempt, retryInMs: delay, err: (error as Error).message }, 'agentq: RabbitMQ unreachable, retrying');
      await sleep(delay / 2 + Math.random() * delay, undefined, { signal }).catch(() => {});
      delay = Math.min(delay * 2, 15_000);
    }
  }
  return null;
}

/** publish on a confirm channel, resolved once the broker confirmed it (rejected on nack). */
export function publishConfirmed(
  channel: import('amqplib').ConfirmChannel,
  exchange: string,
  routingKey: string,
  content: Buffer,
  options: import('amqplib').Options.Publish,
): Promise<void> {
  return new Promise((resolve, reject) => {
    channel.publish(exchange, routingKey, content, options, (error: unknown) => (error ? reject(error instanceof Error ? error : new Error('the broker refused the message')) : resolve()));
  });
}
