import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AgentqBridge } from '../../agentq/bridge.js';
import { connectOnce } from '../../agentq/connection.js';
import { PRIORITIES, envelopeSchema, taskInputOf, type EnvelopePriority } from '../../agentq/envelope.js';
import { bridgeIdentity, keepAlive } from '../../agentq/identity.js';
import { publishEnvelope } from '../../agentq/publish.js';
import { AGENTQ_SETTINGS, loadAgentqSettings, redactUrl, type AgentqSettings } from '../../agentq/settings.js';
import { DEAD_LETTER_EXCHANGE, DEAD_LETTER_QUEUE, declareTopology, queueOf, TASK_EXCHANGE } from '../../agentq/topology.js';
import { FleetError } from '../../domain/errors.js';
import { openApp } from '../../main.js';
import { ensureFleetDirectory } from '../fleet-file.js';
import { receiveExternalTask } from '../../services/external-tasks/intake.js';
import { configFrom, flag, str, withApp, type Command, type OptionSpec, type ParsedArgs } from '../command.js';
import { printError, printJson, printLine } from '../output.js';

export const AGENTQ_OPTIONS: OptionSpec = Object.fromEntries(AGENTQ_SETTINGS.map((s) => [s.flag, { type: 'string' as const }]));

export const AGENTQ_SETTINGS_USAGE = [
  'agentq settings (flag, then environment, then default):',
  ...AGENTQ_SETTINGS.map((s) => `  --${s.flag.padEnd(20)} ${s.env.padEnd(38)} ${s.help} (default ${s.default})`),
].join('\n');

export function agentqSettingsFrom(args: ParsedArgs, workspace: string): AgentqSettings {
  const flags: Record<string, string> = {};
  for (const s of AGENTQ_SETTINGS) {
    const v = str(args, s.flag);
    if (v !== undefined) flags[s.flag] = v;
  }
  return loadAgentqSettings(flags, workspace);
}

export const agentqInitCommand: Command = {
  path: ['agentq', 'init'],
  summary: 'declare agentq\'s RabbitMQ exchanges and queues (idempotent)',
  usage: ['fleetdeck agentq init [--to NAME,…] [--amqp URL] [--json]', AGENTQ_SETTINGS_USAGE].join('\n'),
  options: AGENTQ_OPTIONS,
  async run(args) {
    const settings = agentqSettingsFrom(args, configFrom(args).workspace);
    let connection;
    try {
      connection = await connectOnce(settings.amqpUrl);
    } catch (error) {
      throw new FleetError('INVALID_STATE', `cannot reach RabbitMQ at ${redactUrl(settings.amqpUrl)}: ${(error as Error).message}`, 'start RabbitMQ (rabbitmq-server -detached) or check --amqp');
    }
    try {
      connection.on('error', () => {}); // a refused declaration closes the channel; the awaited call reports it
      const channel = await connection.createChannel();
      channel.on('error', () => {});
      let queues: string[];
      try {
        queues = await declareTopology(channel, settings.targets);
      } catch (error) {
        throw new FleetError('INVALID_STATE', `RabbitMQ refused the declaration: ${(error as Error).message}`, 'a queue of that name exists with other arguments (agentq.NAME needs x-max-priority 10 and x-dead-letter-exchange agentq.dlx): delete it or rename the target');
      }
      await channel.close().catch(() => {});
      const out = { exchange: TASK_EXCHANGE, dead_letter_exchange: DEAD_LETTER_EXCHANGE, dead_letter_queue: DEAD_LETTER_QUEUE, queues, targets: settings.targets };
      if (flag(args, 'json')) printJson(out);
      else {
        printLine(`declared ${TASK_EXCHANGE} (direct) → ${queues.join(', ')}`);
        printLine(`declared ${DEAD_LETTER_EXCHANGE} (fanout) → ${DEAD_LETTER_QUEUE}`);
      }
      return 0;
    } finally {
      await connection.close().catch(() => {});
    }
  },
};

export const agentqBridgeCommand: Command = {
  path: ['agentq', 'bridge'],
  summary: 'turn agentq envelopes into runs and publish their completions to reply_to (runs until SIGTERM)',
  usage: [
    'fleetdeck agentq bridge [--to NAME,…] [--amqp URL] [--context-roots DIR,…] [settings]',
    'Consumes agentq.NAME for each target; each envelope becomes a run for role NAME (task_id is its',
    'idempotency key); malformed envelopes go to agentq.dlq with their reason; when a bridged run ends,',
    'its completion is published to reply_to. SIGTERM/SIGINT drain in-flight envelopes, then exit.',
    AGENTQ_SETTINGS_USAGE,
  ].join('\n'),
  options: AGENTQ_OPTIONS,
  async run(args) {
    const config = configFrom(args);
    const settings = agentqSettingsFrom(args, config.workspace);
    ensureFleetDirectory(config.db);
    const app = await openApp(config, { sweep: true });
    const logger = app.deps.logger;
    const agent = await bridgeIdentity(app.deps);
    const stopKeepAlive = keepAlive(app.deps, agent, (e) => logger.warn({ err: e }, 'agentq: keep-alive failed'));
    const bridge = new AgentqBridge({ deps: app.deps, feed: app.feed, settings, agentId: agent.id, logger });
    logger.info({ agent_id: agent.id, amqp: redactUrl(settings.amqpUrl), targets: settings.targets, context_roots: settings.contextRoots }, 'agentq: bridge starting');
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'agentq: draining');
      void bridge.stop();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    await bridge.start();
    stopKeepAlive();
    await app.close();
    logger.info('agentq: bridge stopped');
    return 0;
  },
};

