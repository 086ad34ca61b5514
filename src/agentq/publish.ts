import { FleetError } from '../domain/errors.js';
import { connectOnce, publishConfirmed } from './connection.js';
import { MESSAGE_PRIORITY, type EnvelopePriority } from './envelope.js';
import { redactUrl } from './settings.js';
import { declareTopology, TASK_EXCHANGE } from './topology.js';

/**
 * Publishes one task envelope to agentq.tasks (routing key = its target), persistent and
 * confirmed, after declaring the target's queue so the envelope cannot be dropped unrouted.
 * For coordinators that only talk to RabbitMQ (`agentq submit --amqp URL`).
 */
export async function publishEnvelope(url: string, envelope: Record<string, unknown> & { task_id: string; to: string; priority: EnvelopePriority }, now: number): Promise<void> {
  let connection;
  try {
    connection = await connectOnce(url);
  } catch (error) {
    throw new FleetError('INVALID_STATE', `cannot reach RabbitMQ at ${redactUrl(url)}: ${(error as Error).message}`, 'start RabbitMQ (rabbitmq-server -detached) or check --amqp');
  }
  try {
    connection.on('error', () => {}); // a refused declaration or publish rejects the awaited call
    const channel = await connection.createConfirmChannel();
    channel.on('error', () => {});
    try {
      await declareTopology(channel, [envelope.to]);
    } catch (error) {
      throw new FleetError('INVALID_STATE', `RabbitMQ refused the declaration: ${(error as Error).message}`, `run fleetdeck agentq init --to ${envelope.to} to see which queue conflicts`);
    }
    await publishConfirmed(channel, TASK_EXCHANGE, envelope.to, Buffer.from(JSON.stringify(envelope)), {
      persistent: true,
      mandatory: true,
      contentType: 'application/json',
      messageId: envelope.task_id,
      priority: MESSAGE_PRIORITY[envelope.priority],
      timestamp: Math.floor(now / 1000),
      type: 'agentq.task',
    });
    await channel.close();
  } finally {
    await connection.close().catch(() => {});
  }
}
