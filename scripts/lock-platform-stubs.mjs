// The npm registry mirror on our machines serves only the Linux x64 builds of some packages with
// per-platform optional dependencies (rollup, msgpackr-extract). `npm install` then leaves the
// other platforms' entries out of package-lock.json, and `npm ci` refuses the lock as out of sync.
// This script adds those entries back as optional packages with their os/cpu/libc (read from the
// package name), so `npm ci` accepts the lock and skips them on a machine they do not fit.
// Run it after any `npm install` that changes the lock: `node scripts/lock-platform-stubs.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';

const LOCK = new URL('../package-lock.json', import.meta.url);
const OSES = ['android', 'darwin', 'freebsd', 'linux', 'openbsd', 'openharmony', 'win32', 'sunos', 'aix', 'netbsd'];
const CPUS = ['arm64', 'arm', 'x64', 'ia32', 'loong64', 'ppc64', 'riscv64', 's390x', 'mips64el', 'wasm32'];

function platformOf(name) {
  const words = name.split('/').pop().split('-');
  const os = words.find((w) => OSES.includes(w));
  const cpu = words.find((w) => CPUS.includes(w)) ?? (words.includes('arm') || words.some((w) => w.startsWith('arm')) ? 'arm' : undefined);
  const libc = words.some((w) => w.startsWith('musl')) ? 'musl' : words.some((w) => w === 'gnu' || w.startsWith('gnueabi')) ? 'glibc' : undefined;
  return { os, cpu, libc };
}

const lock = JSON.parse(readFileSync(LOCK, 'utf8'));
const packages = lock.packages;
const added = [];
for (const [path, entry] of Object.entries(packages)) {
  for (const [dep, range] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${dep}`;
    const nested = `${path}/node_modules/${dep}`;
    if (packages[key] || packages[nested]) continue;
    const { os, cpu, libc } = platformOf(dep);
    if (!os || !cpu) continue; // not a platform build: leave it to npm
    packages[key] = {
      version: range.replace(/^[\^~=]/, ''),
      cpu: [cpu],
      ...(entry.dev ? { dev: true } : {}),
      ...(libc ? { libc: [libc] } : {}),
      optional: true,
      os: [os],
    };
    added.push(`${dep}@${packages[key].version}`);
  }
}
lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
process.stderr.write(added.length ? `added ${added.length} platform entries: ${added.join(', ')}\n` : 'lock already complete\n');
