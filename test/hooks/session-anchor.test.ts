import { spawnSync } from 'node:child_process';
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { literalGlob } from '../../src/domain/glob-literal.js';
import { globMatches } from '../../src/domain/glob/index.js';
import { anchorAlive, sessionAnchor } from '../../src/hooks/process-anchor.js';
import { gitTopLevel, pathInWorkspace } from '../../src/hooks/workspace.js';
import { tempDir } from '../helpers/app.js';

const linux = process.platform === 'linux';

describe('the session anchor', () => {
  it.skipIf(!linux)('is the nearest ancestor that is not a shell: the same through sh -c as directly', () => {
    const tmp = tempDir();
    try {
      const script = join(tmp.dir, 'anchor.mjs');
      const module = new URL('../../src/hooks/process-anchor.ts', import.meta.url).href;
      writeFileSync(script, `const m = await import(${JSON.stringify(module)}); process.stdout.write(JSON.stringify(m.sessionAnchor()));\n`);
      const run = [process.execPath, '--import', 'tsx', script];
      const cwd = new URL('../..', import.meta.url).pathname;
      const direct = spawnSync(run[0]!, run.slice(1), { cwd });
      const viaShells = spawnSync('sh', ['-c', `sh -c '${run.join(' ')}'`], { cwd });
      const a = JSON.parse(direct.stdout.toString()) as { pid: number; start: string };
      const b = JSON.parse(viaShells.stdout.toString()) as { pid: number; start: string };
      expect(a.pid).toBe(process.pid);
      expect(b).toEqual(a);
      expect(anchorAlive(a as never)).toBe(true);
      expect(anchorAlive({ ...a, start: `${a.start}1` } as never)).toBe(false);
    } finally {
      tmp.cleanup();
    }
  });

  it.skipIf(!linux)('walks up from a given pid', () => {
    expect(sessionAnchor(process.pid)?.pid).toBe(process.pid);
  });
});

describe('workspace paths', () => {
  it('finds the git top-level through symlinks, and relative paths inside it', () => {
    const tmp = tempDir();
    try {
      const repo = join(realpathSync(tmp.dir), 'repo');
      mkdirSync(join(repo, 'src', 'deep'), { recursive: true });
      writeFileSync(join(repo, '.git'), 'gitdir: elsewhere\n'); // a worktree's .git is a file
      symlinkSync(repo, join(tmp.dir, 'link'));
      expect(gitTopLevel(join(tmp.dir, 'link', 'src', 'deep'))).toBe(repo);
      expect(pathInWorkspace(repo, join(tmp.dir, 'link', 'src', 'new', 'file.ts'))).toBe('src/new/file.ts');
      expect(pathInWorkspace(repo, join(repo, '..', 'other.ts'))).toBeNull();
      expect(pathInWorkspace(repo, join(repo, '..foo'))).toBe('..foo');
      expect(pathInWorkspace(repo, repo)).toBeNull();
    } finally {
      tmp.cleanup();
    }
  });

  it('makes a literal glob of a path with glob characters', () => {
    for (const path of ['app/[id]/page.tsx', 'a/{x,y}.ts', 'docs/what?.md', 'x/*star*', '!bang', 'back\\slash']) {
      expect(globMatches(literalGlob(path), path), path).toBe(true);
    }
    expect(globMatches(literalGlob('app/[id]/page.tsx'), 'app/i/page.tsx')).toBe(false);
  });
});
