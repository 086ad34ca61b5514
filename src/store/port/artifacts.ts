import type { Artifact, BlobStorage, StoredBlob } from '../../domain/artifact.js';

export interface NewBlobRow {
  sha256: string;
  size: number;
  stored: BlobStorage;
  /** required for inline blobs, null for blobs whose bytes live in the data directory */
  bytes: Buffer | null;
}

export type NewArtifactRow = Omit<Artifact, 'createdAt'>;

export interface ArtifactRepo {
  /** Inserts the blob unless one with this sha256 exists; true when it was new (content addressing). */
  putBlob(blob: NewBlobRow, now: number): Promise<boolean>;
  /** The blob's metadata, and its bytes when stored inline. */
  getBlob(sha256: string): Promise<StoredBlob | null>;
  insert(row: NewArtifactRow, now: number): Promise<Artifact>;
  get(id: string): Promise<Artifact | null>;
  /** The run's artifacts, oldest first. */
  listByRun(runId: string): Promise<Artifact[]>;
  /** Distinct kinds attached to the run, sorted. */
  kindsOfRun(runId: string): Promise<string[]>;
  runIdOf(id: string): Promise<string | null>;
  /** Most recent first. */
  recent(limit: number): Promise<Artifact[]>;
  /** Ids starting with `prefix` (for resource completion), most recent first. */
  idsWithPrefix(prefix: string, limit: number): Promise<string[]>;
}
