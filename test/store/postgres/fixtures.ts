import type { Tx } from '../../../src/store/port/index.js';
import { newId } from '../../../src/domain/ids.js';
import type { NewRunRow } from '../../../src/store/port/runs.js';

export const T0 = Date.UTC(2026, 10, 30, 12);

export async function insertAgent(tx: Tx, name: string, role = 'worker', now = T0): Promise<string> {
  const agent = await tx.agents.insert({ id: newId('agt'), name, role, workspace: '/w', capabilities: [], tokenHash: 'h'.repeat(64), leaseSeconds: 300, now });
  return agent.id;
}

export function runRow(overrides: Partial<NewRunRow> = {}): NewRunRow {
  return {
    id: newId('run'),
    title: 'job',
    type: 'task',
    instructions: 'do it',
    context: null,
    contextRef: null,
    origin: 'submitted',
    toRole: 'worker',
    toAgent: null,
    priority: 0,
    maxAttempts: 3,
    ttlSeconds: null,
    idempotencyKey: null,
    submitter: 'operator',
    parentRunId: null,
    expectedEvidence: [],
    onStale: 'requeue',
    inputHash: null,
    now: T0,
    ...overrides,
  };
}
