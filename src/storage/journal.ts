// A write-ahead journal: JSON records, one a line with a CRC32, appended and fsynced before a change is acknowledged,
// beside a snapshot that compaction rewrites atomically. A torn or corrupt tail (a crash mid-append) ends the replay.
import { closeSync, fsyncSync, openSync } from "node:fs";
import { mkdir, open, readFile, rename, type FileHandle } from "node:fs/promises";
import { dirname, join } from "node:path";
import { crc32 } from "node:zlib";

export interface JournalOptions {
  dir: string;
  /** fsync before acknowledging (durable across power loss); off only for fast test runs. */
  fsync: boolean;
}

export class Journal<Snapshot, Record> {
  private fh?: FileHandle;
  /** Bytes of the journal known to be whole; a failed append truncates back to it. */
  private size = 0;
  private records = 0;
  /** Set when a failed append could not be undone. */
  private broken?: Error;
  private readonly logPath: string;
  private readonly snapshotPath: string;

  constructor(private readonly opts: JournalOptions) {
    this.logPath = join(opts.dir, "journal.log");
    this.snapshotPath = join(opts.dir, "snapshot.json");
  }

  /** Reads the snapshot and the records after it. */
  async load(): Promise<{ snapshot?: Snapshot; records: Record[]; tornBytes: number }> {
    await mkdir(this.opts.dir, { recursive: true });
    const snapshot = await readFile(this.snapshotPath, "utf8").then(
      (text) => JSON.parse(text) as Snapshot,
      (e: NodeJS.ErrnoException) => {
        if (e.code === "ENOENT") return undefined;
        throw e;
      },
    );
    const log = await readFile(this.logPath).catch((e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") return Buffer.alloc(0);
      throw e;
    });
    const records: Record[] = [];
    let good = 0;
    while (good < log.byteLength) {
      const nl = log.indexOf(10, good);
      if (nl < 0) break;
      const line = log.subarray(good, nl);
      const space = line.indexOf(32);
      if (space !== 8 || parseInt(line.subarray(0, 8).toString(), 16) !== crc32(line.subarray(9))) break;
      records.push(JSON.parse(line.subarray(9).toString("utf8")) as Record);
      good = nl + 1;
    }
    this.fh = await open(this.logPath, "a+");
    if (good < log.byteLength) await this.fh.truncate(good);
    this.size = good;
    this.records = records.length;
    return { snapshot, records, tornBytes: log.byteLength - good };
  }

  /** Appends one record durably. */
  async append(record: Record): Promise<void> {
    const json = JSON.stringify(record);
    const line = `${crc32(json).toString(16).padStart(8, "0")} ${json}\n`;
    if (this.broken) throw this.broken;
    const fh = this.fh!;
    const bytes = Buffer.from(line);
    try {
      const { bytesWritten } = await fh.write(bytes);
      if (bytesWritten !== bytes.byteLength) throw new Error(`short write to the journal (${bytesWritten} of ${bytes.byteLength} bytes)`);
      if (this.opts.fsync) await fh.datasync();
    } catch (e) {
      // A torn record must not stay in front of later ones (replay would stop there); if it cannot be cut off,
      // the journal takes nothing more.
      await fh.truncate(this.size).catch((err: Error) => (this.broken = err));
      throw e;
    }
    this.size += bytes.byteLength;
    this.records++;
  }

  /** Records since the last compaction. */
  get length(): number {
    return this.records;
  }

  /** Replaces snapshot + journal with a new snapshot, atomically. */
  async compact(snapshot: Snapshot): Promise<void> {
    const tmp = `${this.snapshotPath}.tmp`;
    const fh = await open(tmp, "w");
    try {
      await fh.writeFile(JSON.stringify(snapshot));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, this.snapshotPath);
    syncDir(dirname(this.snapshotPath));
    await this.fh!.truncate(0);
    await this.fh!.sync();
    this.size = 0;
    this.records = 0;
  }

  async close(): Promise<void> {
    await this.fh?.close();
    this.fh = undefined;
  }
}

/** Makes a rename or unlink in `dir` durable. */
export function syncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
