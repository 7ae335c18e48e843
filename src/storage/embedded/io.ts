// Every step the embedded store takes to make something durable goes through here: file writes and flushes, directory
// flushes after a file is created, renamed or removed, and record commits. One seam, so that a test can record the
// order of those steps (and inject a failing disk) without patching node:fs.
import { mkdir, open, rename, truncate, unlink, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import type { Database } from "better-sqlite3";

export interface StoreIO {
  /** Opens a file; "w" creates it (owner-only) or empties it. */
  open(path: string, flags: "r" | "r+" | "w"): Promise<FileHandle>;
  /** Writes `length` bytes of `buffer` from `offset` at `position` of the file. */
  write(fh: FileHandle, buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  /** Flushes a file's data to the device. */
  syncData(fh: FileHandle): Promise<void>;
  /** Makes the entries created, renamed or removed in `dir` durable. */
  syncDir(dir: string): Promise<void>;
  /** Creates `dir` (owner-only) and its missing parents; returns the directories it created, outermost first. */
  mkdirs(dir: string): Promise<string[]>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  truncate(path: string, length: number): Promise<void>;
  /** Runs `change` as one transaction and commits it (as durably as the database is set to). */
  commit<T>(db: Database, change: () => T): T;
}

export const nodeIO: StoreIO = {
  open: (path, flags) => open(path, flags, 0o600),
  write: (fh, buffer, offset, length, position) => fh.write(buffer, offset, length, position),
  syncData: (fh) => fh.datasync(),
  async syncDir(dir) {
    const fh = await open(dir, "r");
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  },
  async mkdirs(dir) {
    const first = await mkdir(dir, { recursive: true, mode: 0o700 });
    if (first === undefined) return [];
    const created = [dir];
    for (let d = dir; d !== first; ) created.unshift((d = dirname(d)));
    return created;
  },
  rename,
  unlink,
  truncate,
  commit(db, change) {
    db.exec("BEGIN IMMEDIATE");
    try {
      const result = change();
      db.exec("COMMIT");
      return result;
    } catch (e) {
      if (db.inTransaction) db.exec("ROLLBACK");
      throw e;
    }
  },
};
