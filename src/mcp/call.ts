import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { FleetError, forbidden, notRegistered } from '../domain/errors.js';
import type { Signal } from '../domain/signal.js';
import { newCallContext, type CallContext } from '../services/call-context.js';
import { settleCall } from '../services/settle-call.js';
import type { ChangeFeed } from '../services/change-feed.js';
import type { Deps } from '../services/deps.js';
import { signalOut } from './schemas.js';
import type { Session } from './session.js';
import type { AnyTool } from './tool.js';

/** A sign of life is written at most this often per process; within it nothing would change. */
const SIGN_OF_LIFE_INTERVAL_MS = 1_000;

export interface CallEnv {
  deps: Deps;
  feed: ChangeFeed;
  session: Session;
  tools: ReadonlyMap<string, AnyTool>;
  onCall?: (tool: string, outcome: 'ok' | string, ms: number) => void;
}

/**
 * `tools/call` as the server accepts it: like the SDK's CallToolRequestSchema, but `arguments` may
 * be anything, so that `[]`, `42` or `null` reach callTool and get a tool error (INVALID_INPUT)
 * instead of failing the SDK's request parsing (a JSON-RPC internal error).
 */
export const LenientCallToolRequestSchema = z.object({
  method: z.literal('tools/call'),
  params: z.looseObject({ name: z.string(), arguments: z.unknown().optional() }),
});

/**
 * The one path of every tool call: find the tool, validate input, check the binding, record the
 * caller's sign of life, run the handler, attach pending signals, shape the result. Nothing a
 * client sends can throw past this function.
 */
export async function callTool(env: CallEnv, name: string, args: unknown, signal: AbortSignal): Promise<CallToolResult> {
  const started = performance.now();
  const tool = env.tools.get(name);
  let result: CallToolResult;
  if (!tool) {
    result = errorResult(
      new FleetError('INVALID_INPUT', `unknown tool: ${name}`, `list the tools with tools/list; known: ${[...env.tools.keys()].join(', ')}`),
    );
  } else if (args !== undefined && (args === null || typeof args !== 'object' || Array.isArray(args))) {
    result = errorResult(
      new FleetError('INVALID_INPUT', `arguments must be an object, not ${args === null ? 'null' : Array.isArray(args) ? 'an array' : typeof args}`, 'pass the tool\'s fields as a JSON object, e.g. {}'),
    );
  } else {
    result = await runTool(env, tool, args ?? {}, signal);
  }
  const code = (result.structuredContent as { error?: { code: string } } | undefined)?.error?.code;
  env.onCall?.(name, code ?? 'ok', performance.now() - started);
  return result;
}

async function runTool(env: CallEnv, tool: AnyTool, args: unknown, signal: AbortSignal): Promise<CallToolResult> {
  const { session } = env;
  const call = newCallContext(session.agentId, session.deliveryId, false, [...session.unacknowledged]);
  // the call's first write also records its sign of life and takes its signals (services/tx.ts)
  const deps = { ...env.deps, call };
  try {
    const parsed = tool.input.safeParse(args);
    if (!parsed.success) throw inputError(parsed.error);
    await session.settleBinding();
    if (call.agentId === null && session.agentId !== null) call.agentId = session.agentId; // bound just now
    checkBinding(tool, session);
    call.signOfLifeDue = signOfLifeDue(env);
    const output = (await tool.run({ deps, feed: env.feed, session, actor: session.actor, signal }, parsed.data)) as Record<string, unknown>;
    checkOutput(tool, output, deps);
    const signals = await finishCall(env, call);
    return {
      content: [{ type: 'text', text: tool.summarize(output) + signalNote(signals) }],
      structuredContent: signals.length > 0 ? { ...output, signals: signals.map(signalOut) } : output,
    };
  } catch (error) {
    if (!(error instanceof FleetError)) deps.logger.error({ err: error, tool: tool.name }, 'tool failed unexpectedly');
    const signals = await finishCall(env, call).catch(() => []);
    return errorResult(error, signals);
  }
}

