import type { Signal, SignalKind } from '../../domain/signal.js';
import { parseJson } from './json.js';

export interface SignalRow {
  id: number;
  kind: string;
  run_id: string | null;
  subject_id: string | null;
  message: string;
  payload: string;
  created_at: number;
  deliveries: number;
  acked_at: number | null;
}

export const toSignal = (r: SignalRow): Signal => ({
  id: r.id,
  kind: r.kind as SignalKind,
  runId: r.run_id,
  subjectId: r.subject_id,
  message: r.message,
  payload: parseJson<Record<string, unknown>>(r.payload, {}),
  createdAt: r.created_at,
  redelivered: r.deliveries > 1,
  acknowledgedAt: r.acked_at,
});
