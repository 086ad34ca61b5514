import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { parseSegmentName, type ArchiveSegmentInfo, type ArchiveStore } from '../port/archive.js';

/**
 * Archive segments as files in `<dataDir>/archive/`. A segment is written to a temporary name,
 * fsynced, renamed into place and the directory fsynced before the events leave the database,
 * so a crash leaves at worst a segment whose events are still live too (verify reads them in both
 * places and checks they agree).
 */
export function fileArchive(dataDir: string): ArchiveStore {
  const dir = join(dataDir, 'archive');
  return {
    location: dir,
    async list() {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
      return names
        .map(parseSegmentName)
        .filter((s): s is ArchiveSegmentInfo => s !== null)
        .sort((a, b) => a.firstSeq - b.firstSeq || a.lastSeq - b.lastSeq);
    },
    async read(name) {
      if (!parseSegmentName(name)) return null;
      try {
        return await readFile(join(dir, name));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    async write(segment, body) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const temp = join(dir, `.${segment.name}.${process.pid}.tmp`);
      const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o600);
      try {
        await handle.writeFile(body);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, join(dir, segment.name));
      const dirHandle = await open(dir, constants.O_RDONLY);
      try {
        await dirHandle.sync();
      } finally {
        await dirHandle.close();
      }
    },
  };
}