/**
 * Clients see only an outline of the output schema (tool-schema.ts), so the complete zod schema is
 * checked here: a result that breaks its own contract is a bug, reported as INTERNAL.
 */
function checkOutput(tool: AnyTool, output: Record<string, unknown>, deps: Deps): void {
  const checked = tool.output.safeParse(output);
  if (checked.success) return;
  deps.logger.error({ tool: tool.name, issues: checked.error.issues.slice(0, 5) }, 'tool result does not match its output schema');
  throw new Error(`output of ${tool.name} does not match its schema`);
}

function checkBinding(tool: AnyTool, session: Session): void {
  if (tool.binding === 'agent' && session.agentId === null) {
    if (session.isOperator) {
      throw forbidden(`${tool.name} is for agents`, 'the operator acts through the operator tools; agents call this tool themselves');
    }
    throw notRegistered();
  }
  if (tool.binding === 'any' && session.actor.kind === 'unbound') throw notRegistered();
}

function signOfLifeDue(env: CallEnv): boolean {
  if (!env.session.agentId) return false;
  const now = env.deps.clock.now();
  return !(now - env.session.lastSignOfLife < SIGN_OF_LIFE_INTERVAL_MS && now >= env.session.lastSignOfLife);
}

/**
 * Whatever the call's own transactions did not do (a read-only tool, a failed write): its sign of
 * life, acknowledgements and signals, in one more transaction only when something is owed. Then
 * the connection's bookkeeping: what it acknowledged and what this result carries.
 */
async function finishCall(env: CallEnv, call: CallContext): Promise<Signal[]> {
  const { session } = env;
  if (call.agentId === null && session.agentId !== null) call.agentId = session.agentId; // bound by this call
  const signals = await settleCall({ ...env.deps, call }, call);
  if (call.signOfLifeDone) session.lastSignOfLife = env.deps.clock.now();
  if (call.acknowledged) for (const id of call.toAcknowledge) session.unacknowledged.delete(id);
  for (const s of signals) session.unacknowledged.add(s.id);
  return signals;
}

function signalNote(signals: Signal[]): string {
  if (signals.length === 0) return '';
  return `\n${signals.length} signal(s): ${signals.map((s) => `[${s.kind}] ${s.message}`).join('; ')}`;
}

/** Sizes (text length, list length, bytes), as opposed to values out of range (progress: 2). */
const SIZE_ORIGINS = new Set(['string', 'array', 'set', 'file']);

/** zod issues → INVALID_INPUT, or TOO_LARGE when the only problem is a size bound. */
function inputError(error: z.ZodError): FleetError {
  const issues = error.issues.map((i) => ({ path: i.path.join('.') || '(input)', message: i.message, code: i.code }));
  const tooLarge = error.issues.length > 0 && error.issues.every((i) => i.code === 'too_big' && SIZE_ORIGINS.has(i.origin));
  const listing = issues
    .slice(0, 8)
    .map((i) => `${i.path}: ${i.message}`)
    .join('; ');
  return new FleetError(
    tooLarge ? 'TOO_LARGE' : 'INVALID_INPUT',
    `invalid arguments: ${listing}`,
    tooLarge ? 'shorten the field or split the content; limits are in the tool schema' : 'fix the named fields and call again; the input schema lists every field',
    { issues: issues.slice(0, 20) },
  );
}

export function errorResult(error: unknown, signals: Signal[] = []): CallToolResult {
  const fleetError =
    error instanceof FleetError
      ? error
      : new FleetError('INTERNAL', 'internal error; nothing was changed', 'retry once; if it persists, report it to the operator');
  const body = {
    code: fleetError.code,
    message: fleetError.message,
    ...(fleetError.hint ? { hint: fleetError.hint } : {}),
    ...(fleetError.details ? { details: fleetError.details } : {}),
  };
  return {
    isError: true,
    content: [{ type: 'text', text: `${body.code}: ${body.message}${body.hint ? ` (hint: ${body.hint})` : ''}` }],
    structuredContent: signals.length > 0 ? { error: body, signals: signals.map(signalOut) } : { error: body },
  };
}
