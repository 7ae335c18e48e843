// The records database: SQLite in WAL mode, foreign keys on, held exclusively by this process, brought to the
// current schema at start-up. With fsync on, a commit is on the device before it returns (synchronous=FULL);
// without, it survives a crash of the process but not of the machine (synchronous=NORMAL).
import { closeSync, existsSync, openSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { MIGRATIONS, MIGRATIONS_TABLE } from "../sql/schema";
import { SQL } from "../sql/queries";
import { DataDirLockedError } from "./lock";

export class StorageDamagedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StorageDamagedError";
  }
}

export function openDatabase(path: string, opts: { fsync: boolean; now?: () => number }): Database.Database {
  // Created owner-only before SQLite opens it: its WAL takes the same mode.
  if (!existsSync(path)) closeSync(openSync(path, "a", 0o600));
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { timeout: 0 });
    db.pragma("locking_mode = EXCLUSIVE");
    db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${opts.fsync ? "FULL" : "NORMAL"}`);
    db.pragma("foreign_keys = ON");
    // 16 MiB of pages (SQLite's default is 2): the upper levels of the big indexes stay cached. Bounded, whatever is stored.
    db.pragma("cache_size = -16384");
    migrate(db, opts.now ?? Date.now);
    return db;
  } catch (e) {
    db?.close();
    const code = (e as { code?: string }).code;
    if (code === "SQLITE_BUSY") throw new DataDirLockedError(dirname(path), undefined);
    if (code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT") {
      throw new StorageDamagedError(`the records database ${path} is damaged (${(e as Error).message}); restore it from a backup`, { cause: e });
    }
    throw e;
  }
}

function migrate(db: Database.Database, now: () => number): void {
  db.exec(MIGRATIONS_TABLE);
  const applied = new Set(db.prepare(SQL.appliedMigrations).pluck().all() as number[]);
  const newest = Math.max(0, ...MIGRATIONS.map((m) => m.version));
  const unknown = [...applied].filter((v) => v > newest);
  if (unknown.length) {
    throw new Error(`the records database was written by a newer version (schema ${Math.max(...unknown)}; this one knows up to ${newest})`);
  }
  for (const m of MIGRATIONS) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      for (const statement of m.statements) db.exec(statement);
      db.prepare(SQL.recordMigration).run(m.version, now());
    }).immediate();
  }
}
