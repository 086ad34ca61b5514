/** The CLI's only writers: stdout for results (tables or --json), stderr for diagnostics. */

// `fleetdeck help | head` closes the pipe early: that is the reader's choice, not an error
let pipeWatched = false;
function out(text: string): void {
  if (!pipeWatched) {
    pipeWatched = true;
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(process.exitCode ?? 0);
    });
  }
  process.stdout.write(text);
}

export function printJson(value: unknown): void {
  out(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(line = ''): void {
  out(`${line}\n`);
}

export function printError(line: string): void {
  process.stderr.write(`${line}\n`);
}

const useColour = (): boolean => process.stdout.isTTY === true && !process.env.NO_COLOR;

export function colour(text: string, code: 'red' | 'green' | 'yellow' | 'dim' | 'bold'): string {
  if (!useColour()) return text;
  const codes = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;
  return `\u001b[${codes[code]}m${text}\u001b[0m`;
}

/** A plain aligned table; cells are stringified and cut to `maxWidth`. */
export function printTable(headers: string[], rows: (string | number | null | undefined)[][], maxWidth = 48): void {
  const cells = rows.map((r) => r.map((c) => cut(c === null || c === undefined ? '-' : String(c), maxWidth)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => visible(r[i] ?? '').length)));
  printLine(headers.map((h, i) => colour(h.padEnd(widths[i]!), 'bold')).join('  '));
  for (const row of cells) printLine(row.map((c, i) => c + ' '.repeat(Math.max(0, widths[i]! - visible(c).length))).join('  '));
  if (rows.length === 0) printLine(colour('(none)', 'dim'));
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function visible(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}
