/** Who is calling. Identity is bound per process (stdio) or per token (HTTP), never per MCP session. */
export type Actor =
  | { kind: 'agent'; agentId: string }
  | { kind: 'operator'; name: string }
  | { kind: 'system' }
  | { kind: 'unbound' };

export function actorLabel(actor: Actor): string {
  switch (actor.kind) {
    case 'agent':
      return actor.agentId;
    case 'operator':
      return `operator:${actor.name}`;
    case 'system':
      return 'system';
    case 'unbound':
      return 'unbound';
  }
}
