import type { Triage } from '../../services/operator/triage.js';
import { colour, printLine, printTable } from '../output.js';
import { age } from './decisions.js';

/**
 * `fleetdeck triage` for a person at a terminal: what needs a decision, one table per kind, each
 * followed by the commands that act on it. (The operator-triage MCP prompt renders the same
 * snapshot as instructions to a model.)
 */
export function printTriage(t: Triage): void {
  const waiting = t.blockers.length + t.staleAgents.length + t.agingHandoffs.length + t.deadLetters.length;
  printLine(`${colour('triage', 'bold')}  ${new Date(t.now).toISOString().slice(0, 19).replace('T', ' ')} UTC`);
  printLine(
    waiting === 0
      ? colour('nothing needs a decision', 'green')
      : `${count(t.blockers.length, 'open blocker')} · ${count(t.staleAgents.length, 'stale agent')} · ${count(t.agingHandoffs.length, 'aging handoff')} · ` +
          `${count(t.deadLetters.length, 'dead letter')} · ${count(t.pausedAgents.length, 'paused agent')}`,
  );

  section(`OPEN BLOCKERS (${t.blockers.length}), oldest first`);
  printTable(
    ['blocker', 'kind', 'waiting', 'run', 'owner', 'question'],
    t.blockers.map((v) => [v.blocker.id, v.blocker.origin === 'agent' ? v.blocker.kind : `${v.blocker.kind} (${v.blocker.origin})`, age(Math.round(v.ageMs / 1000)), v.blocker.runId, v.agent.name ?? v.blocker.agentId, v.blocker.question]),
  );
  if (t.blockers.length > 0) {
    const id = t.blockers[0]!.blocker.id;
    hint(`fleetdeck approve ${id}`, `fleetdeck deny ${id} --reason TEXT`, `fleetdeck answer ${id} --text TEXT   (or redirect, resolve)`);
  }

  section(`STALE AGENTS (${t.staleAgents.length})`);
  printTable(
    ['agent', 'name', 'role', 'silent for', 'still owns'],
    t.staleAgents.map((a) => [a.agentId, a.name, a.role, age(Math.round((t.now - a.lastSeenAt) / 1000)), a.runs.length === 0 ? 'nothing' : a.runs.join(', ')]),
  );
  if (t.staleAgents.some((a) => a.runs.length > 0)) hint('their blocked runs wait for the decisions above; fleetdeck status RUN_ID shows one');

  section(`HANDOFFS NOBODY TOOK (${t.agingHandoffs.length} aging of ${t.openHandoffs} open)`);
  printTable(
    ['handoff', 'run', 'from', 'to', 'waiting', 'summary'],
    t.agingHandoffs.map((h) => [h.id, h.runId, h.fromAgentId, h.toAgentId ?? `role ${h.toRole}`, age(Math.round(h.ageMs / 1000)), h.summary]),
  );
  if (t.agingHandoffs.length > 0) hint(`fleetdeck handoff ${t.agingHandoffs[0]!.id} reads one; start an agent of that role to take it`);

  section(`DEAD LETTERS (${t.deadLetters.length} most recent)`);
  printTable(
    ['run', 'reason', 'attempts', 'title', 'last error'],
    t.deadLetters.map((r) => [r.id, r.deadReason, r.attempts, r.title, r.lastError]),
  );
  if (t.deadLetters.length > 0) hint(`fleetdeck requeue ${t.deadLetters[0]!.id}   once the cause is fixed`, 'fleetdeck dlq   for all of them');

  if (t.pausedAgents.length > 0) {
    section(`PAUSED AGENTS (${t.pausedAgents.length})`);
    printTable(
      ['agent', 'name', 'role'],
      t.pausedAgents.map((a) => [a.agentId, a.name, a.role]),
    );
    hint(`fleetdeck resume ${t.pausedAgents[0]!.agentId} when it may take work again`);
  }
}

const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

function section(title: string): void {
  printLine();
  printLine(colour(title, 'bold'));
}

function hint(...lines: string[]): void {
  for (const line of lines) printLine(colour(`  → ${line}`, 'dim'));
}
