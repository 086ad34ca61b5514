/** Times as every surface writes them (JSON of the CLI, MCP results, markdown): ISO 8601, UTC. */
export function iso(ms: number): string;
export function iso(ms: number | null | undefined): string | null;
export function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

export function isoOrNull(ms: number | null): string | null {
  return iso(ms);
}
