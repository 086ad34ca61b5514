import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { TASK_EXCHANGE } from '../../src/agentq/topology.js';

export const AMQP_URL = process.env.FLEETDECK_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** null when RabbitMQ answers; otherwise why not (tests print it and skip). */
export async function amqpUnavailable(url = AMQP_URL): Promise<string | null> {
  try {
    const c = await amqp.connect(url, { timeout: 3000 });
    await c.close();
    return null;
  } catch (error) {
    return `RabbitMQ is unreachable at ${url.replace(/\/\/[^@]*@/, '//')}: ${(error as Error).message} (start it with: rabbitmq-server -detached)`;
  }
}

export const uniqueSuffix = () => `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

/** A test's own RabbitMQ connection: publish envelopes, collect what arrives on reply queues, clean up. */
export class TestBroker {
  private readonly queues = new Set<string>();

  private constructor(
    readonly connection: ChannelModel,
    readonly channel: Channel,
  ) {}

  static async open(url = AMQP_URL): Promise<TestBroker> {
    const connection = await amqp.connect(url);
    const channel = await connection.createChannel();
    return new TestBroker(connection, channel);
  }

  /** A reply queue that collects every message into `messages`. */
  async replyQueue(name: string): Promise<{ messages: ConsumeMessage[]; bodies: () => Record<string, unknown>[] }> {
    await this.channel.assertQueue(name, { durable: false, autoDelete: false });
    this.queues.add(name);
    const messages: ConsumeMessage[] = [];
    await this.channel.consume(name, (m) => {
      if (m) messages.push(m);
    }, { noAck: true });
    return { messages, bodies: () => messages.map((m) => JSON.parse(m.content.toString('utf8')) as Record<string, unknown>) };
  }

  /** Remembers a queue to delete at cleanup (the bridge declares the task queues). */
  forget(queue: string): void {
    this.queues.add(queue);
  }

  publish(target: string, body: unknown, properties: amqp.Options.Publish = {}): void {
    const content = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    this.channel.publish(TASK_EXCHANGE, target, content, { persistent: true, contentType: 'application/json', ...properties });
  }

  async close(): Promise<void> {
    for (const q of this.queues) await this.channel.deleteQueue(q).catch(() => {});
    await this.connection.close().catch(() => {});
  }
}

/** Polls `check` until it returns true, at most `timeoutMs` (a bound on waiting, not a timing assertion). */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/**
 * Closes, from the broker's side, the connection whose client named itself `connectionName`
 * (rabbitmqctl on this machine). Returns why it could not, or null when it did.
 */
export async function closeConnectionNamed(connectionName: string): Promise<string | null> {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const run = promisify(execFile);
  let out: string;
  try {
    out = (await run('rabbitmqctl', ['list_connections', 'pid', 'client_properties', '-q'])).stdout;
  } catch (error) {
    return `rabbitmqctl is not usable here: ${(error as Error).message.split('\n')[0]}`;
  }
  // tab-separated: the pid (<rabbit@host.…>) first, then the client properties, which hold our name
  const line = out.split('\n').find((l) => l.includes(`"${connectionName}"`) || l.includes(connectionName));
  if (!line) return `no connection named ${connectionName}`;
  await run('rabbitmqctl', ['close_connection', line.split('\t')[0]!, 'test: connection loss']);
  return null;
}
