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

/** The width tables fit: the terminal's, else $COLUMNS, else 100 (a pipe or a log). */
export function screenWidth(): number {
  const fromEnv = Number(process.env.COLUMNS);
  return process.stdout.columns ?? (Number.isInteger(fromEnv) && fromEnv > 20 ? fromEnv : 100);
}

/**
 * A plain aligned table with upper-case headers; cells are stringified and cut to `maxWidth`, and
 * the widest columns are narrowed (their cells cut with …) until the table fits `screenWidth()`.
 * Only on a terminal (or when $COLUMNS asks for a width): piped to a file or a program, every cell
 * is printed whole.
 */
export function printTable(headers: string[], rows: (string | number | null | undefined)[][], maxWidth = 48): void {
  const text = rows.map((r) => headers.map((_, i) => oneLine(r[i])));
  if (process.stdout.isTTY !== true && !process.env.COLUMNS) {
    const full = headers.map((h, i) => Math.max(h.length, ...text.map((r) => visible(r[i]!).length)));
    printLine(headers.map((h, i) => colour(h.toUpperCase().padEnd(full[i]!), 'bold')).join('  ').trimEnd());
    for (const row of text) printLine(row.map((c, i) => pad(c, full[i]!)).join('  ').trimEnd());
    if (rows.length === 0) printLine(colour('(none)', 'dim'));
    return;
  }
  // ids (run_…, clm_…) are what a person copies into the next command: never cut them
  const ids = headers.map((_, i) => text.length > 0 && text.every((r) => ID.test(r[i]!) || r[i] === '-'));
  const idWidth = (i: number) => Math.max(...text.map((r) => r[i]!.length));
  const natural = headers.map((h, i) => Math.min(maxWidth, Math.max(h.length, ...text.map((r) => visible(r[i]!).length))));
  // narrow text columns down to their header first; cut headers only if that is not enough
  const keepHeaders = fitWidths(natural, headers.map((h, i) => (ids[i] ? idWidth(i) : Math.min(natural[i]!, h.length))), screenWidth());
  const widths = fitWidths(keepHeaders, headers.map((h, i) => (ids[i] ? idWidth(i) : Math.min(h.length, 5))), screenWidth());
  printLine(headers.map((h, i) => colour(cut(h.toUpperCase(), widths[i]!).padEnd(widths[i]!), 'bold')).join('  ').trimEnd());
  for (const row of text) printLine(row.map((c, i) => pad(cutVisible(c, widths[i]!), widths[i]!)).join('  ').trimEnd());
  if (rows.length === 0) printLine(colour('(none)', 'dim'));
}

/** Narrows the widest column, one character at a time, until the row fits (or nothing can give). */
export function fitWidths(widths: number[], minimums: number[], total: number): number[] {
  const out = [...widths];
  const width = () => out.reduce((a, b) => a + b, 0) + 2 * (out.length - 1);
  while (width() > total) {
    let widest = -1;
    for (let i = 0; i < out.length; i++) if (out[i]! > minimums[i]! && (widest < 0 || out[i]! >= out[widest]!)) widest = i;
    if (widest < 0) break;
    out[widest]!--;
  }
  return out;
}

const ID = /^[a-z]{3}_[0-9a-z]+$/;
const oneLine = (c: string | number | null | undefined): string => (c === null || c === undefined || c === '' ? '-' : String(c).replace(/\s+/g, ' '));
const pad = (c: string, width: number): string => c + ' '.repeat(Math.max(0, width - visible(c).length));

/** Cuts to `max` visible characters; a coloured cell that must be cut loses its colour. */
function cutVisible(text: string, max: number): string {
  const plain = visible(text);
  return plain.length > max ? cut(plain, max) : text;
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function visible(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}
