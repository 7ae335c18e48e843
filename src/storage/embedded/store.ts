// The embedded default store: records in SQLite (records.db), bytes in files under the data dir.
//   lock, lock.pid                        one process per data dir (lock.ts)
//   records.db                            repositories, images, tags, layers, uploads (sql/schema.ts)
//   uploads/<registry>/<uploadId>         an upload's committed bytes (after a crash, perhaps a torn tail)
//   blobs/<registry>/sha256/<hex>         content-addressed layers, shared by the registry's repositories
// Order of effects: bytes are written and flushed, and a new file's directory flushed, before the record that
// commits them. A completion is recorded before its staging file is renamed into place, so a restart finishes it;
// files whose records are gone are listed in the same commit and removed after it (or at the next start). Start-up
// reads only those two short lists: it costs the same with a million layers as with none.
import { createHash, randomBytes, type Hash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { chmod, readdir, rename, rm, stat, type FileHandle } from "node:fs/promises";
import { Transform } from "node:stream";
import { dirname, join, resolve } from "node:path";
import type { Database, Statement } from "better-sqlite3";
import { SQL } from "../sql/queries";
import type {
  BlobReader,
  CreateRepositoryResult,
  CreationTemplateRecord,
  CreateUploadResult,
  DeleteImageResult,
  ImageRecord,
  ImageScanRecord,
  ImageSummary,
  LayerRecord,
  LifecyclePolicyRecord,
  PutImageResult,
  Quotas,
  RegistryStore,
  RepositoryRecord,
  ResourceTag,
  ImageReplicationRecord,
  PullThroughCacheRuleRecord,
  ReplicationDestination,
  ScanKey,
  ScanOutcome,
  StatusFilter,
  StorageClass,
  TagStatus,
  UploadRecord,
} from "../types";
import { openDatabase, StorageDamagedError } from "./database";
import { nodeIO, type StoreIO } from "./io";
import { importLegacyJournal } from "./legacy-journal";
import { lockDataDir, type DataDirLock } from "./lock";

export interface EmbeddedStoreOptions {
  dataDir: string;
  /** fsync data and records before acknowledging (default true). */
  fsync?: boolean;
  log?: (msg: string, fields?: object) => void;
  /** The file and commit steps; a test records or breaks them here. */
  io?: StoreIO;
}

const SAFE_ID = /^[0-9A-Za-z-]+$/;
const SHA256 = /^sha256:([0-9a-f]{64})$/;
/** Bytes of a part written between background flushes. */
const FLUSH_EVERY = 8 * 1024 * 1024;
const DATABASE = "records.db";
const SIGNING_KEY = "download-url-signing-key";

/** A serial queue for the changes that take several steps (commit, file moves, commit). */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

type Row = Record<string, any>;

export class EmbeddedStore implements RegistryStore {
  private readonly lock = new Mutex();
  private readonly fsync: boolean;
  private readonly io: StoreIO;
  private readonly log: (msg: string, fields?: object) => void;
  private readonly statements = new Map<string, Statement>();
  /** Directories known to exist (one per registry and kind): bounded by the registries, not the data. */
  private readonly dirs = new Set<string>();
  private key?: Buffer;

  private constructor(
    readonly dataDir: string,
    private readonly db: Database,
    private readonly dirLock: DataDirLock,
    opts: EmbeddedStoreOptions,
  ) {
    this.fsync = opts.fsync ?? true;
    this.io = opts.io ?? nodeIO;
    this.log = opts.log ?? (() => undefined);
  }

  /**
   * Opens (or creates) the store in `dataDir`: takes the data dir's lock before reading anything, imports a data dir
   * of the journal format once, and finishes what a crash cut short.
   */
  static async open(opts: EmbeddedStoreOptions): Promise<EmbeddedStore> {
    const dataDir = resolve(opts.dataDir);
    const io = opts.io ?? nodeIO;
    const fsync = opts.fsync ?? true;
    const log = opts.log ?? (() => undefined);
    const created = await io.mkdirs(dataDir);
    if (fsync) for (const d of created) await io.syncDir(dirname(d));
    // An existing dir becomes owner-only only when it is (or is becoming) ours: never someone's /tmp.
    const ours = ["lock", DATABASE, "meta", "blobs", "uploads"].some((f) => existsSync(join(dataDir, f)));
    if (!created.length && (ours || (await readdir(dataDir)).length === 0)) await chmod(dataDir, 0o700);
    const dirLock = lockDataDir(dataDir);
    let db: Database | undefined;
    try {
      await importLegacyJournal(dataDir, DATABASE, { fsync, log });
      db = await openRecords(dataDir, fsync);
      const store = new EmbeddedStore(dataDir, db, dirLock, opts);
      await store.recover();
      return store;
    } catch (e) {
      db?.close();
      dirLock.release();
      throw e;
    }
  }

  // --- records ---

  private sql(name: keyof typeof SQL): Statement {
    let s = this.statements.get(name);
    if (!s) this.statements.set(name, (s = this.db.prepare(SQL[name])));
    return s;
  }

  /** Runs `change` in one transaction; a `Rollback` thrown inside undoes it and answers its value instead. */
  private commit<T>(change: () => T, ...rollbackValues: T[]): T {
    if (!rollbackValues.length) return this.io.commit(this.db, change);
    try {
      return this.io.commit(this.db, change);
    } catch (e) {
      if (e instanceof Rollback && rollbackValues.includes(e.value as T)) return e.value as T;
      throw e;
    }
  }

  // --- paths: only from server-made ids and computed digests, checked again here ---

  private uploadPath(registryId: string, id: string): string {
    if (!SAFE_ID.test(registryId) || !SAFE_ID.test(id)) throw new Error(`unsafe upload key ${registryId}/${id}`);
    return join("uploads", registryId, id);
  }

  private blobPath(registryId: string, digest: string): string {
    const m = SHA256.exec(digest);
    if (!SAFE_ID.test(registryId) || !m) throw new Error(`unsafe blob key ${registryId}/${digest}`);
    return join("blobs", registryId, "sha256", m[1]);
  }

  private abs(relative: string): string {
    return join(this.dataDir, relative);
  }

  /** Creates a file's directory if needed, each new directory made durable in its parent. */
  private async ensureDir(dir: string): Promise<void> {
    if (this.dirs.has(dir)) return;
    const created = await this.io.mkdirs(dir);
    if (this.fsync) for (const d of created) await this.io.syncDir(dirname(d));
    this.dirs.add(dir);
  }

  // --- start-up and reclaiming ---

  private async recover(): Promise<void> {
    await this.resumeCompletions();
    await this.reclaim();
  }

  /** Finishes completions a crash or a failed disk step cut short; one that fails again stays for the next try. */
  private async resumeCompletions(): Promise<void> {
    for (const c of this.sql("listCompletions").all() as Row[]) {
      await this.finishCompletion(c.registry_id, c.upload_id, c.repository_name, { digest: c.layer_digest, size: Number(c.layer_size) }).catch((e) =>
        this.log("an interrupted completion could not be finished yet; will retry", { registryId: c.registry_id, uploadId: c.upload_id, error: (e as Error).message }),
      );
    }
  }

  /**
   * Removes the files whose records are gone, then forgets them. It runs after the commit that freed them, so it never
   * fails the change: a file that cannot be removed now is logged and stays listed for the next sweep or start.
   */
  private async reclaim(): Promise<void> {
    for (let after = ""; ; ) {
      const paths = this.sql("listReclaimable").pluck().all(after, 500) as string[];
      if (!paths.length) return;
      after = paths[paths.length - 1];
      const removed: string[] = [];
      const dirs = new Set<string>();
      for (const path of paths) {
        try {
          await this.io.unlink(this.abs(path)).catch((e: NodeJS.ErrnoException) => {
            if (e.code !== "ENOENT") throw e;
          });
          removed.push(path);
          dirs.add(dirname(this.abs(path)));
        } catch (e) {
          this.log("a freed file could not be removed; will retry", { path, error: (e as Error).message });
        }
      }
      try {
        if (this.fsync) for (const d of dirs) if (existsSync(d)) await this.io.syncDir(d);
        this.commit(() => {
          for (const path of removed) this.sql("deleteReclaimable").run(path);
        });
      } catch (e) {
        this.log("freed files could not be forgotten; will retry", { error: (e as Error).message });
      }
    }
  }

  // --- repositories ---

  async getRepository(registryId: string, name: string): Promise<RepositoryRecord | undefined> {
    const row = this.sql("getRepository").get(registryId, name) as Row | undefined;
    return row && toRepository(row);
  }

  async listRepositories(registryId: string, page: { after?: string; limit: number }): Promise<RepositoryRecord[]> {
    return (this.sql("listRepositories").all(registryId, page.after ?? "", page.limit) as Row[]).map(toRepository);
  }

  async createRepository(
    registryId: string,
    r: RepositoryRecord,
    tags: ResourceTag[],
    quotas: Quotas,
    policies: { repositoryPolicy?: string; lifecyclePolicy?: string } = {},
  ): Promise<CreateRepositoryResult> {
    return this.commit(() => {
      if (this.sql("getRepository").get(registryId, r.name)) return "exists";
      if ((this.sql("countRepositories").get(registryId) as Row).n >= quotas.maxRepositoriesPerRegistry) return "limit";
      const filters = r.imageTagMutabilityExclusionFilters ? JSON.stringify(r.imageTagMutabilityExclusionFilters) : null;
      this.sql("insertRepository").run(registryId, r.name, r.createdAt, r.imageTagMutability, filters, r.scanOnPush ? 1 : 0, r.encryptionType, r.kmsKey ?? null);
      for (const t of tags) this.sql("insertRepositoryTag").run(registryId, r.name, t.Key, t.Value);
      if (policies.repositoryPolicy !== undefined) this.sql("putRepositoryPolicy").run(registryId, r.name, policies.repositoryPolicy);
      if (policies.lifecyclePolicy !== undefined) this.sql("putLifecyclePolicy").run(registryId, r.name, policies.lifecyclePolicy);
      return "created";
    });
  }

  async getRepositoryTags(registryId: string, name: string): Promise<ResourceTag[]> {
    return (this.sql("listRepositoryTags").all(registryId, name) as Row[]).map((t) => ({ Key: t.tag_key, Value: t.tag_value }));
  }

  async putRepositoryTags(registryId: string, name: string, tags: ResourceTag[], max: number): Promise<"stored" | "no-repository" | "limit"> {
    return this.commit(() => {
      if (!this.sql("getRepository").get(registryId, name)) return "no-repository";
      for (const t of tags) this.sql("upsertRepositoryTag").run(registryId, name, t.Key, t.Value);
      // Counted after the change, in its transaction: replaced keys do not count twice, and a refusal rolls back.
      if ((this.sql("countRepositoryTags").get(registryId, name) as Row).n > max) throw new Rollback("limit");
      return "stored";
    }, "limit");
  }

  async deleteRepositoryTags(registryId: string, name: string, keys: string[]): Promise<boolean> {
    return this.commit(() => {
      if (!this.sql("getRepository").get(registryId, name)) return false;
      for (const k of keys) this.sql("deleteRepositoryTag").run(registryId, name, k);
      return true;
    });
  }

  async updateRepository(
    registryId: string,
    name: string,
    r: Pick<RepositoryRecord, "imageTagMutability" | "imageTagMutabilityExclusionFilters" | "scanOnPush">,
  ): Promise<boolean> {
    const filters = r.imageTagMutabilityExclusionFilters ? JSON.stringify(r.imageTagMutabilityExclusionFilters) : null;
    return this.commit(() => this.sql("updateRepositorySettings").run(r.imageTagMutability, filters, r.scanOnPush ? 1 : 0, registryId, name).changes === 1);
  }

  deleteRepository(registryId: string, name: string): Promise<RepositoryRecord | undefined> {
    return this.lock.run(async () => {
      const record = await this.getRepository(registryId, name);
      if (!record) return undefined;
      this.commit(() => {
        for (const id of this.sql("listRepositoryUploads").pluck().all(registryId, name) as string[]) {
          this.sql("insertReclaimable").run(this.uploadPath(registryId, id));
        }
        const onlyHere = this.sql("listLayersOnlyIn").pluck().all(registryId, name) as string[];
        this.sql("deleteRepository").run(registryId, name);
        for (const digest of onlyHere) {
          this.sql("deleteBlob").run(registryId, digest);
          this.sql("insertReclaimable").run(this.blobPath(registryId, digest));
        }
      });
      await this.reclaim();
      return record;
    });
  }

  // --- uploads ---

  async createUpload(registryId: string, u: UploadRecord, quotas: Quotas): Promise<CreateUploadResult> {
    // The staging file is made by the first part: an upload that never gets one costs no file.
    return this.commit(() => {
      if (!this.sql("getRepository").get(registryId, u.repository)) return "no-repository";
      if ((this.sql("countUploads").get(registryId, u.repository) as Row).n >= quotas.maxUploadsPerRepository) return "limit";
      this.sql("insertUpload").run(registryId, u.id, u.repository, u.createdAt, u.touchedAt, u.length, u.parts, u.lastPart?.first ?? null, u.lastPart?.last ?? null, u.smallestEarlierPart ?? null);
      return "created";
    });
  }

  async getUpload(registryId: string, id: string): Promise<UploadRecord | undefined> {
    const row = this.sql("getUpload").get(registryId, id) as Row | undefined;
    return row && toUpload(row);
  }

  /** Whether the upload exists and is not being completed (its parts may be written). */
  private isOpen(registryId: string, id: string): boolean {
    return this.sql("getUpload").get(registryId, id) !== undefined && this.sql("getCompletion").get(registryId, id) === undefined;
  }

  async writePart(registryId: string, id: string, bytes: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<number | undefined> {
    const upload = await this.getUpload(registryId, id);
    if (!upload || this.sql("getCompletion").get(registryId, id) !== undefined) return undefined;
    const path = this.abs(this.uploadPath(registryId, id));
    const first = upload.length === 0;
    let fh: FileHandle;
    if (first) {
      await this.ensureDir(dirname(path));
      fh = await this.io.open(path, "w");
      // Gone meanwhile (expired, its repository deleted): the file it freed may already be removed, so this one goes.
      if (!this.isOpen(registryId, id)) {
        await fh.close();
        await this.io.unlink(path).catch(() => undefined);
        return undefined;
      }
    } else {
      try {
        fh = await this.io.open(path, "r+");
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
        if (!this.isOpen(registryId, id)) return undefined;
        throw new StorageDamagedError(`the committed bytes of upload ${registryId}/${id} are missing (${path})`);
      }
    }
    let written = 0;
    // With fsync on, the part is flushed while it is still arriving, so that acknowledging it waits only for the tail.
    let flushing: Promise<void> | undefined;
    let flushFailed: unknown;
    let unflushed = 0;
    try {
      if (!first) {
        const { size } = await fh.stat();
        if (size < upload.length) throw new StorageDamagedError(`upload ${registryId}/${id} has ${size} bytes on disk but ${upload.length} committed`);
        // A tail a crash left behind (a part cut off mid-way) goes before the new part is written.
        if (size > upload.length) await fh.truncate(upload.length);
      }
      for await (const chunk of bytes) {
        let done = 0;
        while (done < chunk.byteLength) {
          const { bytesWritten } = await this.io.write(fh, chunk, done, chunk.byteLength - done, upload.length + written + done);
          done += bytesWritten;
        }
        written += done;
        unflushed += done;
        if (this.fsync && unflushed >= FLUSH_EVERY && !flushing) {
          unflushed = 0;
          // Its failure is kept and thrown below: a writeback error is reported once, so it must not be lost.
          flushing = this.io.syncData(fh).then(
            () => void (flushing = undefined),
            (e) => void ((flushFailed ??= e), (flushing = undefined)),
          );
        }
        if (flushFailed) throw flushFailed;
      }
      await flushing;
      if (flushFailed) throw flushFailed;
      if (this.fsync) {
        await this.io.syncData(fh);
        if (first) await this.io.syncDir(dirname(path));
      }
      return written;
    } finally {
      await flushing?.catch(() => undefined);
      await fh.close();
    }
  }

  async commitPart(registryId: string, id: string, u: UploadRecord): Promise<boolean> {
    return this.commit(
      () =>
        this.sql("updateUpload").run(u.touchedAt, u.length, u.parts, u.lastPart?.first ?? null, u.lastPart?.last ?? null, u.smallestEarlierPart ?? null, registryId, id)
          .changes === 1,
    );
  }

  async abortPart(registryId: string, id: string): Promise<void> {
    const upload = await this.getUpload(registryId, id);
    const path = this.abs(this.uploadPath(registryId, id));
    const ignoreMissing = (e: NodeJS.ErrnoException) => {
      if (e.code !== "ENOENT") throw e;
    };
    // The upload went while the part was written (expired, its repository deleted): its file goes too.
    if (!upload) return this.io.unlink(path).catch(ignoreMissing);
    // Only ever shortened: a file shorter than its committed bytes is damage to report, not to pad with zeros.
    const size = await stat(path).then((st) => st.size, () => 0);
    if (size > upload.length) await this.io.truncate(path, upload.length).catch(ignoreMissing);
  }

  async readUpload(registryId: string, id: string, start: number, end: number): Promise<Buffer> {
    const fh = await this.io.open(this.abs(this.uploadPath(registryId, id)), "r");
    try {
      const buf = Buffer.alloc(end - start);
      let read = 0;
      while (read < buf.byteLength) {
        const { bytesRead } = await fh.read(buf, read, buf.byteLength - read, start + read);
        if (bytesRead === 0) break;
        read += bytesRead;
      }
      return buf.subarray(0, read);
    } finally {
      await fh.close();
    }
  }

  async hashUpload(registryId: string, id: string, length: number): Promise<Hash> {
    const hash = createHash("sha256");
    if (length === 0) return hash;
    for await (const chunk of createReadStream(this.abs(this.uploadPath(registryId, id)), { start: 0, end: length - 1, highWaterMark: 1 << 20 })) {
      hash.update(chunk as Buffer);
    }
    return hash;
  }

  completeUpload(registryId: string, id: string, layer: LayerRecord): Promise<boolean> {
    return this.lock.run(async () => {
      const upload = await this.getUpload(registryId, id);
      if (!upload) return false;
      const pending = this.sql("getCompletion").get(registryId, id) as Row | undefined;
      if (pending) {
        // An earlier try was cut short after recording its intent: finish that one (its bytes cannot have changed).
        await this.finishCompletion(registryId, id, pending.repository_name, { digest: pending.layer_digest, size: Number(pending.layer_size) });
        return pending.layer_digest === layer.digest;
      }
      this.commit(() => {
        this.sql("insertCompletion").run(registryId, id, upload.repository, layer.digest, layer.size);
        // A blob file still waiting to be reclaimed has exactly these bytes (it is content-addressed): keep it.
        this.sql("deleteReclaimable").run(this.blobPath(registryId, layer.digest));
      });
      await this.finishCompletion(registryId, id, upload.repository, layer);
      return true;
    });
  }

  /** Moves a recorded completion's bytes into place and records the layer (also at start-up, after a crash). */
  private async finishCompletion(registryId: string, id: string, repository: string, layer: LayerRecord): Promise<void> {
    const staging = this.abs(this.uploadPath(registryId, id));
    const blob = this.abs(this.blobPath(registryId, layer.digest));
    let lost = false;
    if (existsSync(blob)) {
      await this.io.unlink(staging).catch(() => undefined);
      if (this.fsync) await this.io.syncDir(dirname(staging));
    } else if (!existsSync(staging)) {
      lost = true;
      this.log("a completed layer's bytes are missing: the layer is not stored", { registryId, uploadId: id, digest: layer.digest });
    } else {
      if ((await stat(staging)).size > layer.size) {
        // A torn tail from a crash mid-part: cut, and made durable, before the bytes become the layer.
        const fh = await this.io.open(staging, "r+");
        try {
          await fh.truncate(layer.size);
          if (this.fsync) await this.io.syncData(fh);
        } finally {
          await fh.close();
        }
      }
      await this.ensureDir(dirname(blob));
      await this.io.rename(staging, blob);
      if (this.fsync) {
        await this.io.syncDir(dirname(blob));
        await this.io.syncDir(dirname(staging));
      }
    }
    this.commit(() => {
      if (!lost && this.sql("getRepository").get(registryId, repository)) {
        this.sql("insertBlob").run(registryId, layer.digest, layer.size);
        this.sql("insertLayer").run(registryId, repository, layer.digest);
      } else if (!lost && !this.sql("getBlob").get(registryId, layer.digest)) {
        this.sql("insertReclaimable").run(this.blobPath(registryId, layer.digest));
      }
      this.sql("deleteUpload").run(registryId, id);
      this.sql("deleteCompletion").run(registryId, id);
    });
    await this.reclaim();
  }

  cancelUpload(registryId: string, id: string): Promise<boolean> {
    return this.lock.run(async () => {
      // An upload being completed is no longer the client's to cancel.
      if (!this.isOpen(registryId, id)) return false;
      this.commit(() => {
        this.sql("deleteUpload").run(registryId, id);
        this.sql("insertReclaimable").run(this.uploadPath(registryId, id));
      });
      await this.reclaim();
      return true;
    });
  }

  expireUploads(cutoff: number): Promise<number> {
    return this.lock.run(async () => {
      // The sweep also retries what failed before: completions cut short and files not yet removed.
      await this.resumeCompletions();
      await this.reclaim();
      let n = 0;
      for (;;) {
        const idle = this.sql("listIdleUploads").all(cutoff, 500) as Row[];
        if (!idle.length) break;
        this.commit(() => {
          for (const u of idle) {
            this.sql("deleteUpload").run(u.registry_id, u.upload_id);
            this.sql("insertReclaimable").run(this.uploadPath(u.registry_id, u.upload_id));
          }
        });
        n += idle.length;
        await this.reclaim();
      }
      return n;
    });
  }

  // --- layers ---

  async getLayer(registryId: string, repository: string, digest: string): Promise<LayerRecord | undefined> {
    const row = this.sql("getLayer").get(registryId, repository, digest) as Row | undefined;
    return row && { digest, size: Number(row.size), mediaType: row.media_type ?? undefined };
  }

  async addLayer(registryId: string, repository: string, digest: string): Promise<boolean> {
    // A blob row exists exactly while its file is kept: the row and the file's reclaim go in one transaction.
    return this.commit(() => {
      if (!this.sql("getBlob").get(registryId, digest) || !this.sql("getRepository").get(registryId, repository)) return false;
      this.sql("insertLayer").run(registryId, repository, digest);
      return true;
    });
  }

  async openBlob(registryId: string, digest: string): Promise<BlobReader | undefined> {
    const row = this.sql("getBlob").get(registryId, digest) as Row | undefined;
    if (!row) return undefined;
    const size = Number(row.size);
    const path = this.abs(this.blobPath(registryId, digest));
    const onDisk = await stat(path).catch((e: NodeJS.ErrnoException) => {
      throw e.code === "ENOENT" ? new StorageDamagedError(`the bytes of layer ${registryId}/${digest} are missing (${path})`) : e;
    });
    if (onDisk.size !== size) throw new StorageDamagedError(`layer ${registryId}/${digest} has ${onDisk.size} bytes on disk but ${size} recorded (${path})`);
    return {
      size,
      stream: (start, end) => {
        const bytes = createReadStream(path, { start, end, highWaterMark: 1 << 20 });
        // A whole read is checked against the digest as it goes; altered bytes end it with an error before its last chunk.
        if (start !== 0 || end !== size - 1) return bytes;
        // pipe() would not pass on a read error (the file deleted meanwhile): it would be an unhandled 'error' event.
        const checked = verifying(digest, path);
        bytes.on("error", (e) => checked.destroy(e));
        return bytes.pipe(checked);
      },
    };
  }

  // --- images ---

  async putImage(
    registryId: string,
    repository: string,
    image: ImageRecord,
    tag: string | undefined,
    mediaTypes: Record<string, string>,
    quotas: Quotas,
  ): Promise<PutImageResult> {
    return this.commit(() => {
      if (!this.sql("getRepository").get(registryId, repository)) return "no-repository";
      if (!this.sql("getImage").get(registryId, repository, image.digest)) {
        if ((this.sql("countImages").get(registryId, repository) as Row).n >= quotas.maxImagesPerRepository) return "limit";
        this.sql("insertImage").run(registryId, repository, image.digest, image.manifest, image.mediaType, image.pushedAt,
          image.sizeInBytes ?? null, image.artifactMediaType ?? null, image.subjectDigest ?? null);
        for (const d of image.references) this.sql("insertImageReference").run(registryId, repository, image.digest, d);
        for (const p of new Set(image.signingProfiles ?? [])) this.sql("insertImageSigningProfile").run(registryId, repository, image.digest, p);
        if (image.signedBy !== undefined) this.sql("setSignedBy").run(image.signedBy, registryId, repository, image.digest);
      }
      if (tag !== undefined) this.sql("putTag").run(registryId, repository, tag, image.digest);
      for (const [digest, mediaType] of Object.entries(mediaTypes)) this.sql("setLayerMediaType").run(mediaType, registryId, repository, digest);
      return "stored";
    });
  }

  async getImage(registryId: string, repository: string, digest: string): Promise<ImageRecord | undefined> {
    const row = this.sql("getImage").get(registryId, repository, digest) as Row | undefined;
    if (!row) return undefined;
    return {
      ...toImageSummary(row),
      manifest: row.image_manifest,
      references: this.sql("listImageReferences").pluck().all(registryId, repository, digest) as string[],
    };
  }

  async listImages(registryId: string, repository: string, page: { after?: string; limit: number; tagStatus: TagStatus; status: StatusFilter }): Promise<ImageSummary[]> {
    const query = page.tagStatus === "TAGGED" ? "listTaggedImages" : page.tagStatus === "UNTAGGED" ? "listUntaggedImages" : "listImages";
    const [status, at] = page.status === "ANY" ? ["ANY", 0] : [page.status.status, page.status.at];
    return (this.sql(query).all(registryId, repository, page.after ?? "", status, status, at, page.limit) as Row[]).map(toImageSummary);
  }

  async setStorageClass(registryId: string, repository: string, digest: string, storageClass: StorageClass, at: number): Promise<boolean> {
    const query = storageClass === "ARCHIVE" ? "archiveImage" : "activateImage";
    return this.commit(() => {
      if (storageClass === "ARCHIVE") this.sql("deleteImageScan").run(registryId, repository, digest);
      return this.sql(query).run(at, registryId, repository, digest).changes > 0;
    });
  }

  async listReferrers(registryId: string, repository: string, subject: string, page: { after?: string; limit: number }): Promise<string[]> {
    return this.sql("listReferrers").pluck().all(registryId, repository, subject, page.after ?? "", page.limit) as string[];
  }

  async listTags(registryId: string, repository: string, page: { after?: string; limit: number }): Promise<string[]> {
    return this.sql("listTags").pluck().all(registryId, repository, page.after ?? "", page.limit) as string[];
  }

  async listImageTags(registryId: string, repository: string, digest: string): Promise<string[]> {
    return this.sql("listImageTags").pluck().all(registryId, repository, digest) as string[];
  }

  async recordPull(registryId: string, repository: string, digest: string, at: number, resolutionMs: number): Promise<void> {
    this.commit(() => this.sql("recordPull").run(at, registryId, repository, digest, at - resolutionMs));
  }

  async deleteTag(registryId: string, repository: string, tag: string): Promise<boolean> {
    return this.commit(() => this.sql("deleteTag").run(registryId, repository, tag).changes === 1);
  }

  deleteImage(registryId: string, repository: string, digest: string): Promise<DeleteImageResult> {
    // Under the store's lock: a blob freed here must not race a completion that is putting the same bytes in place.
    return this.lock.run(async () => {
      const result = this.commit((): DeleteImageResult => {
        if (!this.sql("getImage").get(registryId, repository, digest)) return { deleted: false, reason: "not-found" };
        const by = this.sql("referencingImage").pluck().get(registryId, repository, digest, digest) as string | undefined;
        if (by) return { deleted: false, reason: "referenced", by };
        const tags = this.sql("listImageTags").pluck().all(registryId, repository, digest) as string[];
        const references = this.sql("listImageReferences").pluck().all(registryId, repository, digest) as string[];
        this.sql("deleteImage").run(registryId, repository, digest);
        for (const d of references) {
          if (this.sql("deleteUnreferencedLayer").run(registryId, repository, d).changes === 0) continue;
          if (this.sql("isBlobUsed").get(registryId, d)) continue;
          this.sql("deleteBlob").run(registryId, d);
          this.sql("insertReclaimable").run(this.blobPath(registryId, d));
        }
        return { deleted: true, tags };
      });
      if (result.deleted) await this.reclaim();
      return result;
    });
  }

  async resolveTag(registryId: string, repository: string, tag: string): Promise<string | undefined> {
    return this.sql("resolveTag").pluck().get(registryId, repository, tag) as string | undefined;
  }

  async countImages(registryId: string, repository: string): Promise<number> {
    return (this.sql("countImages").get(registryId, repository) as Row).n;
  }

  async listReferencingImages(registryId: string, repository: string, digest: string): Promise<string[]> {
    return this.sql("listReferencingImages").pluck().all(registryId, repository, digest) as string[];
  }

  async isReferenced(registryId: string, repository: string, digest: string): Promise<boolean> {
    return this.sql("isReferenced").get(registryId, repository, digest) !== undefined;
  }

  // --- policies ---

  async getRepositoryPolicy(registryId: string, repository: string): Promise<string | undefined> {
    return this.sql("getRepositoryPolicy").pluck().get(registryId, repository) as string | undefined;
  }

  async putRepositoryPolicy(registryId: string, repository: string, text: string): Promise<boolean> {
    return this.commit(() => {
      if (!this.sql("getRepository").get(registryId, repository)) return false;
      this.sql("putRepositoryPolicy").run(registryId, repository, text);
      return true;
    });
  }

  async deleteRepositoryPolicy(registryId: string, repository: string): Promise<string | undefined> {
    return this.commit(() => {
      const text = this.sql("getRepositoryPolicy").pluck().get(registryId, repository) as string | undefined;
      if (text !== undefined) this.sql("deleteRepositoryPolicy").run(registryId, repository);
      return text;
    });
  }

  async getRegistryPolicy(registryId: string): Promise<string | undefined> {
    return this.sql("getRegistryPolicy").pluck().get(registryId) as string | undefined;
  }

  async putRegistryPolicy(registryId: string, text: string): Promise<void> {
    this.commit(() => this.sql("putRegistryPolicy").run(registryId, text));
  }

  async deleteRegistryPolicy(registryId: string): Promise<string | undefined> {
    return this.commit(() => {
      const text = this.sql("getRegistryPolicy").pluck().get(registryId) as string | undefined;
      if (text !== undefined) this.sql("deleteRegistryPolicy").run(registryId);
      return text;
    });
  }

  async getAccountSetting(registryId: string, name: string): Promise<string | undefined> {
    return this.sql("getAccountSetting").pluck().get(registryId, name) as string | undefined;
  }

  async putAccountSetting(registryId: string, name: string, value: string): Promise<void> {
    this.commit(() => this.sql("putAccountSetting").run(registryId, name, value));
  }

  async getPullTimeUpdateExclusion(registryId: string, principalArn: string): Promise<number | undefined> {
    const at = this.sql("getPullTimeUpdateExclusion").pluck().get(registryId, principalArn) as number | bigint | undefined;
    return at === undefined ? undefined : Number(at);
  }

  async addPullTimeUpdateExclusion(registryId: string, principalArn: string, at: number, max: number): Promise<"added" | "exists" | "limit"> {
    return this.commit(() => {
      if (this.sql("getPullTimeUpdateExclusion").pluck().get(registryId, principalArn) !== undefined) return "exists";
      if (Number((this.sql("countPullTimeUpdateExclusions").get(registryId) as Row).n) >= max) return "limit";
      this.sql("insertPullTimeUpdateExclusion").run(registryId, principalArn, at);
      return "added";
    });
  }

  async removePullTimeUpdateExclusion(registryId: string, principalArn: string): Promise<boolean> {
    return this.commit(() => this.sql("deletePullTimeUpdateExclusion").run(registryId, principalArn).changes > 0);
  }

  async listPullTimeUpdateExclusions(registryId: string, page: { after?: string; limit: number }): Promise<string[]> {
    return this.sql("listPullTimeUpdateExclusions").pluck().all(registryId, page.after ?? "", page.limit) as string[];
  }

  async getSigningConfiguration(registryId: string): Promise<string | undefined> {
    return this.sql("getSigningConfiguration").pluck().get(registryId) as string | undefined;
  }

  async listImageSigningProfiles(registryId: string, repository: string, digest: string): Promise<string[]> {
    return this.sql("listImageSigningProfiles").pluck().all(registryId, repository, digest) as string[];
  }

  async listSignedBy(registryId: string, repository: string, subject: string): Promise<string[]> {
    return this.sql("listSignedBy").pluck().all(registryId, repository, subject) as string[];
  }

  async putSigningConfiguration(registryId: string, rules: string): Promise<void> {
    // updated_at is bookkeeping for whoever reads the database; the service does not need it.
    this.commit(() => this.sql("putSigningConfiguration").run(registryId, rules, Date.now()));
  }

  async deleteSigningConfiguration(registryId: string): Promise<string | undefined> {
    return this.commit(() => {
      const rules = this.sql("getSigningConfiguration").pluck().get(registryId) as string | undefined;
      if (rules !== undefined) this.sql("deleteSigningConfiguration").run(registryId);
      return rules;
    });
  }

  async getLifecyclePolicy(registryId: string, repository: string): Promise<LifecyclePolicyRecord | undefined> {
    const row = this.sql("getLifecyclePolicy").get(registryId, repository) as Row | undefined;
    return row && toLifecyclePolicy(row);
  }

  async putLifecyclePolicy(registryId: string, repository: string, text: string): Promise<boolean> {
    return this.commit(() => {
      if (!this.sql("getRepository").get(registryId, repository)) return false;
      this.sql("putLifecyclePolicy").run(registryId, repository, text);
      return true;
    });
  }

  async deleteLifecyclePolicy(registryId: string, repository: string): Promise<LifecyclePolicyRecord | undefined> {
    return this.commit(() => {
      const row = this.sql("getLifecyclePolicy").get(registryId, repository) as Row | undefined;
      if (row) this.sql("deleteLifecyclePolicy").run(registryId, repository);
      return row && toLifecyclePolicy(row);
    });
  }

  async markLifecycleEvaluated(registryId: string, repository: string, text: string, at: number): Promise<void> {
    this.commit(() => this.sql("markLifecycleEvaluated").run(at, registryId, repository, text));
  }

  async listDueLifecyclePolicies(cutoff: number, page: { after?: { registryId: string; repository: string }; limit: number }): Promise<LifecyclePolicyRecord[]> {
    const { registryId = "", repository = "" } = page.after ?? {};
    return (this.sql("listDueLifecyclePolicies").all(registryId, repository, cutoff, page.limit) as Row[]).map(toLifecyclePolicy);
  }

  // --- the rest ---

  async getRegistryScanningConfiguration(registryId: string): Promise<{ scanType: string; rules: string } | undefined> {
    const row = this.sql("getRegistryScanningConfiguration").get(registryId) as Row | undefined;
    return row && { scanType: row.scan_type, rules: row.rules };
  }

  async putRegistryScanningConfiguration(registryId: string, scanType: string, rules: string): Promise<void> {
    this.commit(() => this.sql("putRegistryScanningConfiguration").run(registryId, scanType, rules));
  }

  async getImageScan(registryId: string, repository: string, digest: string): Promise<ImageScanRecord | undefined> {
    const row = this.sql("getImageScan").get(registryId, repository, digest) as Row | undefined;
    return row && toImageScan(row);
  }

  async startImageScan(
    registryId: string,
    repository: string,
    digest: string,
    scan: Pick<ImageScanRecord, "scanType" | "status" | "description" | "startedAt">,
    notBefore: number,
  ): Promise<"started" | "no-image" | "archived" | "too-soon"> {
    return this.commit(() => {
      const image = this.sql("getImage").get(registryId, repository, digest) as Row | undefined;
      if (!image) return "no-image";
      // Archived, or still being restored (the restore completes at last_activated_at).
      if (image.image_storage_class !== "STANDARD" || Number(image.last_activated_at ?? 0) > scan.startedAt) return "archived";
      const last = this.sql("getImageScan").get(registryId, repository, digest) as Row | undefined;
      if (last && last.scan_status !== "FAILED" && Number(last.started_at) > notBefore) return "too-soon";
      this.sql("deleteImageScan").run(registryId, repository, digest);
      this.sql("insertImageScan").run(registryId, repository, digest, scan.scanType, scan.status, scan.description ?? null, scan.startedAt);
      return "started";
    });
  }

  async finishImageScan(registryId: string, repository: string, digest: string, startedAt: number, outcome: ScanOutcome): Promise<boolean> {
    return this.commit(() => {
      const { status, description, completedAt, vulnerabilitySourceUpdatedAt, severityCounts, findings } = outcome;
      const changed = this.sql("finishImageScan").run(status, description ?? null, completedAt, vulnerabilitySourceUpdatedAt ?? null,
        severityCounts ? JSON.stringify(severityCounts) : null, registryId, repository, digest, startedAt).changes;
      if (!changed) return false;
      findings.forEach((f, i) => this.sql("insertImageScanFinding").run(registryId, repository, digest, i, f));
      return true;
    });
  }

  async listImageScanFindings(registryId: string, repository: string, digest: string, page: { after: number; limit: number }): Promise<{ index: number; finding: string }[]> {
    const rows = this.sql("listImageScanFindings").all(registryId, repository, digest, page.after, page.limit) as Row[];
    return rows.map((r) => ({ index: Number(r.finding_index), finding: r.finding }));
  }

  async listScansInProgress(page: { after?: ScanKey; limit: number }): Promise<(ScanKey & { startedAt: number })[]> {
    const { registryId = "", repository = "", digest = "" } = page.after ?? {};
    const rows = this.sql("listScansInProgress").all(registryId, repository, digest, page.limit) as Row[];
    return rows.map((r) => ({ registryId: r.registry_id, repository: r.repository_name, digest: r.image_digest, startedAt: Number(r.started_at) }));
  }

  async getCreationTemplate(registryId: string, prefix: string): Promise<CreationTemplateRecord | undefined> {
    const row = this.sql("getCreationTemplate").get(registryId, prefix) as Row | undefined;
    return row && toCreationTemplate(row);
  }

  async addCreationTemplate(registryId: string, t: CreationTemplateRecord, max: number): Promise<"added" | "exists" | "limit"> {
    return this.commit(() => {
      if (this.sql("getCreationTemplate").get(registryId, t.prefix)) return "exists";
      if ((this.sql("countCreationTemplates").get(registryId) as Row).n >= max) return "limit";
      this.sql("insertCreationTemplate").run(registryId, t.prefix, t.settings, t.createdAt, t.updatedAt);
      return "added";
    });
  }

  async updateCreationTemplate(registryId: string, prefix: string, settings: string, at: number): Promise<boolean> {
    return this.commit(() => this.sql("updateCreationTemplate").run(settings, at, registryId, prefix).changes > 0);
  }

  async deleteCreationTemplate(registryId: string, prefix: string): Promise<CreationTemplateRecord | undefined> {
    return this.commit(() => {
      const row = this.sql("getCreationTemplate").get(registryId, prefix) as Row | undefined;
      if (row) this.sql("deleteCreationTemplate").run(registryId, prefix);
      return row && toCreationTemplate(row);
    });
  }

  async listCreationTemplates(registryId: string, page: { after?: string; limit: number }): Promise<CreationTemplateRecord[]> {
    return (this.sql("listCreationTemplates").all(registryId, page.after ?? "", page.limit) as Row[]).map(toCreationTemplate);
  }

  async getPullThroughCacheRule(registryId: string, prefix: string): Promise<PullThroughCacheRuleRecord | undefined> {
    const row = this.sql("getPullThroughCacheRule").get(registryId, prefix) as Row | undefined;
    return row && toPullThroughCacheRule(row);
  }

  async addPullThroughCacheRule(registryId: string, r: PullThroughCacheRuleRecord, max: number): Promise<"added" | "exists" | "limit"> {
    return this.commit(() => {
      if (this.sql("getPullThroughCacheRule").get(registryId, r.prefix)) return "exists";
      if ((this.sql("countPullThroughCacheRules").get(registryId) as Row).n >= max) return "limit";
      this.sql("insertPullThroughCacheRule").run(registryId, r.prefix, r.upstreamRegistryUrl, r.upstreamRegistry ?? null, r.upstreamRepositoryPrefix ?? null,
        r.credentialArn ?? null, r.customRoleArn ?? null, r.createdAt, r.updatedAt);
      return "added";
    });
  }

  async updatePullThroughCacheRule(registryId: string, prefix: string, access: { credentialArn?: string; customRoleArn?: string }, at: number): Promise<boolean> {
    return this.commit(() => this.sql("updatePullThroughCacheRule").run(access.credentialArn ?? null, access.customRoleArn ?? null, at, registryId, prefix).changes > 0);
  }

  async deletePullThroughCacheRule(registryId: string, prefix: string): Promise<PullThroughCacheRuleRecord | undefined> {
    return this.commit(() => {
      const row = this.sql("getPullThroughCacheRule").get(registryId, prefix) as Row | undefined;
      if (row) this.sql("deletePullThroughCacheRule").run(registryId, prefix);
      return row && toPullThroughCacheRule(row);
    });
  }

  async listPullThroughCacheRules(registryId: string, page: { after?: string; limit: number }): Promise<PullThroughCacheRuleRecord[]> {
    return (this.sql("listPullThroughCacheRules").all(registryId, page.after ?? "", page.limit) as Row[]).map(toPullThroughCacheRule);
  }

  async getUpstreamTagCheck(registryId: string, repository: string, tag: string): Promise<number | undefined> {
    const at = this.sql("getUpstreamTagCheck").pluck().get(registryId, repository, tag) as number | bigint | undefined;
    return at === undefined ? undefined : Number(at);
  }

  async putUpstreamTagCheck(registryId: string, repository: string, tag: string, at: number): Promise<void> {
    await this.commit(() => this.sql("putUpstreamTagCheck").run(registryId, repository, tag, at));
  }

  async getReplicationConfiguration(registryId: string): Promise<string | undefined> {
    return this.sql("getReplicationConfiguration").pluck().get(registryId) as string | undefined;
  }

  async putReplicationConfiguration(registryId: string, rules: string): Promise<void> {
    await this.commit(() => this.sql("putReplicationConfiguration").run(registryId, rules));
  }

  async requestReplications(key: ScanKey, destinations: ReplicationDestination[]): Promise<boolean> {
    return this.commit(() => {
      if (!this.sql("getImage").get(key.registryId, key.repository, key.digest)) return false;
      for (const d of destinations) this.sql("requestReplication").run(key.registryId, key.repository, key.digest, d.region, d.registryId);
      return true;
    });
  }

  async finishReplication(r: ImageReplicationRecord, status: "COMPLETE" | "FAILED", failureCode?: string): Promise<boolean> {
    return this.commit(
      () =>
        this.sql("finishReplication").run(status, failureCode ?? null, r.registryId, r.repository, r.digest, r.destination.region, r.destination.registryId, r.attempt)
          .changes > 0,
    );
  }

  async listImageReplications(key: ScanKey): Promise<ImageReplicationRecord[]> {
    return (this.sql("listImageReplications").all(key.registryId, key.repository, key.digest) as Row[]).map(toImageReplication);
  }

  async listReplicationsInProgress(page: { after?: ImageReplicationRecord; limit: number }): Promise<ImageReplicationRecord[]> {
    const a = page.after;
    const after = a ? [a.registryId, a.repository, a.digest, a.destination.region, a.destination.registryId] : ["", "", "", "", ""];
    return (this.sql("listReplicationsInProgress").all(...after, page.limit) as Row[]).map(toImageReplication);
  }

  async signingKey(): Promise<Buffer> {
    if (this.key) return this.key;
    const stored = this.sql("getSecret").pluck().get(SIGNING_KEY) as string | undefined;
    if (stored) return (this.key = Buffer.from(stored, "base64"));
    const key = randomBytes(32);
    this.commit(() => this.sql("insertSecret").run(SIGNING_KEY, key.toString("base64")));
    return (this.key = key);
  }

  /** Runs a read-only query (for fsck, which pages through the records). */
  query(sql: string, ...params: unknown[]): Row[] {
    return this.db.prepare(sql).all(...params) as Row[];
  }

  close(): Promise<void> {
    return this.lock.run(async () => {
      if (!this.db.open) return;
      this.statements.clear();
      this.db.close();
      this.dirLock.release();
    });
  }
}

/**
 * Opens the records database. A new one is made under another name and renamed into place once its schema is in,
 * so a records.db that is missing or empty beside stored bytes can only be damage: that is refused, never taken for a
 * new, empty registry.
 */
async function openRecords(dataDir: string, fsync: boolean): Promise<Database> {
  const path = join(dataDir, DATABASE);
  const size = await stat(path).then((st) => st.size, () => undefined);
  if (size === undefined || size === 0) {
    const stored = ["blobs", "uploads"].filter((d) => existsSync(join(dataDir, d)));
    if (size === 0 || stored.length) {
      throw new StorageDamagedError(
        `the records database ${path} is ${size === 0 ? "empty" : "missing"} but the data dir holds ${stored.join(" and ") || "data"}; restore it from a backup`,
      );
    }
    const fresh = `${path}.new`;
    await rm(fresh, { force: true });
    openDatabase(fresh, { fsync }).close();
    await rename(fresh, path);
    if (fsync) await nodeIO.syncDir(dataDir);
  }
  return openDatabase(path, { fsync });
}

/** Passes bytes through, holding the last chunk back until their sha256 proved to be `digest`. */
function verifying(digest: string, path: string): Transform {
  const hash = createHash("sha256");
  let held: Buffer | undefined;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      if (held) this.push(held);
      held = chunk;
      done();
    },
    flush(done) {
      if (`sha256:${hash.digest("hex")}` !== digest) return done(new StorageDamagedError(`the bytes of layer ${digest} do not hash to its digest (${path})`));
      if (held) this.push(held);
      done();
    },
  });
}

