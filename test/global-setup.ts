import { execFileSync } from 'node:child_process';

/** End-to-end tests spawn the built server (dist/cli.js): build it once before any test runs. */
export default function setup(): void {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: new URL('..', import.meta.url), stdio: 'inherit' });
}
