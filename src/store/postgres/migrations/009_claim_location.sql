-- 009: where a claim was made (mirrors the SQLite 009): worktree top-level, branch, host.
ALTER TABLE claims ADD COLUMN worktree TEXT CHECK (worktree IS NULL OR length(worktree) BETWEEN 1 AND 4096);
ALTER TABLE claims ADD COLUMN branch TEXT CHECK (branch IS NULL OR length(branch) BETWEEN 1 AND 1024);
ALTER TABLE claims ADD COLUMN host TEXT CHECK (host IS NULL OR length(host) BETWEEN 1 AND 255);
