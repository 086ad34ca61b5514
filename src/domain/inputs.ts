import { z } from 'zod';
import { LIMITS } from './limits.js';

/**
 * Input shapes every adapter checks the same way (MCP tools, console forms, CLI): id shapes and
 * bounded texts, written once. Adapter-specific schemas (tool outputs, signals) stay in their adapter.
 */
export const idOf = (prefix: string) =>
  z
    .string()
    .max(LIMITS.id)
    .regex(new RegExp(`^${prefix}_[0-9a-z]+$`), `must look like ${prefix}_…`);

export const agentId = idOf('agt');
export const runId = idOf('run');
export const claimId = idOf('clm');
export const handoffId = idOf('hof');
export const blockerId = idOf('blk');
export const artifactId = idOf('art');

export const shortText = z.string().max(LIMITS.shortText);
export const text = z.string().max(LIMITS.text);
export const longText = z.string().max(LIMITS.longText);
export const name = z.string().trim().min(1).max(LIMITS.name);
export const role = z
  .string()
  .trim()
  .min(1)
  .max(LIMITS.role)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'letters, digits, . _ : - (e.g. implementer, reviewer)');
