// In-process state of upload sessions: one lock per upload (parts are applied one at a time) and the running sha256
// of the committed bytes, so that completing a layer never re-reads it (after a restart it is rebuilt once).
import type { Hash } from "node:crypto";
import type { RegistryStore } from "../storage/types";
import { KeyedLock } from "./keyed-lock";

interface RunningHash {
  hash: Hash;
  /** Bytes the hash has seen. */
  hashed: number;
}

export interface SessionHandle {
  /** The running hash of the first `length` committed bytes. */
  hashOf(length: number): Promise<Hash>;
  /** Sets the running hash, which has seen `hashed` bytes (after a part, or to roll one back). */
  replace(hash: Hash, hashed: number): void;
  /** Drops the hash once the upload is gone. */
  forget(): void;
}

export class UploadSessions {
  private readonly lock = new KeyedLock();
  private readonly hashes = new Map<string, RunningHash>();

  constructor(private readonly store: RegistryStore) {}

  /** Runs `fn` alone for this upload. */
  exclusive<T>(registryId: string, uploadId: string, fn: (session: SessionHandle) => Promise<T>): Promise<T> {
    const key = `${registryId}/${uploadId}`;
    const handle: SessionHandle = {
      hashOf: async (length) => {
        let running = this.hashes.get(key);
        if (!running || running.hashed !== length) {
          running = { hash: await this.store.hashUpload(registryId, uploadId, length), hashed: length };
          this.hashes.set(key, running);
        }
        return running.hash;
      },
      replace: (hash, hashed) => this.hashes.set(key, { hash, hashed }),
      forget: () => this.hashes.delete(key),
    };
    return this.lock.run(key, () => fn(handle));
  }

  /** Drops the running hashes of uploads that no longer exist (expired, or their repository deleted). */
  async prune(): Promise<void> {
    for (const key of [...this.hashes.keys()]) {
      const [registryId, uploadId] = key.split("/");
      if (!(await this.store.getUpload(registryId, uploadId))) this.hashes.delete(key);
    }
  }
}
