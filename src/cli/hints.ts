/**
 * Service errors are written for agents and name MCP tools ("list runs with list_runs"). A person at
 * the CLI gets the CLI command that does the same instead. Tools with no CLI counterpart (an
 * agent's own actions) are left as they are.
 */
const TOOL_TO_CLI: [RegExp, string][] = [
  [/\bfleet_status or fleet:\/\/agents\b/g, '`fleetdeck agents`'],
  [/\bfleet:\/\/agents\b/g, '`fleetdeck agents`'],
  [/\bfleet_status\b/g, '`fleetdeck status`'],
  [/\bget_run\b/g, '`fleetdeck status RUN_ID`'],
  [/\blist_runs\b/g, '`fleetdeck runs`'],
  [/\blist_handoffs\b/g, '`fleetdeck handoffs`'],
  [/\blist_blockers\b/g, '`fleetdeck blockers`'],
  [/\blist_claims\b/g, '`fleetdeck claims`'],
  [/\bresolve_blocker\b/g, '`fleetdeck resolve`'],
  [/\bpause_agent\b/g, '`fleetdeck pause`'],
  [/\bresume_agent\b/g, '`fleetdeck resume`'],
  [/\brequeue_run\b/g, '`fleetdeck requeue`'],
];

export function cliHint(text: string): string {
  return TOOL_TO_CLI.reduce((t, [pattern, cli]) => t.replace(pattern, cli), text);
}
