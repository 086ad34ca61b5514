-- 009: where a claim was made. A workspace is the repository (every worktree and clone of it),
-- so a claim also records the worktree (its top-level directory), the branch checked out and the
-- host, for conflicts, denials and listings to say where the holder works. NULL: not known (claims
-- made before this migration, or through a transport that does not know the caller's directory).
ALTER TABLE claims ADD COLUMN worktree TEXT CHECK (worktree IS NULL OR length(worktree) BETWEEN 1 AND 4096);
ALTER TABLE claims ADD COLUMN branch TEXT CHECK (branch IS NULL OR length(branch) BETWEEN 1 AND 1024);
ALTER TABLE claims ADD COLUMN host TEXT CHECK (host IS NULL OR length(host) BETWEEN 1 AND 255);
