/**
 * The launcher `fleetdeck init` commits as .claude/fleetdeck.sh. Committed files must work in
 * every worktree and clone without naming a path of this machine, and a fresh `git worktree add`
 * has no node_modules of its own: so hooks and the session's server run this script, which finds
 * fleetdeck in this worktree's node_modules, else in the main checkout's (the parent of the git
 * common directory, read from the worktree's `.git` file without spawning git), else on PATH.
 * When it finds none, a hook still answers: a one-line warning the person sees, and the action
 * goes ahead (exit 2 with --strict) — never a bare "command not found" (127).
 */
export const LAUNCHER_FILE = '.claude/fleetdeck.sh';

export const LAUNCHER_SCRIPT = `#!/bin/sh
# fleetdeck launcher, written by \`fleetdeck init\` (keep it committed; docs/claude-code.md).
# Finds fleetdeck in this worktree's node_modules, the main checkout's, or on PATH.
root=\${CLAUDE_PROJECT_DIR:-$PWD}
bin=$root/node_modules/.bin/fleetdeck
if [ ! -x "$bin" ] && [ -f "$root/.git" ]; then
  # a linked worktree: its .git file says "gitdir: <common dir>/worktrees/<name>"
  gitdir=$(sed -n 's/^gitdir: *//p' "$root/.git")
  case $gitdir in /*) ;; *) gitdir=$root/$gitdir ;; esac
  case $gitdir in */worktrees/*) bin=\${gitdir%/worktrees/*}/../node_modules/.bin/fleetdeck ;; esac
fi
[ -x "$bin" ] && exec "$bin" "$@"
command -v fleetdeck >/dev/null 2>&1 && exec fleetdeck "$@"
msg="fleetdeck not found (no node_modules/.bin/fleetdeck in $root or its main checkout, none on PATH): run npm install there, or npm install -g fleetdeck"
echo "$msg" >&2
if [ "$1" = hook ]; then
  for a in "$@"; do [ "$a" = --strict ] && exit 2; done
  echo '{"systemMessage":"fleetdeck not found (not in node_modules of this worktree or its main checkout, not on PATH): its hooks are off until it is installed"}'
  exit 0
fi
exit 1
`;

/** The hook command's start: the committed launcher, from whichever worktree the session is in. */
export const LAUNCHER_HOOK = `sh "$CLAUDE_PROJECT_DIR"/${LAUNCHER_FILE}`;

/**
 * The session's MCP server through the launcher. Claude Code starts it in the project directory;
 * the script is found at the worktree's top-level (`git rev-parse` once per session is cheap).
 */
export const LAUNCHER_SERVER = {
  command: 'sh',
  args: ['-c', `exec sh "\${CLAUDE_PROJECT_DIR:-$(git rev-parse --show-toplevel 2>/dev/null || pwd)}/${LAUNCHER_FILE}" "$@"`, 'fleetdeck'],
};
