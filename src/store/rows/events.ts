import type { EventType, FleetEvent } from '../../domain/event.js';
import type { RawEventRow } from '../port/events.js';
import { parseJson } from './json.js';

export function toEvent(row: RawEventRow): FleetEvent {
  return {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    type: row.type as EventType,
    agentId: row.agent_id,
    runId: row.run_id,
    subjectId: row.subject_id,
    payload: parseJson<Record<string, unknown>>(row.payload, {}),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
