// One process per data dir. The lock is SQLite's own exclusive file lock (POSIX fcntl) on `<data-dir>/lock`: the
// kernel drops it when the holder dies, however it dies, so a restart after SIGKILL never waits for a stale lock, and
// a second opener (another process, or the same one) is refused at once without writing anything.
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holderPid: number | undefined,
  ) {
    super(
      `the data dir ${dataDir} is in use by another ${holderPid ? `process (pid ${holderPid})` : "process"}; ` +
        "stop it first, or give this one another --data-dir",
    );
    this.name = "DataDirLockedError";
  }
}

export interface DataDirLock {
  release(): void;
}

export function lockDataDir(dataDir: string): DataDirLock {
  const path = join(dataDir, "lock");
  const pidPath = join(dataDir, "lock.pid");
  // Created owner-only before SQLite opens it (SQLite would create it world-readable). Only when missing: closing a
  // descriptor of a file this process has locked would drop the lock (POSIX fcntl locks belong to the process).
  if (!existsSync(path)) closeSync(openSync(path, "a", 0o600));
  const db = new Database(path, { timeout: 0 });
  try {
    db.pragma("locking_mode = EXCLUSIVE");
    db.pragma("journal_mode = MEMORY");
    db.exec("BEGIN EXCLUSIVE; COMMIT");
  } catch (e) {
    db.close();
    if ((e as { code?: string }).code !== "SQLITE_BUSY") throw e;
    let pid: number | undefined;
    try {
      pid = Number(readFileSync(pidPath, "utf8").trim()) || undefined;
    } catch {
      // No pid written yet: the holder is starting.
    }
    throw new DataDirLockedError(dataDir, pid);
  }
  writeFileSync(pidPath, `${process.pid}\n`, { mode: 0o600 });
  return { release: () => db.close() };
}
