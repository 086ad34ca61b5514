import type { Completion, CompletionStatus, ExternalTask } from '../../domain/external-task.js';
import type { OutboxEntry } from '../port/external-tasks.js';
import { parseJson } from './json.js';

export interface LinkRow {
  run_id: string;
  origin: string;
  task_id: string;
  sender: string;
  target: string;
  reply_to: string | null;
  context_ref: string | null;
  result_ref: string | null;
  reported_by: string | null;
  created_at: number;
}

export interface OutboxRow {
  id: number;
  run_id: string;
  task_id: string;
  reply_to: string;
  status: string;
  payload: string;
  attempts: number;
  last_error: string | null;
  created_at: number;
  published_at: number | null;
}

export const toLink = (r: LinkRow): ExternalTask => ({
  runId: r.run_id,
  origin: r.origin,
  taskId: r.task_id,
  sender: r.sender,
  target: r.target,
  replyTo: r.reply_to,
  contextRef: r.context_ref,
  resultRef: r.result_ref,
  reportedBy: r.reported_by,
  createdAt: r.created_at,
});

export const toEntry = (r: OutboxRow): OutboxEntry => ({
  id: r.id,
  runId: r.run_id,
  taskId: r.task_id,
  replyTo: r.reply_to,
  status: r.status as CompletionStatus,
  completion: parseJson<Completion>(r.payload, {} as Completion),
  attempts: r.attempts,
  lastError: r.last_error,
  createdAt: r.created_at,
  publishedAt: r.published_at,
});
