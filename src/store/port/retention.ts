import type { RawEventRow } from './events.js';

/** The last event that left the live log for the archive: deletion stops there (migration 012). */
export interface ArchiveMark {
  throughSeq: number;
  throughHash: string;
}

/** What deleting a batch of finished runs took with it. */
export interface RunsForgotten {
  runs: number;
  artifacts: number;
  handoffs: number;
  blockers: number;
  claims: number;
  signals: number;
  /** blobs no artifact refers to any more, removed from the database; file-stored ones leave files behind for the blob sweep */
  blobs: number;
}

/**
 * The deletions retention makes, each bounded by `limit` so that one transaction holds the write
 * lock for a few milliseconds at most (the sweep calls them in a loop of short transactions).
 */
export interface RetentionRepo {
  archiveMark(): Promise<ArchiveMark>;
  /** The stored events with `afterSeq < seq <= throughSeq`, in order (one archive block). */
  eventsBetween(afterSeq: number, throughSeq: number): Promise<RawEventRow[]>;
  /**
   * Moves the mark from `fromSeq` to `throughSeq`/`throughHash`. False when the mark was not at
   * `fromSeq` (another process archived that block first; nothing changed).
   */
  moveArchiveMark(fromSeq: number, throughSeq: number, throughHash: string, now: number): Promise<boolean>;
  /** Deletes up to `limit` of the oldest live events at or below the mark. */
  deleteArchivedEvents(limit: number): Promise<number>;
  /**
   * Runs finished before `before`, oldest first, at most `limit`, that no run still in the database
   * names as its parent and that no pending agentq completion waits on.
   */
  finishedRunsBefore(before: number, limit: number): Promise<string[]>;
  /** Deletes these finished runs with their evidence, handoffs, blockers, grants, claims, signals and agentq rows. */
  forgetRuns(runIds: string[]): Promise<RunsForgotten>;
  /** Acknowledged signals acknowledged before `before`. */
  forgetAckedSignals(before: number, limit: number): Promise<number>;
  /** Released or expired claims that ended before `before`. */
  forgetEndedClaims(before: number, limit: number): Promise<number>;
  /** Bearer tokens revoked before `before`. */
  forgetRevokedTokens(before: number, limit: number): Promise<number>;
  /** What a pass would find to do (cheap EXISTS probes on the retention indexes), so an idle pass only reads. */
  pending(runsBefore: number | null, signalsBefore: number | null): Promise<RetentionPending>;
  /** Whether a blob with this sha256 is still in the database (the blob-file sweep keeps those files). */
  blobKnown(sha256: string): Promise<boolean>;
}

export interface RetentionPending {
  /** archived events still in the live log */
  archivedEvents: boolean;
  runs: boolean;
  claims: boolean;
  tokens: boolean;
  signals: boolean;
}
