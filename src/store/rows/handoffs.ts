import type { FailedAttempt, Handoff, HandoffState } from '../../domain/handoff.js';
import { parseJson } from './json.js';

export interface HandoffRow {
  id: string;
  run_id: string;
  from_agent_id: string;
  to_agent_id: string | null;
  to_role: string | null;
  summary: string;
  next_action: string;
  changed_files: string;
  evidence: string;
  failed_attempts: string;
  risks: string;
  open_questions: string;
  state: string;
  offered_epoch: number;
  created_at: number;
  decided_at: number | null;
  decided_by: string | null;
  reason: string | null;
}

export function toHandoff(row: HandoffRow): Handoff {
  return {
    id: row.id,
    runId: row.run_id,
    fromAgentId: row.from_agent_id,
    toAgentId: row.to_agent_id,
    toRole: row.to_role,
    summary: row.summary,
    nextAction: row.next_action,
    changedFiles: parseJson<string[]>(row.changed_files, []),
    evidence: parseJson<string[]>(row.evidence, []),
    failedAttempts: parseJson<FailedAttempt[]>(row.failed_attempts, []),
    risks: parseJson<string[]>(row.risks, []),
    openQuestions: parseJson<string[]>(row.open_questions, []),
    state: row.state as HandoffState,
    offeredEpoch: row.offered_epoch,
    createdAt: row.created_at,
    decidedAt: row.decided_at,
    decidedBy: row.decided_by,
    reason: row.reason,
  };
}