function toRepository(row: Row): RepositoryRecord {
  return {
    name: row.repository_name,
    createdAt: Number(row.created_at),
    imageTagMutability: row.image_tag_mutability,
    ...(row.image_tag_mutability_exclusion_filters ? { imageTagMutabilityExclusionFilters: JSON.parse(row.image_tag_mutability_exclusion_filters) } : {}),
    scanOnPush: row.scan_on_push === 1,
    encryptionType: row.encryption_type,
    ...(row.kms_key ? { kmsKey: row.kms_key } : {}),
  };
}

function toImageSummary(row: Row): ImageSummary {
  return {
    digest: row.image_digest,
    mediaType: row.image_manifest_media_type,
    pushedAt: Number(row.image_pushed_at),
    ...(row.image_size_in_bytes === null ? {} : { sizeInBytes: Number(row.image_size_in_bytes) }),
    ...(row.artifact_media_type === null ? {} : { artifactMediaType: row.artifact_media_type }),
    ...(row.subject_digest === null ? {} : { subjectDigest: row.subject_digest }),
    ...(row.last_recorded_pull_time === null ? {} : { lastRecordedPullTime: Number(row.last_recorded_pull_time) }),
    storageClass: row.image_storage_class,
    ...(row.last_archived_at === null ? {} : { lastArchivedAt: Number(row.last_archived_at) }),
    ...(row.last_activated_at === null ? {} : { lastActivatedAt: Number(row.last_activated_at) }),
  };
}

