import type { Blocker, BlockerKind, BlockerOrigin, BlockerState, Decision } from '../../domain/blocker.js';
import type { PolicyRule, PolicySubject } from '../../domain/policy.js';
import { parseJson } from './json.js';

export interface BlockerRow {
  id: string;
  run_id: string;
  agent_id: string;
  raised_by: string;
  origin: string;
  kind: string;
  question: string;
  options: string;
  context: string | null;
  evidence: string;
  policy_rule: string | null;
  policy_subject: string | null;
  state: string;
  decision: string | null;
  resolution: string | null;
  chosen_option: string | null;
  reassigned_to: string | null;
  resolved_by: string | null;
  resolved_at: number | null;
  created_at: number;
}

export function toBlocker(row: BlockerRow): Blocker {
  return {
    id: row.id,
    runId: row.run_id,
    agentId: row.agent_id,
    raisedBy: row.raised_by,
    origin: row.origin as BlockerOrigin,
    kind: row.kind as BlockerKind,
    question: row.question,
    options: parseJson<string[]>(row.options, []),
    context: row.context,
    evidence: parseJson<string[]>(row.evidence, []),
    policyRule: row.policy_rule as PolicyRule | null,
    policySubject: parseJson<PolicySubject | null>(row.policy_subject, null),
    state: row.state as BlockerState,
    decision: row.decision as Decision | null,
    resolution: row.resolution,
    chosenOption: row.chosen_option,
    reassignedTo: row.reassigned_to,
    resolvedBy: row.resolved_by,
    resolvedAt: row.resolved_at,
    createdAt: row.created_at,
  };
}
