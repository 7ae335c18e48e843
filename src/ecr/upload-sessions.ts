// In-process state of upload sessions: one lock per upload (parts are applied one at a time) and the running sha256
// of the committed bytes, so that completing a layer never re-reads it (after a restart it is rebuilt once).
import type { Hash } from "node:crypto";
import type { RegistryStore } from "../storage/types";

interface Session {
  tail: Promise<unknown>;
  hash?: Hash;
  /** Bytes the hash has seen. */
  hashed: number;
}

export class UploadSessions {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly store: RegistryStore) {}

  /** Runs `fn` alone for this upload. */
  exclusive<T>(registryId: string, uploadId: string, fn: (session: SessionHandle) => Promise<T>): Promise<T> {
    const key = `${registryId}/${uploadId}`;
    let s = this.sessions.get(key);
    if (!s) {
      s = { tail: Promise.resolve(), hashed: 0 };
      this.sessions.set(key, s);
    }
    const session = s;
    const handle: SessionHandle = {
      hashOf: async (length) => {
        if (!session.hash || session.hashed !== length) {
          session.hash = await this.store.hashUpload(registryId, uploadId, length);
          session.hashed = length;
        }
        return session.hash;
      },
      advance: (bytes) => {
        session.hash!.update(bytes);
        session.hashed += bytes.byteLength;
      },
      forget: () => {
        if (this.sessions.get(key) === session) this.sessions.delete(key);
      },
    };
    const result = session.tail.then(() => fn(handle));
    session.tail = result.catch(() => undefined);
    return result;
  }
}

export interface SessionHandle {
  /** The running hash of the first `length` committed bytes. */
  hashOf(length: number): Promise<Hash>;
  /** Feeds newly committed bytes to the running hash (after hashOf). */
  advance(bytes: Uint8Array): void;
  /** Drops the session once the upload is gone. */
  forget(): void;
}
