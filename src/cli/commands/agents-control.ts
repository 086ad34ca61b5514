import { FleetError } from '../../domain/errors.js';
import { agentOut } from '../../mcp/tools/agent-schemas.js';
import { pauseAgent, unpauseAgent, type PauseResult } from '../../services/operator/pause.js';
import { triage } from '../../services/operator/triage.js';
import { policyPath, readPolicyFile } from '../../services/policy/load.js';
import { configFrom, flag, str, withApp, type Command, type ParsedArgs } from '../command.js';
import { colour, printJson, printLine } from '../output.js';
import { age, operatorActor } from './decisions.js';
import { printTriage } from './triage-screen.js';
import { resolve } from 'node:path';

function agentArg(args: ParsedArgs, verb: string): string {
  const id = args.positionals[0];
  if (!id || args.positionals.length > 1) throw new FleetError('INVALID_INPUT', 'give exactly one agent id', `e.g. fleetdeck ${verb} agt_…`);
  return id;
}

function report(args: ParsedArgs, out: PauseResult, verb: 'paused' | 'resumed'): number {
  const agent = agentOut(out.agent, out.liveness);
  if (flag(args, 'json')) printJson({ agent, changed: out.changed });
  else printLine(`${agent.name} (${agent.agent_id}) ${out.changed ? verb : `was already ${verb === 'paused' ? 'paused' : 'not paused'}`}`);
  return 0;
}

export const pauseCommand: Command = {
  path: ['pause'],
  summary: 'pause an agent: it takes no new work until resumed (it keeps its runs and claims)',
  usage: 'fleetdeck pause AGENT_ID [--reason TEXT] [--json] [--db PATH]',
  options: { reason: { type: 'string' } },
  positionals: true,
  async run(args) {
    const out = await withApp(args, (app) => pauseAgent(app.deps, operatorActor(), { agent_id: agentArg(args, 'pause'), reason: str(args, 'reason') }));
    return report(args, out, 'paused');
  },
};

export const resumeCommand: Command = {
  path: ['resume'],
  summary: 'resume a paused agent',
  usage: 'fleetdeck resume AGENT_ID [--reason TEXT] [--json] [--db PATH]',
  options: { reason: { type: 'string' } },
  positionals: true,
  async run(args) {
    const out = await withApp(args, (app) => unpauseAgent(app.deps, operatorActor(), { agent_id: agentArg(args, 'resume'), reason: str(args, 'reason') }));
    return report(args, out, 'resumed');
  },
};

export const triageCommand: Command = {
  path: ['triage'],
  summary: 'what needs an operator decision now: open blockers, stale agents, aging handoffs, dead letters',
  usage: 'fleetdeck triage [--json] [--db PATH]',
  options: {},
  async run(args) {
    const t = await withApp(args, (app) => triage(app.deps));
    if (flag(args, 'json')) {
      printJson({
        generated_at: new Date(t.now).toISOString(),
        blockers: t.blockers.map((v) => ({ blocker_id: v.blocker.id, kind: v.blocker.kind, origin: v.blocker.origin, run_id: v.blocker.runId, agent_id: v.blocker.agentId, question: v.blocker.question, age: age(Math.round(v.ageMs / 1000)) })),
        stale_agents: t.staleAgents.map((a) => ({ agent_id: a.agentId, name: a.name, role: a.role, last_seen_at: new Date(a.lastSeenAt).toISOString(), runs: a.runs })),
        aging_handoffs: t.agingHandoffs.map((h) => ({ handoff_id: h.id, run_id: h.runId, from_agent_id: h.fromAgentId, to: h.toAgentId ?? `role:${h.toRole}`, age_seconds: Math.round(h.ageMs / 1000) })),
        open_handoffs: t.openHandoffs,
        dead_letters: t.deadLetters.map((r) => ({ run_id: r.id, title: r.title, dead_reason: r.deadReason, last_error: r.lastError })),
        paused_agents: t.pausedAgents.map((a) => ({ agent_id: a.agentId, name: a.name, role: a.role })),
      });
    } else printTriage(t);
    return 0;
  },
};

export const policyCheckCommand: Command = {
  path: ['policy', 'check'],
  summary: 'validate the policy file (default: the one the server reads) and print its rules',
  usage: 'fleetdeck policy check [--file PATH] [--json] [--db PATH | --policy PATH]\nExit code 0 when valid or absent, 2 when invalid.',
  options: { file: { type: 'string' } },
  async run(args) {
    const config = configFrom(args);
    const file = str(args, 'file');
    const path = file ? resolve(file) : policyPath({ dataDir: config.dataDir, policyFile: config.policy, agentLeaseSeconds: config.agentLeaseSeconds, workspace: config.workspace });
    const status = readPolicyFile(path);
    if (flag(args, 'json')) {
      printJson(status.state === 'invalid' ? { file: path, state: status.state, problems: status.problems } : { file: path, state: status.state, policy: status.policy });
    } else if (status.state === 'invalid') {
      printLine(`${colour('INVALID', 'red')} ${path}`);
      for (const p of status.problems) printLine(`  ${p}`);
    } else if (status.state === 'absent') {
      printLine(`${colour('absent', 'yellow')}: ${path} does not exist; no rules apply`);
    } else {
      const p = status.policy;
      printLine(`${colour('ok', 'green')}: ${path}`);
      printLine(`  claims needing approval: ${p.claims_need_approval.length === 0 ? 'none' : p.claims_need_approval.map((r) => `${r.kind} ${r.pattern}${r.workspace ? ` in ${r.workspace}` : ''}`).join('; ')}`);
      printLine(`  run types needing approval before completed: ${p.types_need_approval_before_complete.join(', ') || 'none'}`);
      printLine(`  max leased runs per agent: ${p.max_leased_runs_per_agent ?? 'unlimited'}`);
    }
    return status.state === 'invalid' ? 2 : 0;
  },
};

