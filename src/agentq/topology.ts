import type { Channel } from 'amqplib';

/**
 * agentq's RabbitMQ names. Tasks are published to the direct exchange `agentq.tasks` with the
 * worker target as routing key; each target has its durable queue `agentq.NAME`. Messages a queue
 * refuses or that expire there, and envelopes the bridge rejects, end in `agentq.dlq` through the
 * fanout exchange `agentq.dlx` (fanout: whatever routing key a dead message carries, it lands).
 */
export const TASK_EXCHANGE = 'agentq.tasks';
export const DEAD_LETTER_EXCHANGE = 'agentq.dlx';
export const DEAD_LETTER_QUEUE = 'agentq.dlq';
/** RabbitMQ priorities 0..10; envelopes map low/normal/high onto 1/5/9 */
export const QUEUE_MAX_PRIORITY = 10;
export const DEFAULT_TARGETS = ['implementation-worker', 'review-worker'] as const;

/** A worker target names a queue and a fleetdeck role, so it keeps to a role's characters. */
export const TARGET_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const queueOf = (target: string): string => `agentq.${target}`;

export function taskQueueArguments(): Record<string, unknown> {
  return { 'x-max-priority': QUEUE_MAX_PRIORITY, 'x-dead-letter-exchange': DEAD_LETTER_EXCHANGE };
}

/**
 * Declares everything, idempotently: declaring what exists with the same arguments is a no-op in
 * AMQP. A queue that exists with other arguments (say, without priorities) makes the broker close
 * the channel with PRECONDITION_FAILED; the caller reports it with a hint.
 */
export async function declareTopology(channel: Channel, targets: readonly string[]): Promise<string[]> {
  await channel.assertExchange(TASK_EXCHANGE, 'direct', { durable: true });
  await channel.assertExchange(DEAD_LETTER_EXCHANGE, 'fanout', { durable: true });
  await channel.assertQueue(DEAD_LETTER_QUEUE, { durable: true });
  await channel.bindQueue(DEAD_LETTER_QUEUE, DEAD_LETTER_EXCHANGE, '');
  const queues: string[] = [];
  for (const target of targets) {
    const queue = queueOf(target);
    await channel.assertQueue(queue, { durable: true, arguments: taskQueueArguments() });
    await channel.bindQueue(queue, TASK_EXCHANGE, target);
    queues.push(queue);
  }
  return queues;
}
