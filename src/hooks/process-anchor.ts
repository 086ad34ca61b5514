/**
 * The process a coding-assistant session lives in (the Claude Code process), found by walking up
 * from this process past the launchers in between: Claude Code runs a hook through `sh -c`, and
 * either a hook or the MCP server may be started through `npx` (an `npm exec` process and another
 * shell). The hooks and the MCP server of one session therefore find the same ancestor, and two
 * sessions find two. Its start time is part of the anchor so a reused pid is never the same session.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ProcessAnchor {
  pid: number;
  /** process start time, in the platform's own unit (clock ticks since boot on Linux) */
  start: string;
  name: string;
}

interface ProcInfo {
  ppid: number;
  start: string;
  name: string;
}

/** Shells, `env`, `npm exec`/`npx`, git (running a pre-commit hook) and similar wrappers never are the session itself. */
const LAUNCHER = /^(git|sh|bash|dash|zsh|fish|ksh|mksh|ash|busybox|env|nohup|nice|timeout|stdbuf|xargs|npx|npm|npm exec.*|pnpm|yarn|bun x)$/;
const MAX_DEPTH = 12;

function linuxInfo(pid: number): ProcInfo | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // the command name may contain spaces and parentheses: it ends at the last ')'
  const close = stat.lastIndexOf(')');
  const name = stat.slice(stat.indexOf('(') + 1, close);
  const fields = stat.slice(close + 2).split(' ');
  return { ppid: Number(fields[1]), start: fields[19] ?? '0', name };
}

function psInfo(pid: number): ProcInfo | null {
  try {
    const out = execFileSync('ps', ['-o', 'ppid=,lstart=,comm=', '-p', String(pid)], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 }).toString().trim();
    const m = /^(\d+)\s+(\S+\s+\S+\s+\d+\s+[\d:]+\s+\d+)\s+(.*)$/.exec(out);
    if (!m) return null;
    return { ppid: Number(m[1]), start: m[2]!, name: (m[3] ?? '').split('/').pop() ?? '' };
  } catch {
    return null;
  }
}

const procInfo = process.platform === 'linux' ? linuxInfo : psInfo;

/** The nearest ancestor of this process that is not a launcher, or null when none can be read. */
export function sessionAnchor(startPid: number = process.ppid): ProcessAnchor | null {
  let pid = startPid;
  for (let depth = 0; depth < MAX_DEPTH && pid > 1; depth++) {
    const info = procInfo(pid);
    if (!info) return null;
    if (!LAUNCHER.test(info.name)) return { pid, start: info.start, name: info.name };
    pid = info.ppid;
  }
  return null;
}

/** Whether the anchored process still runs (the same process: same pid and start time). */
export function anchorAlive(anchor: ProcessAnchor): boolean {
  const info = procInfo(anchor.pid);
  return info !== null && info.start === anchor.start;
}
