/** Formatting shared by the CLI commands (their JSON and tables). */

/** A time as ISO 8601 for `--json` output, null when there is none. */
export function iso(ms: number): string;
export function iso(ms: number | null | undefined): string | null;
export function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}
