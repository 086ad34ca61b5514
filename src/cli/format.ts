/** Formatting shared by the CLI commands (their JSON and tables). */

/** A time as ISO 8601 for `--json` output, null when there is none. */
export { iso } from '../domain/time.js';