export const agentqSubmitCommand: Command = {
  path: ['agentq', 'submit'],
  summary: 'submit an agentq task: straight to the fleet, or with --amqp as an envelope on RabbitMQ',
  usage: [
    'fleetdeck agentq submit --to NAME --type TYPE (--file PATH | --instructions TEXT) [--priority low|normal|high]',
    '                        [--ttl SECONDS] [--from NAME] [--reply-to QUEUE] [--task-id ID] [--expect KIND,…] [--amqp URL] [--json]',
    '  --file PATH     the task\'s context file (sent as context_ref file://…; attached as context evidence)',
    '  --amqp URL      publish the envelope to agentq.tasks instead (a bridge turns it into a run);',
    '                  without it the run is stored at once, as the bridge would store it',
    'Prints the task id (and the run id when stored directly).',
  ].join('\n'),
  options: {
    ...AGENTQ_OPTIONS,
    type: { type: 'string' },
    file: { type: 'string' },
    instructions: { type: 'string' },
    priority: { type: 'string' },
    ttl: { type: 'string' },
    from: { type: 'string' },
    'reply-to': { type: 'string' },
    'task-id': { type: 'string' },
    expect: { type: 'string' },
    title: { type: 'string' },
  },
  async run(args) {
    const file = str(args, 'file');
    const instructions = str(args, 'instructions');
    if (file === undefined && instructions === undefined) throw new FleetError('INVALID_INPUT', 'give --file PATH or --instructions TEXT', 'e.g. --instructions "fix the flaky test in test/api.test.ts"');
    const priority = (str(args, 'priority') ?? 'normal') as EnvelopePriority;
    if (!PRIORITIES.includes(priority)) throw new FleetError('INVALID_INPUT', '--priority must be low, normal or high');
    const ttl = str(args, 'ttl');
    const raw = {
      task_id: str(args, 'task-id') ?? `task-${randomUUID()}`,
      from: str(args, 'from') ?? 'cli',
      to: str(args, 'to') ?? '',
      type: str(args, 'type') ?? 'task',
      priority,
      ...(ttl !== undefined ? { ttl_seconds: Number(ttl) } : {}),
      ...(str(args, 'reply-to') !== undefined ? { reply_to: str(args, 'reply-to') } : {}),
      ...(file !== undefined ? { context_ref: pathToFileURL(resolve(file)).href } : {}),
      instructions: instructions ?? '',
      ...(str(args, 'title') !== undefined ? { title: str(args, 'title') } : {}),
      expected_output: { artifacts: str(args, 'expect')?.split(',').map((k) => k.trim()).filter(Boolean) ?? [] },
    };
    const parsed = envelopeSchema.safeParse(raw);
    if (!parsed.success) {
      throw new FleetError('INVALID_INPUT', `invalid task: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, 'check --to, --type, --ttl and --expect');
    }
    const envelope = parsed.data;
    if (str(args, 'amqp') !== undefined) {
      const settings = agentqSettingsFrom(args, configFrom(args).workspace);
      await publishEnvelope(settings.amqpUrl, { ...envelope, task_id: envelope.task_id, to: envelope.to, priority: envelope.priority }, Date.now());
      if (flag(args, 'json')) printJson({ task_id: envelope.task_id, published: true, exchange: TASK_EXCHANGE, queue: queueOf(envelope.to) });
      else printLine(envelope.task_id);
      return 0;
    }
    const out = await withApp(args, async (app) => {
      const settings = agentqSettingsFrom(args, app.config.workspace);
      const agent = await bridgeIdentity(app.deps);
      return receiveExternalTask(app.deps, agent.id, taskInputOf(envelope, 0), { roots: settings.contextRoots, maxBytes: settings.contextMaxBytes, dataDir: app.deps.settings.dataDir });
    }, { create: true }); // like `fleetdeck submit`: queueing work starts a fleet
    if (flag(args, 'json')) printJson({ task_id: envelope.task_id, run_id: out.run.id, state: out.run.state, deduplicated: out.deduplicated, context_artifact_id: out.contextArtifactId });
    else {
      printLine(`${envelope.task_id} ${out.run.id}`);
      if (out.deduplicated) printError('(already received: no new run)');
    }
    return 0;
  },
};

