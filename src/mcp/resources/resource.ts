import type { Variables } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';
import type { ChangeFeed } from '../../services/change-feed.js';
import type { Deps } from '../../services/deps.js';
import type { Session } from '../session.js';

export interface ResourceContext {
  deps: Deps;
  feed: ChangeFeed;
  session: Session;
}

export type ResourceBody = { text: string; mimeType: string } | { blob: Buffer; mimeType: string };

interface ResourceBase {
  name: string;
  title: string;
  description: string;
  mimeType: string;
}

/** A fixed URI such as fleet://overview. */
export interface StaticResource extends ResourceBase {
  uri: string;
  read(ctx: ResourceContext, uri: URL): Promise<ResourceBody>;
}

/** A URI template such as fleet://agents/{agent_id}, with listing and id completion. */
export interface TemplateResource extends ResourceBase {
  template: string;
  list?(ctx: ResourceContext): Promise<{ uri: string; name: string; description?: string }[]>;
  complete?: Record<string, (ctx: ResourceContext, prefix: string) => Promise<string[]>>;
  read(ctx: ResourceContext, uri: URL, vars: Variables): Promise<ResourceBody>;
}

export type ResourceDef = StaticResource | TemplateResource;

export const json = (value: unknown): ResourceBody => ({ text: JSON.stringify(value, null, 2), mimeType: 'application/json' });

export function variable(vars: Variables, key: string): string {
  const v = vars[key];
  return decodeURIComponent(Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));
}
