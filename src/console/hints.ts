/**
 * Service errors are written for agents and name MCP tools ("cancel_run or reassign_run act on
 * open runs"). An operator in the console gets the console's own buttons and pages instead, or the
 * CLI command where the console has none.
 */
const TOOL_TO_CONSOLE: [RegExp, string][] = [
  [/\bfleet_status or fleet:\/\/agents\b/g, 'the Agents page'],
  [/\bfleet:\/\/agents\b/g, 'the Agents page'],
  [/\bfleet:\/\/queue or `fleetdeck dlq`/g, 'the Queue page'],
  [/\bfleet:\/\/queue\b/g, 'the Queue page'],
  [/\bfleet_status\b/g, 'the Overview'],
  [/\bget_run\b/g, "the run's page"],
  [/\blist_runs\b/g, 'the Runs board'],
  [/\blist_handoffs\b/g, "the run's page"],
  [/\blist_blockers\b/g, 'the Blockers page'],
  [/\blist_claims\b/g, 'the Claims page'],
  [/\bresolve_blocker\b/g, 'the decision buttons on the Blockers page'],
  [/\bpause_agent\b/g, 'Pause on the Agents page'],
  [/\bresume_agent\b/g, 'Resume on the Agents page'],
  [/\brequeue_run\b/g, "Requeue on the run's page"],
  [/\bcancel_run\b/g, "Cancel run on the run's page"],
  [/\breassign_run\b/g, "Reassign on the run's page"],
  [/\bforce_release\b/g, 'Force release on the Claims page'],
  [/\bfleetdeck serve --operator` or the fleetdeck CLI/g, 'fleetdeck CLI`'],
];

export function consoleHint(text: string | undefined): string | undefined {
  return text === undefined ? undefined : TOOL_TO_CONSOLE.reduce((t, [pattern, words]) => t.replace(pattern, words), text);
}
