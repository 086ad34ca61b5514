import type { EventType, FleetEvent } from '../../domain/event.js';
import type { RawEventRow } from '../port/events.js';
import { parseJson } from './json.js';

/** A stored event: its payload was checked against its type when it was appended. */
export function toEvent(row: RawEventRow): FleetEvent {
  return {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    type: row.type as EventType,
    agentId: row.agent_id,
    runId: row.run_id,
    subjectId: row.subject_id,
    payload: parseJson<FleetEvent['payload']>(row.payload, {} as FleetEvent['payload']),
    prevHash: row.prev_hash,
    hash: row.hash,
  } as FleetEvent;
}
