import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { Protocol } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  ListToolsRequestSchema,
  McpError,
  ErrorCode,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  type ReadResourceResult,
} from '@modelcontextprotocol/sdk/types.js';
import type { jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import { createRequire } from 'node:module';
import { FleetError } from '../domain/errors.js';
import type { ChangeFeed } from '../services/change-feed.js';
import type { Deps } from '../services/deps.js';
import { callTool, LenientCallToolRequestSchema } from './call.js';
import { SERVER_INSTRUCTIONS } from './instructions.js';
import { registerPrompts } from './prompts/register.js';
import { RESOURCES, urisChangedBy } from './resources/index.js';
import type { ResourceBody, ResourceContext, ResourceDef } from './resources/resource.js';
import type { Session } from './session.js';
import { inputJsonSchema, outputJsonSchema } from './tool-schema.js';
import type { AnyTool, Toolset } from './tool.js';
import { toolsFor, type ToolProfile } from './tools/index.js';
import { releaseSignals } from '../services/signals.js';

export interface ServerEnv {
  deps: Deps;
  feed: ChangeFeed;
  session: Session;
  toolset: Toolset;
  /** which of the toolset's tools are listed and callable (default full) */
  profile?: ToolProfile;
  version: string;
  onToolCall?: (tool: string, outcome: string, ms: number) => void;
  /**
   * Where resource subscriptions live when not in this process alone (the HTTP transport keeps them
   * in the database, so a subscription made through one replica is notified by another).
   */
  subscriptions?: SubscriptionStore;
}

export interface SubscriptionStore {
  add(uri: string): Promise<void>;
  remove(uri: string): Promise<void>;
  list(): Promise<string[]>;
  /** whether this process should send the notifications now (it holds the client's stream) */
  notifying(): boolean;
}

export interface FleetServer {
  mcp: McpServer;
  /**
   * Stops following the change feed for this server's subscriptions, and hands the signals this
   * connection received but never acknowledged back to the agent's next call (as redeliveries).
   */
  dispose(): Promise<void>;
  /** re-reads the subscriptions from `env.subscriptions` (another process may have changed them) */
  refreshSubscriptions(): Promise<void>;
  /**
   * A client's stream (re)opened here, maybe after another process holding it died: re-reads the
   * subscriptions and tells the client each subscribed resource may have changed meanwhile (it
   * re-reads; a spare notification costs one read, a missed one a stale view).
   */
  resyncSubscriptions(): Promise<void>;
}

/** The one factory every transport calls: tools, resources and subscriptions over shared services. */
export function createServer(env: ServerEnv): FleetServer {
  const mcp = new McpServer(
    { name: 'fleetdeck', title: 'fleetdeck agent control plane', version: env.version },
    {
      capabilities: { tools: { listChanged: false }, resources: { subscribe: true, listChanged: false }, logging: {} },
      instructions: SERVER_INSTRUCTIONS,
      jsonSchemaValidator: lazyJsonSchemaValidator(),
    },
  );
  registerTools(mcp, env, toolsFor(env.toolset, env.profile));
  const ctx: ResourceContext = { deps: env.deps, feed: env.feed, session: env.session };
  for (const resource of RESOURCES) registerResource(mcp, ctx, resource);
  registerPrompts(mcp, ctx, env.toolset);
  const subscriptions = registerSubscriptions(mcp, env.feed, env.subscriptions);
  const dispose = async () => {
    subscriptions.stop();
    await releaseSignals(env.deps, env.session.deliveryId).catch((error: unknown) =>
      env.deps.logger.warn({ err: error }, 'could not release the signals of a closed connection'),
    );
  };
  return { mcp, dispose, refreshSubscriptions: subscriptions.refresh, resyncSubscriptions: subscriptions.resync };
}

/** Hints a client acts on, without the ones the protocol already defaults to (its title is the tool's). */
function advertisedAnnotations(tool: AnyTool): AnyTool['annotations'] {
  const { readOnlyHint, destructiveHint, idempotentHint } = tool.annotations;
  if (readOnlyHint) return { readOnlyHint: true };
  return { readOnlyHint: false, destructiveHint: destructiveHint ?? true, ...(idempotentHint ? { idempotentHint: true } : {}) };
}

/**
 * The SDK builds an Ajv instance (compiling its formats) in every server's constructor, only to
 * validate elicitation answers. Load and build it the first time one needs validating instead
 * (synchronously: the SDK asks for a validator without awaiting); the bundle leaves Ajv out of
 * the start-up path altogether (scripts/build.mjs).
 */
function lazyJsonSchemaValidator(): jsonSchemaValidator {
  let ajv: jsonSchemaValidator | undefined;
  return {
    getValidator(schema) {
      if (!ajv) {
        const { AjvJsonSchemaValidator } = createRequire(import.meta.url)('@modelcontextprotocol/sdk/validation/ajv') as { AjvJsonSchemaValidator: new () => jsonSchemaValidator };
        ajv = new AjvJsonSchemaValidator();
      }
      return ajv.getValidator(schema);
    },
  };
}

function registerTools(mcp: McpServer, env: ServerEnv, tools: AnyTool[]): void {
  const byName = new Map(tools.map((t) => [t.name, t]));
  // Computed once, on the first tools/list (not before the initialize answer): every client lists.
  let listing: unknown[] | undefined;
  const list = () => (listing ??= tools.map((tool) => ({
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: inputJsonSchema(tool),
    outputSchema: outputJsonSchema(tool),
    annotations: advertisedAnnotations(tool),
  })));
  mcp.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: list() }) as never);
  // The SDK's Server re-validates every tools/call against its own schema (arguments must be a
  // record) and answers a JSON-RPC error; the base Protocol's registration skips that, so that
  // callTool answers non-object arguments with the tool error INVALID_INPUT (call.ts).
  Protocol.prototype.setRequestHandler.call(mcp.server, LenientCallToolRequestSchema, (request, extra) =>
    callTool(
      { deps: env.deps, feed: env.feed, session: env.session, tools: byName, onCall: env.onToolCall },
      request.params.name,
      request.params.arguments,
      extra.signal,
    ),
  );
}

