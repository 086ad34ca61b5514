/** Sent at initialize; assistants read it once. Short, and about what to do. */
export const SERVER_INSTRUCTIONS = [
  'fleetdeck is the control plane of a fleet of agents working on the same code.',
  '1. Call register_agent (name, role) once; the identity survives restarts of this server.',
  '2. Before editing files, claim_scope the paths; on a conflict, work elsewhere or ask the holder.',
  '3. take_task for queued work; attach_evidence as you go; submit_result when done.',
  '4. Every result may carry `signals` (cancel, pause, redirect, handoff offered, blocker resolved): act on them first; and `next`, the next step.',
  '5. When you need a human decision, raise_blocker and await_update.',
  'A failed call has isError and `error` {code, message, hint}: follow the hint.',
].join('\n');
