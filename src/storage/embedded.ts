// The embedded default store: records in memory behind a write-ahead journal, bytes in files under the data dir.
//   meta/snapshot.json, meta/journal.log   records
//   uploads/<registry>/<uploadId>          an upload's committed bytes (and, after a crash, possibly a torn tail)
//   blobs/<registry>/sha256/<hex>          content-addressed layers, shared by the registry's repositories
//   meta/signing-key                       the secret that signs download URLs
// Order of effects: bytes are written and synced before the record that commits them; a completion is journaled
// before its staging file is renamed into place, and replay redoes any rename a crash cut short.
import { createHash, randomBytes, type Hash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { mkdir, open, readdir, readFile, rename, stat, truncate, unlink } from "node:fs/promises";
import { join } from "node:path";
import { Journal, syncDir } from "./journal";
import type { BlobReader, ImageRecord, LayerRecord, RegistryStore, RepositoryRecord, UploadRecord } from "./types";

export interface EmbeddedStoreOptions {
  dataDir: string;
  /** fsync data and records before acknowledging (default true). */
  fsync?: boolean;
  /** Compact the journal into the snapshot after this many records. */
  compactAfter?: number;
  log?: (msg: string, fields?: object) => void;
}

interface RepositoryState {
  record: RepositoryRecord;
  /** digest → media type (undefined: the default). */
  layers: Map<string, string | undefined>;
  images: Map<string, ImageRecord>;
  /** tag → image digest. */
  tags: Map<string, string>;
}
interface RegistryState {
  repositories: Map<string, RepositoryState>;
  uploads: Map<string, UploadRecord>;
  /** digest → size. */
  blobs: Map<string, number>;
}

type Mutation =
  | { t: "repo.put"; r: string; repo: RepositoryRecord }
  | { t: "repo.del"; r: string; name: string }
  | { t: "upload.put"; r: string; upload: UploadRecord }
  | { t: "upload.del"; r: string; id: string }
  | { t: "layer.put"; r: string; repo: string; layer: LayerRecord; upload: string }
  | { t: "image.put"; r: string; repo: string; image: ImageRecord; tag?: string; mediaTypes: Record<string, string> };

interface Snapshot {
  version: 1;
  registries: Record<
    string,
    {
      repositories: { record: RepositoryRecord; layers: [string, string | null][]; images: ImageRecord[]; tags: [string, string][] }[];
      uploads: UploadRecord[];
      blobs: [string, number][];
    }
  >;
}

/** A serial queue: record changes are checked, journaled and applied one at a time. */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

const SAFE_ID = /^[0-9A-Za-z-]+$/;
/** Bytes of a part written between background flushes. */
const FLUSH_EVERY = 8 * 1024 * 1024;
const SHA256 = /^sha256:([0-9a-f]{64})$/;

export class EmbeddedStore implements RegistryStore {
  private readonly registries = new Map<string, RegistryState>();
  private readonly journal: Journal<Snapshot, Mutation>;
  private readonly lock = new Mutex();
  private readonly fsync: boolean;
  private readonly log: (msg: string, fields?: object) => void;

  private constructor(private readonly opts: EmbeddedStoreOptions) {
    this.fsync = opts.fsync ?? true;
    this.journal = new Journal({ dir: join(opts.dataDir, "meta"), fsync: this.fsync });
    this.log = opts.log ?? (() => undefined);
  }

  /** Opens (or creates) a store, replays its journal and repairs what a crash left behind. */
  static async open(opts: EmbeddedStoreOptions): Promise<EmbeddedStore> {
    const store = new EmbeddedStore(opts);
    await store.recover();
    return store;
  }

  // --- paths: only from server-made ids and computed digests, checked again here ---

  private uploadPath(registryId: string, id: string): string {
    if (!SAFE_ID.test(registryId) || !SAFE_ID.test(id)) throw new Error(`unsafe upload key ${registryId}/${id}`);
    return join(this.opts.dataDir, "uploads", registryId, id);
  }

  private blobPath(registryId: string, digest: string): string {
    const m = SHA256.exec(digest);
    if (!SAFE_ID.test(registryId) || !m) throw new Error(`unsafe blob key ${registryId}/${digest}`);
    return join(this.opts.dataDir, "blobs", registryId, "sha256", m[1]);
  }

  // --- records ---

  private registry(registryId: string): RegistryState {
    let r = this.registries.get(registryId);
    if (!r) {
      r = { repositories: new Map(), uploads: new Map(), blobs: new Map() };
      this.registries.set(registryId, r);
    }
    return r;
  }

  /** Applies a journaled change to memory; returns the files it makes unnecessary. */
  private apply(m: Mutation): { uploads: string[]; blobs: string[] } {
    const reg = this.registry(m.r);
    const freed = { uploads: [] as string[], blobs: [] as string[] };
    switch (m.t) {
      case "repo.put":
        reg.repositories.set(m.repo.name, { record: m.repo, layers: new Map(), images: new Map(), tags: new Map() });
        break;
      case "repo.del": {
        const gone = reg.repositories.get(m.name);
        reg.repositories.delete(m.name);
        for (const [id, u] of reg.uploads) {
          if (u.repository === m.name) {
            reg.uploads.delete(id);
            freed.uploads.push(id);
          }
        }
        for (const digest of gone?.layers.keys() ?? []) {
          if (![...reg.repositories.values()].some((r) => r.layers.has(digest))) {
            reg.blobs.delete(digest);
            freed.blobs.push(digest);
          }
        }
        break;
      }
      case "upload.put":
        reg.uploads.set(m.upload.id, m.upload);
        break;
      case "upload.del":
        if (reg.uploads.delete(m.id)) freed.uploads.push(m.id);
        break;
      case "layer.put":
        reg.uploads.delete(m.upload);
        if (!reg.blobs.has(m.layer.digest)) reg.blobs.set(m.layer.digest, m.layer.size);
        reg.repositories.get(m.repo)?.layers.set(m.layer.digest, m.layer.mediaType);
        break;
      case "image.put": {
        const repo = reg.repositories.get(m.repo);
        if (!repo) break;
        if (!repo.images.has(m.image.digest)) repo.images.set(m.image.digest, m.image);
        if (m.tag !== undefined) repo.tags.set(m.tag, m.image.digest);
        for (const [digest, mediaType] of Object.entries(m.mediaTypes)) if (repo.layers.has(digest)) repo.layers.set(digest, mediaType);
        break;
      }
    }
    return freed;
  }

  /**
   * Under the lock: builds a change (none: nothing to do), journals it, does its file effect, applies it to memory and
   * frees what it released. The effect runs before any compaction, which would drop the record that lets a restart
   * redo it.
   */
  private mutate(build: () => Mutation | undefined, effect?: (m: Mutation) => Promise<void>): Promise<boolean> {
    return this.lock.run(async () => {
      const m = build();
      if (!m) return false;
      await this.journal.append(m);
      await effect?.(m);
      const freed = this.apply(m);
      await this.free(m.r, freed);
      if (this.journal.length >= (this.opts.compactAfter ?? 100_000)) await this.journal.compact(this.snapshot());
      return true;
    });
  }

  private async free(registryId: string, freed: { uploads: string[]; blobs: string[] }): Promise<void> {
    for (const id of freed.uploads) await unlink(this.uploadPath(registryId, id)).catch(() => undefined);
    for (const digest of freed.blobs) await unlink(this.blobPath(registryId, digest)).catch(() => undefined);
  }

  private snapshot(): Snapshot {
    const registries: Snapshot["registries"] = {};
    for (const [id, reg] of this.registries) {
      registries[id] = {
        repositories: [...reg.repositories.values()].map((r) => ({
          record: r.record,
          layers: [...r.layers].map(([d, t]) => [d, t ?? null]),
          images: [...r.images.values()],
          tags: [...r.tags],
        })),
        uploads: [...reg.uploads.values()],
        blobs: [...reg.blobs],
      };
    }
    return { version: 1, registries };
  }

  private async recover(): Promise<void> {
    const { snapshot, records, tornBytes } = await this.journal.load();
    if (tornBytes) this.log("journal had a torn tail from a crash; ignored", { tornBytes });
    for (const [id, r] of Object.entries(snapshot?.registries ?? {})) {
      const reg = this.registry(id);
      for (const { record, layers, images, tags } of r.repositories) {
        reg.repositories.set(record.name, {
          record,
          layers: new Map(layers.map(([d, t]) => [d, t ?? undefined])),
          images: new Map(images.map((i) => [i.digest, i])),
          tags: new Map(tags),
        });
      }
      for (const u of r.uploads) reg.uploads.set(u.id, u);
      for (const [d, size] of r.blobs) reg.blobs.set(d, size);
    }
    const completions: Extract<Mutation, { t: "layer.put" }>[] = [];
    for (const m of records) {
      this.apply(m);
      if (m.t === "layer.put") completions.push(m);
    }
    // Redo completions a crash cut short: the staging file becomes the blob, or goes when the blob is there.
    for (const c of completions) {
      const staging = this.uploadPath(c.r, c.upload);
      if (!existsSync(staging)) continue;
      const blob = this.blobPath(c.r, c.layer.digest);
      if (existsSync(blob)) await unlink(staging);
      else await this.promote(staging, blob);
    }
    await this.repairFiles();
    await this.journal.compact(this.snapshot());
  }

  /** Makes the files agree with the records: torn part tails cut, orphans removed, lost bytes un-claimed. */
  private async repairFiles(): Promise<void> {
    const registryDirs = new Set<string>([...this.registries.keys()]);
    for (const top of ["uploads", "blobs"]) {
      for (const d of await readdir(join(this.opts.dataDir, top)).catch(() => [] as string[])) registryDirs.add(d);
    }
    for (const registryId of registryDirs) {
      if (!SAFE_ID.test(registryId)) continue;
      const reg = this.registry(registryId);
      const uploadDir = join(this.opts.dataDir, "uploads", registryId);
      const onDisk = new Set(await readdir(uploadDir).catch(() => [] as string[]));
      for (const name of onDisk) {
        const u = reg.uploads.get(name);
        if (!u) {
          await unlink(join(uploadDir, name));
          continue;
        }
        const size = (await stat(join(uploadDir, name))).size;
        if (size > u.length) await truncate(join(uploadDir, name), u.length);
        if (size < u.length) {
          this.log("upload lost committed bytes (fsync was off?); dropping it", { registryId, uploadId: u.id, size, committed: u.length });
          await this.journal.append({ t: "upload.del", r: registryId, id: u.id });
          this.apply({ t: "upload.del", r: registryId, id: u.id });
          await unlink(join(uploadDir, name));
        }
      }
      for (const u of [...reg.uploads.values()]) {
        if (!onDisk.has(u.id)) {
          if (u.length > 0) this.log("upload's bytes are missing; dropping it", { registryId, uploadId: u.id });
          if (u.length === 0) {
            await this.createFile(this.uploadPath(registryId, u.id));
            continue;
          }
          await this.journal.append({ t: "upload.del", r: registryId, id: u.id });
          this.apply({ t: "upload.del", r: registryId, id: u.id });
        }
      }
      const blobDir = join(this.opts.dataDir, "blobs", registryId, "sha256");
      const blobFiles = new Set(await readdir(blobDir).catch(() => [] as string[]));
      for (const hex of blobFiles) if (!reg.blobs.has(`sha256:${hex}`)) await unlink(join(blobDir, hex));
      for (const digest of [...reg.blobs.keys()]) {
        if (!blobFiles.has(digest.slice(7))) {
          this.log("layer's bytes are missing; it is no longer available", { registryId, digest });
          reg.blobs.delete(digest);
          for (const r of reg.repositories.values()) r.layers.delete(digest);
        }
      }
    }
  }

  private async createFile(path: string): Promise<void> {
    await mkdir(join(path, ".."), { recursive: true });
    const fh = await open(path, "w");
    try {
      if (this.fsync) await fh.sync();
    } finally {
      await fh.close();
    }
    if (this.fsync) syncDir(join(path, ".."));
  }

  private async promote(staging: string, blob: string): Promise<void> {
    const dir = join(blob, "..");
    await mkdir(dir, { recursive: true });
    await rename(staging, blob);
    if (this.fsync) syncDir(dir);
  }

  // --- RegistryStore ---

  async getRepository(registryId: string, name: string) {
    return this.registries.get(registryId)?.repositories.get(name)?.record;
  }

  async listRepositories(registryId: string) {
    const repos = [...(this.registries.get(registryId)?.repositories.values() ?? [])].map((r) => r.record);
    return repos.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  createRepository(registryId: string, record: RepositoryRecord) {
    return this.mutate(() => (this.registry(registryId).repositories.has(record.name) ? undefined : { t: "repo.put", r: registryId, repo: record }));
  }

  async deleteRepository(registryId: string, name: string) {
    const record = await this.getRepository(registryId, name);
    const done = await this.mutate(() => (this.registry(registryId).repositories.has(name) ? { t: "repo.del", r: registryId, name } : undefined));
    return done ? record : undefined;
  }

  async createUpload(registryId: string, record: UploadRecord) {
    await this.createFile(this.uploadPath(registryId, record.id));
    await this.mutate(() => ({ t: "upload.put", r: registryId, upload: record }));
  }

  async countUploads(registryId: string, repository: string) {
    let n = 0;
    for (const u of this.registries.get(registryId)?.uploads.values() ?? []) if (u.repository === repository) n++;
    return n;
  }

  async getUpload(registryId: string, id: string) {
    return this.registries.get(registryId)?.uploads.get(id);
  }

  async writePart(registryId: string, id: string, bytes: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<number> {
    const upload = this.registries.get(registryId)?.uploads.get(id);
    if (!upload) return 0;
    const fh = await open(this.uploadPath(registryId, id), "r+");
    let written = 0;
    // With fsync on, the part is flushed while it is still arriving, so that acknowledging it waits only for the tail.
    let flushing: Promise<void> | undefined;
    let flushFailed: unknown;
    let unflushed = 0;
    try {
      for await (const chunk of bytes) {
        let done = 0;
        while (done < chunk.byteLength) {
          const { bytesWritten } = await fh.write(chunk, done, chunk.byteLength - done, upload.length + written + done);
          done += bytesWritten;
        }
        written += done;
        unflushed += done;
        if (this.fsync && unflushed >= FLUSH_EVERY && !flushing) {
          unflushed = 0;
          // Its failure is kept and thrown below: a writeback error is reported once, so it must not be lost.
          flushing = fh.datasync().then(
            () => void (flushing = undefined),
            (e) => void ((flushFailed ??= e), (flushing = undefined)),
          );
        }
        if (flushFailed) throw flushFailed;
      }
      await flushing;
      if (flushFailed) throw flushFailed;
      if (this.fsync) await fh.datasync();
      return written;
    } finally {
      await flushing?.catch(() => undefined);
      await fh.close();
    }
  }

  commitPart(registryId: string, id: string, next: UploadRecord): Promise<boolean> {
    return this.mutate(() => (this.registries.get(registryId)?.uploads.has(id) ? { t: "upload.put", r: registryId, upload: next } : undefined));
  }

  async abortPart(registryId: string, id: string): Promise<void> {
    const upload = this.registries.get(registryId)?.uploads.get(id);
    if (upload) await truncate(this.uploadPath(registryId, id), upload.length).catch(() => undefined);
  }

  async readUpload(registryId: string, id: string, start: number, end: number): Promise<Buffer> {
    const fh = await open(this.uploadPath(registryId, id), "r");
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
    for await (const chunk of createReadStream(this.uploadPath(registryId, id), { start: 0, end: length - 1, highWaterMark: 1 << 20 })) {
      hash.update(chunk as Buffer);
    }
    return hash;
  }

  completeUpload(registryId: string, id: string, layer: LayerRecord): Promise<boolean> {
    return this.mutate(
      () => {
        const u = this.registries.get(registryId)?.uploads.get(id);
        return u ? { t: "layer.put", r: registryId, repo: u.repository, layer, upload: id } : undefined;
      },
      async () => {
        // The layer becomes visible (applied) only once its bytes are in place.
        const staging = this.uploadPath(registryId, id);
        const blob = this.blobPath(registryId, layer.digest);
        if (existsSync(blob)) await unlink(staging);
        else await this.promote(staging, blob);
      },
    );
  }

  async expireUploads(cutoff: number): Promise<number> {
    let n = 0;
    for (const [registryId, reg] of this.registries) {
      for (const u of [...reg.uploads.values()]) {
        if (u.touchedAt >= cutoff) continue;
        const done = await this.mutate(() => (reg.uploads.get(u.id)?.touchedAt === u.touchedAt ? { t: "upload.del", r: registryId, id: u.id } : undefined));
        if (done) n++;
      }
    }
    return n;
  }

  async getLayer(registryId: string, repository: string, digest: string): Promise<LayerRecord | undefined> {
    const reg = this.registries.get(registryId);
    const repo = reg?.repositories.get(repository);
    if (!repo?.layers.has(digest)) return undefined;
    return { digest, size: reg!.blobs.get(digest)!, mediaType: repo.layers.get(digest) };
  }

  async openBlob(registryId: string, digest: string): Promise<BlobReader | undefined> {
    const size = this.registries.get(registryId)?.blobs.get(digest);
    if (size === undefined) return undefined;
    const path = this.blobPath(registryId, digest);
    return { size, stream: (start, end) => createReadStream(path, { start, end, highWaterMark: 1 << 20 }) };
  }

  putImage(registryId: string, repository: string, image: ImageRecord, tag: string | undefined, mediaTypes: Record<string, string>) {
    return this.mutate(() =>
      this.registries.get(registryId)?.repositories.has(repository)
        ? { t: "image.put", r: registryId, repo: repository, image, ...(tag === undefined ? {} : { tag }), mediaTypes }
        : undefined,
    );
  }

  async getImage(registryId: string, repository: string, digest: string) {
    return this.registries.get(registryId)?.repositories.get(repository)?.images.get(digest);
  }

  async resolveTag(registryId: string, repository: string, tag: string) {
    return this.registries.get(registryId)?.repositories.get(repository)?.tags.get(tag);
  }

  async countImages(registryId: string, repository: string) {
    return this.registries.get(registryId)?.repositories.get(repository)?.images.size ?? 0;
  }

  async isReferenced(registryId: string, repository: string, digest: string) {
    const images = this.registries.get(registryId)?.repositories.get(repository)?.images.values() ?? [];
    for (const image of images) if (image.references.includes(digest)) return true;
    return false;
  }

  private key?: Buffer;

  async signingKey(): Promise<Buffer> {
    if (this.key) return this.key;
    const path = join(this.opts.dataDir, "meta", "signing-key");
    this.key = await readFile(path).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code !== "ENOENT") throw e;
      const key = randomBytes(32);
      const fh = await open(`${path}.tmp`, "w");
      try {
        await fh.writeFile(key);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(`${path}.tmp`, path);
      syncDir(join(this.opts.dataDir, "meta"));
      return key;
    });
    return this.key;
  }

  close(): Promise<void> {
    return this.lock.run(() => this.journal.close());
  }
}