function registerResource(mcp: McpServer, ctx: ResourceContext, def: ResourceDef): void {
  const metadata = { title: def.title, description: def.description, mimeType: def.mimeType };
  if ('uri' in def) {
    mcp.registerResource(def.name, def.uri, metadata, async (uri) => toReadResult(uri, () => def.read(ctx, uri)));
    return;
  }
  const complete = Object.fromEntries(
    Object.entries(def.complete ?? {}).map(([key, fn]) => [key, (value: string) => fn(ctx, value)]),
  );
  const template = new ResourceTemplate(def.template, {
    list: def.list ? async () => ({ resources: (await def.list!(ctx)).map((r) => ({ mimeType: def.mimeType, ...r })) }) : undefined,
    complete,
  });
  mcp.registerResource(def.name, template, metadata, async (uri, vars) => toReadResult(uri, () => def.read(ctx, uri, vars)));
}

async function toReadResult(uri: URL, read: () => Promise<ResourceBody>): Promise<ReadResourceResult> {
  try {
    const body = await read();
    const content = 'text' in body ? { uri: uri.href, mimeType: body.mimeType, text: body.text } : { uri: uri.href, mimeType: body.mimeType, blob: body.blob.toString('base64') };
    return { contents: [content] };
  } catch (error) {
    if (error instanceof FleetError) {
      throw new McpError(error.code === 'NOT_FOUND' ? ErrorCode.InvalidParams : ErrorCode.InvalidRequest, `${error.code}: ${error.message}`, {
        code: error.code,
        hint: error.hint,
      });
    }
    throw error;
  }
}

/**
 * resources/subscribe is not automatic in the 1.x SDK: keep the subscribed URIs and, when the change
 * feed shows an event from any process that touches one, send notifications/resources/updated.
 * With a `store`, the URIs live there too: any process may take the subscribe, and the one holding
 * the client's stream (`store.notifying()`) sends the notifications after re-reading them.
 */
function registerSubscriptions(mcp: McpServer, feed: ChangeFeed, store?: SubscriptionStore): { stop(): void; refresh(): Promise<void>; resync(): Promise<void> } {
  let subscribed = new Set<string>();
  let unsubscribeFeed: (() => void) | null = null;
  const onEvents = (events: Parameters<Parameters<ChangeFeed['subscribe']>[0]>[0]) => {
    if (store && !store.notifying()) return;
    const changed = new Set<string>();
    for (const event of events) for (const uri of urisChangedBy(event)) if (subscribed.has(uri)) changed.add(uri);
    for (const uri of changed) void mcp.server.sendResourceUpdated({ uri }).catch(() => {});
  };
  const follow = () => {
    if (subscribed.size > 0) unsubscribeFeed ??= feed.subscribe(onEvents);
    else if (unsubscribeFeed) {
      unsubscribeFeed();
      unsubscribeFeed = null;
    }
  };
  mcp.server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    await store?.add(request.params.uri);
    subscribed.add(request.params.uri);
    follow();
    return {};
  });
  mcp.server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    await store?.remove(request.params.uri);
    subscribed.delete(request.params.uri);
    follow();
    return {};
  });
  const refresh = async () => {
    if (!store) return;
    subscribed = new Set(await store.list());
    follow();
  };
  return {
    stop: () => {
      unsubscribeFeed?.();
      unsubscribeFeed = null;
    },
    refresh,
    resync: async () => {
      await refresh();
      for (const uri of subscribed) void mcp.server.sendResourceUpdated({ uri }).catch(() => {});
    },
  };
}
