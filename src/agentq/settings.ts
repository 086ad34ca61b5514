import { resolve } from 'node:path';
import { FleetError } from '../domain/errors.js';
import { LIMITS } from '../domain/limits.js';
import { DEFAULT_TARGETS, TARGET_PATTERN } from './topology.js';

/**
 * The bridge's own settings (flag, then environment, then default), beside the fleet's settings
 * (--db and the rest) that every command accepts.
 */
export const AGENTQ_SETTINGS = [
  { flag: 'amqp', env: 'FLEETDECK_AMQP_URL', default: 'amqp://guest:guest@127.0.0.1:5672', help: 'RabbitMQ URL' },
  { flag: 'to', env: 'FLEETDECK_AGENTQ_TO', default: DEFAULT_TARGETS.join(','), help: 'worker targets (queues agentq.NAME; runs for role NAME)' },
  { flag: 'context-roots', env: 'FLEETDECK_AGENTQ_CONTEXT_ROOTS', default: '(the workspace)', help: 'folders (comma-separated) a file:// context_ref may be read from' },
  { flag: 'context-max-bytes', env: 'FLEETDECK_AGENTQ_CONTEXT_MAX_BYTES', default: '1048576', help: 'largest context file read' },
  { flag: 'prefetch', env: 'FLEETDECK_AGENTQ_PREFETCH', default: '16', help: 'envelopes in flight at once (unacked)' },
  { flag: 'outbox-hold-seconds', env: 'FLEETDECK_AGENTQ_OUTBOX_HOLD_SECONDS', default: '30', help: 'how long a relay holds a completion it is publishing before another may' },
] as const;

export interface AgentqSettings {
  amqpUrl: string;
  targets: string[];
  contextRoots: string[];
  contextMaxBytes: number;
  prefetch: number;
  outboxHoldMs: number;
}

type Flags = Partial<Record<(typeof AGENTQ_SETTINGS)[number]['flag'], string>>;

export function loadAgentqSettings(flags: Flags, workspace: string, env: NodeJS.ProcessEnv = process.env): AgentqSettings {
  const pick = (flag: keyof Flags): string | undefined => {
    const s = AGENTQ_SETTINGS.find((x) => x.flag === flag)!;
    const v = flags[flag] ?? env[s.env];
    return v === undefined || v === '' ? undefined : v;
  };
  const amqpUrl = pick('amqp') ?? AGENTQ_SETTINGS[0].default;
  if (!/^amqps?:\/\//.test(amqpUrl)) throw new FleetError('INVALID_INPUT', `--amqp must be an amqp:// or amqps:// URL`, 'e.g. --amqp amqp://guest:guest@127.0.0.1:5672');
  return {
    amqpUrl,
    targets: parseTargets(pick('to') ?? DEFAULT_TARGETS.join(',')),
    contextRoots: (pick('context-roots')?.split(',') ?? [workspace]).map((r) => r.trim()).filter(Boolean).map((r) => resolve(r)),
    contextMaxBytes: intIn(pick('context-max-bytes') ?? '1048576', 'context-max-bytes', 1, LIMITS.artifactBytes),
    prefetch: intIn(pick('prefetch') ?? '16', 'prefetch', 1, 1000),
    outboxHoldMs: intIn(pick('outbox-hold-seconds') ?? '30', 'outbox-hold-seconds', 1, 3600) * 1000,
  };
}

export function parseTargets(list: string): string[] {
  const targets = [...new Set(list.split(',').map((t) => t.trim()).filter(Boolean))];
  if (targets.length === 0 || targets.length > 50) throw new FleetError('INVALID_INPUT', '--to needs 1 to 50 worker targets', 'e.g. --to implementation-worker,review-worker');
  const bad = targets.filter((t) => !TARGET_PATTERN.test(t));
  if (bad.length > 0) throw new FleetError('INVALID_INPUT', `invalid worker target ${bad.join(', ')}`, 'letters, digits, . _ - (at most 64 characters)');
  return targets;
}

function intIn(text: string, flag: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new FleetError('INVALID_INPUT', `--${flag} must be an integer from ${min} to ${max}`);
  return n;
}

/** Hides the password of an AMQP URL for logs and messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):([^@/]*)@/, '//$1:***@');
}
