/**
 * Runs one hook: finds the session's workspace and agent, calls the event's handler and returns
 * the answer to print. Any failure to reach fleetdeck (database unreachable, locked too long, bad
 * input) fails open: the answer carries a one-line warning for the person and the tool call goes
 * ahead, unless `strict`, where the caller exits 2 (Claude Code blocks the action and shows the
 * reason). A hook never waits longer than HOOK_DEADLINE_MS on fleetdeck.
 */
import type { Config } from '../config.js';
import { FleetError } from '../domain/errors.js';
import { openApp, type App } from '../main.js';
import { renderAnswer, type HookAnswer } from './answer.js';
import type { HookContext, HookOptions } from './context.js';
import { HOOK_EVENTS, type HookEvent } from './events.js';
import { resolveSessionAgent } from './identity.js';
import { hookLogger } from './logger.js';
import type { HookPayload } from './payload.js';

export const HOOK_DEADLINE_MS = 5_000;

type Handler = (ctx: HookContext) => Promise<HookAnswer>;

/** Each event loads only its own handler's modules: a hook is a new process on every tool call. */
const HANDLERS: Record<HookEvent, () => Promise<Handler>> = {
  'session-start': () => import('./session-start.js').then((m) => m.sessionStart),
  'pre-tool-use': () => import('./pre-tool-use.js').then((m) => m.preToolUse),
  'post-tool-use': () => import('./post-tool-use.js').then((m) => m.postToolUse),
  'user-prompt-submit': () => import('./user-prompt-submit.js').then((m) => m.userPromptSubmit),
  stop: () => import('./stop.js').then((m) => m.stop),
};

export interface HookRequest {
  event: HookEvent;
  payload: HookPayload;
  /** settings as the CLI parsed them; `workspace` and `worktree` already set to the session's */
  config: Config;
  /** the session's worktree top-level: edited paths are relative to it */
  root: string;
  /** the branch checked out there (for the default agent name), null when detached */
  branch: string | null;
  options: HookOptions;
  explicitAgentId?: string;
  name?: string;
  role?: string;
}

export type HookOutcome = { ok: true; output: Record<string, unknown> } | { ok: false; message: string };

export async function runHook(request: HookRequest): Promise<HookOutcome> {
  let app: App | null = null;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FleetError('BUSY', `no answer from fleetdeck within ${HOOK_DEADLINE_MS} ms`)), HOOK_DEADLINE_MS);
  });
  try {
    const work = (async () => {
      const handlerLoaded = HANDLERS[request.event]();
      handlerLoaded.catch(() => undefined); // awaited below; a failure is reported there
      app = await openApp(request.config, { logger: hookLogger(), listen: false });
      const deps = app.deps;
      const identity = await resolveSessionAgent(deps, {
        db: request.config.db,
        workspace: request.config.workspace,
        root: request.root,
        branch: request.branch,
        explicitAgentId: request.explicitAgentId,
        name: request.name,
        role: request.role,
        createdBy: 'hook',
        claudeSessionId: request.payload.sessionId,
      });
      const ctx: HookContext = { deps, payload: request.payload, workspace: request.config.workspace, root: request.root, agentId: identity.agentId, options: request.options };
      const handler = await handlerLoaded;
      const answer = await handler(ctx);
      return renderAnswer(HOOK_EVENTS[request.event], answer);
    })();
    return { ok: true, output: await Promise.race([work, deadline]) };
  } catch (error) {
    const message = error instanceof FleetError ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
    return { ok: false, message: message.split('\n')[0]!.slice(0, 300) };
  } finally {
    clearTimeout(timer);
    await (app as App | null)?.close().catch(() => undefined);
  }
}
