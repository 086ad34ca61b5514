import type { Command } from '../command.js';

/**
 * Every CLI command, by the words that select it, loaded only when it runs (or when help lists it):
 * a command's module and what it imports stay out of every other command's start-up, above all
 * out of `serve`, which each agent session pays for. A new command is one line here.
 * `fleetdeck help` lists them in this order, under their section.
 */
export interface CommandEntry {
  path: string[];
  section: CommandSection;
  load: () => Promise<Command>;
}

export const SECTIONS = {
  start: 'Start and set up',
  look: 'Look at the fleet',
  act: 'Act as the operator',
  script: 'Queue work from scripts',
  admin: 'Tokens, audit and policy',
  agentq: 'agentq over RabbitMQ',
} as const;
export type CommandSection = keyof typeof SECTIONS;

export const COMMANDS: CommandEntry[] = [
  { path: ['serve'], section: 'start', load: () => import('./serve.js').then((m) => m.serveCommand) },
  { path: ['init'], section: 'start', load: () => import('./init.js').then((m) => m.initCommand) },
  { path: ['console'], section: 'start', load: () => import('./console.js').then((m) => m.consoleCommand) },
  { path: ['doctor'], section: 'start', load: () => import('./doctor.js').then((m) => m.doctorCommand) },

  { path: ['status'], section: 'look', load: () => import('./queue.js').then((m) => m.statusCommand) },
  { path: ['triage'], section: 'look', load: () => import('./agents-control.js').then((m) => m.triageCommand) },
  { path: ['agents'], section: 'look', load: () => import('./fleet-views.js').then((m) => m.agentsCommand) },
  { path: ['runs'], section: 'look', load: () => import('./queue.js').then((m) => m.runsCommand) },
  { path: ['result'], section: 'look', load: () => import('./queue.js').then((m) => m.resultCommand) },
  { path: ['claims'], section: 'look', load: () => import('./claims.js').then((m) => m.claimsCommand) },
  { path: ['blockers'], section: 'look', load: () => import('./decisions.js').then((m) => m.blockersCommand) },
  { path: ['handoffs'], section: 'look', load: () => import('./decisions.js').then((m) => m.handoffsCommand) },
  { path: ['handoff'], section: 'look', load: () => import('./decisions.js').then((m) => m.handoffShowCommand) },
  { path: ['dlq'], section: 'look', load: () => import('./queue.js').then((m) => m.dlqCommand) },
  { path: ['events'], section: 'look', load: () => import('./fleet-views.js').then((m) => m.eventsCommand) },
  { path: ['stats'], section: 'look', load: () => import('./stats.js').then((m) => m.statsCommand) },

  { path: ['approve'], section: 'act', load: () => import('./decisions.js').then((m) => m.approveCommand) },
  { path: ['deny'], section: 'act', load: () => import('./decisions.js').then((m) => m.denyCommand) },
  { path: ['answer'], section: 'act', load: () => import('./decisions.js').then((m) => m.answerCommand) },
  { path: ['redirect'], section: 'act', load: () => import('./decisions.js').then((m) => m.redirectCommand) },
  { path: ['resolve'], section: 'act', load: () => import('./decisions.js').then((m) => m.resolveCommand) },
  { path: ['pause'], section: 'act', load: () => import('./agents-control.js').then((m) => m.pauseCommand) },
  { path: ['resume'], section: 'act', load: () => import('./agents-control.js').then((m) => m.resumeCommand) },
  { path: ['requeue'], section: 'act', load: () => import('./queue.js').then((m) => m.requeueCommand) },

  { path: ['submit'], section: 'script', load: () => import('./queue.js').then((m) => m.submitCommand) },
  { path: ['complete'], section: 'script', load: () => import('./queue.js').then((m) => m.completeCommand) },
  { path: ['fail'], section: 'script', load: () => import('./queue.js').then((m) => m.failCommand) },
  { path: ['guard'], section: 'script', load: () => import('./guard.js').then((m) => m.guardCommand) },
  { path: ['hook'], section: 'start', load: () => import('./hook.js').then((m) => m.hookCommand) },

  { path: ['token', 'create'], section: 'admin', load: () => import('./token.js').then((m) => m.tokenCreateCommand) },
  { path: ['token', 'list'], section: 'admin', load: () => import('./token.js').then((m) => m.tokenListCommand) },
  { path: ['token', 'revoke'], section: 'admin', load: () => import('./token.js').then((m) => m.tokenRevokeCommand) },
  { path: ['backup'], section: 'admin', load: () => import('./backup.js').then((m) => m.backupCommand) },
  { path: ['restore'], section: 'admin', load: () => import('./backup.js').then((m) => m.restoreCommand) },
  { path: ['audit', 'verify'], section: 'admin', load: () => import('./audit.js').then((m) => m.auditVerifyCommand) },
  { path: ['audit', 'anchor'], section: 'admin', load: () => import('./audit.js').then((m) => m.auditAnchorCommand) },
  { path: ['archive', 'list'], section: 'admin', load: () => import('./archive.js').then((m) => m.archiveListCommand) },
  { path: ['archive', 'verify'], section: 'admin', load: () => import('./archive.js').then((m) => m.archiveVerifyCommand) },
  { path: ['archive', 'show'], section: 'admin', load: () => import('./archive.js').then((m) => m.archiveShowCommand) },
  { path: ['retention', 'apply'], section: 'admin', load: () => import('./archive.js').then((m) => m.retentionApplyCommand) },
  { path: ['policy', 'check'], section: 'admin', load: () => import('./agents-control.js').then((m) => m.policyCheckCommand) },
  { path: ['agentq', 'init'], section: 'agentq', load: () => import('./agentq.js').then((m) => m.agentqInitCommand) },
  { path: ['agentq', 'bridge'], section: 'agentq', load: () => import('./agentq.js').then((m) => m.agentqBridgeCommand) },
  { path: ['agentq', 'submit'], section: 'agentq', load: () => import('./agentq.js').then((m) => m.agentqSubmitCommand) },
  { path: ['agentq', 'status'], section: 'agentq', load: () => import('./agentq-tasks.js').then((m) => m.agentqStatusCommand) },
  { path: ['agentq', 'result'], section: 'agentq', load: () => import('./agentq-tasks.js').then((m) => m.agentqResultCommand) },
  { path: ['agentq', 'complete'], section: 'agentq', load: () => import('./agentq-tasks.js').then((m) => m.agentqCompleteCommand) },
  { path: ['agentq', 'fail'], section: 'agentq', load: () => import('./agentq-tasks.js').then((m) => m.agentqFailCommand) },
  { path: ['agentq', 'dlq'], section: 'agentq', load: () => import('./agentq-tasks.js').then((m) => m.agentqDlqCommand) },
];

/** Loads every command (help and the README generator; never a command's own start-up). */
export function loadAllCommands(entries: CommandEntry[] = COMMANDS): Promise<Command[]> {
  return Promise.all(entries.map((e) => e.load()));
}