function toPullThroughCacheRule(row: Row): PullThroughCacheRuleRecord {
  const optional = (key: string, column: string) => (row[column] === null ? {} : { [key]: row[column] as string });
  return {
    prefix: row.ecr_repository_prefix,
    upstreamRegistryUrl: row.upstream_registry_url,
    ...optional("upstreamRegistry", "upstream_registry"),
    ...optional("upstreamRepositoryPrefix", "upstream_repository_prefix"),
    ...optional("credentialArn", "credential_arn"),
    ...optional("customRoleArn", "custom_role_arn"),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function toImageReplication(row: Row): ImageReplicationRecord {
  return {
    registryId: row.registry_id,
    repository: row.repository_name,
    digest: row.image_digest,
    destination: { region: row.destination_region, registryId: row.destination_registry_id },
    status: row.status,
    ...(row.failure_code === null ? {} : { failureCode: row.failure_code }),
    attempt: Number(row.attempt),
  };
}

function toCreationTemplate(row: Row): CreationTemplateRecord {
  return { prefix: row.prefix, settings: row.settings, createdAt: Number(row.created_at), updatedAt: Number(row.updated_at) };
}

function toImageScan(row: Row): ImageScanRecord {
  return {
    scanType: row.scan_type,
    status: row.scan_status,
    ...(row.status_description === null ? {} : { description: row.status_description }),
    startedAt: Number(row.started_at),
    ...(row.completed_at === null ? {} : { completedAt: Number(row.completed_at) }),
    ...(row.vulnerability_source_updated_at === null ? {} : { vulnerabilitySourceUpdatedAt: Number(row.vulnerability_source_updated_at) }),
    ...(row.finding_severity_counts === null ? {} : { severityCounts: JSON.parse(row.finding_severity_counts) }),
  };
}

function toLifecyclePolicy(row: Row): LifecyclePolicyRecord {
  return {
    registryId: row.registry_id,
    repository: row.repository_name,
    text: row.lifecycle_policy_text,
    ...(row.last_evaluated_at === null ? {} : { lastEvaluatedAt: Number(row.last_evaluated_at) }),
  };
}

/** Thrown inside a transaction to undo it and answer `value` (a limit found only after the change). */
class Rollback {
  constructor(readonly value: unknown) {}
}

function toUpload(row: Row): UploadRecord {
  return {
    id: row.upload_id,
    repository: row.repository_name,
    createdAt: Number(row.created_at),
    touchedAt: Number(row.touched_at),
    length: Number(row.committed_bytes),
    parts: row.part_count,
    ...(row.last_part_first === null ? {} : { lastPart: { first: Number(row.last_part_first), last: Number(row.last_part_last) } }),
    ...(row.smallest_earlier_part === null ? {} : { smallestEarlierPart: Number(row.smallest_earlier_part) }),
  };
}
