// The embedded store's disk, with a switch that makes its next write fail as a full disk does: the store's and the
// handlers' real error paths run, nothing is faked above them.
import { nodeIO, type StoreIO } from "../storage/embedded/io";

const diskFull = () => Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC", errno: -28, syscall: "write" });
// What better-sqlite3 throws when a commit cannot grow the database.
const databaseFull = () => Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" });

export class DiskFaults {
  private armed = 0;
  readonly io: StoreIO;

  constructor(base: StoreIO = nodeIO) {
    this.io = {
      ...base,
      write: (fh, buffer, offset, length, position) => (this.take() ? Promise.reject(diskFull()) : base.write(fh, buffer, offset, length, position)),
      commit: (db, change) => {
        if (this.take()) throw databaseFull();
        return base.commit(db, change);
      },
    };
  }

  /** The next file write or record commit fails (then the disk works again). */
  failNextWrite(): void {
    this.armed++;
  }
  /** Takes back one write set to fail (its request made none). */
  disarm(): void {
    if (this.armed > 0) this.armed--;
  }
  /** Writes still set to fail. */
  get pending(): number {
    return this.armed;
  }
  reset(): void {
    this.armed = 0;
  }

  private take(): boolean {
    if (this.armed === 0) return false;
    this.armed--;
    return true;
  }
}
