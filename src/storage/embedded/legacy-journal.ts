// A data dir written by version 0.1 (records in meta/snapshot.json and the write-ahead journal meta/journal.log) is
// imported into the records database once, at start-up: every record is carried over in one transaction into a new
// database file that takes its place only when whole, which also records the digest of what it imported; then meta/
// is kept aside as meta-journal-imported/. Bytes stay where they are (the file layout is the same). A journal damaged
// before its last record is refused, never cut short; so is a meta/ that differs from what was imported (0.1 run
// again after the upgrade), which would otherwise be set aside unread.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import type { Statement } from "better-sqlite3";
import { SQL } from "../sql/queries";
import { openDatabase, StorageDamagedError } from "./database";
import { nodeIO } from "./io";

// The 0.1 records, as they were written then: a frozen format, deliberately not the current types.
interface LegacyRepository {
  record: { name: string; createdAt: number; imageTagMutability: string; imageTagMutabilityExclusionFilters?: unknown[]; scanOnPush: boolean; encryptionType: string; kmsKey?: string; tags?: { Key: string; Value: string }[] };
  layers: Map<string, string | undefined>;
  images: Map<string, { digest: string; manifest: string; mediaType: string; pushedAt: number; references: string[] }>;
  tags: Map<string, string>;
}
interface LegacyUpload {
  id: string;
  repository: string;
  createdAt: number;
  touchedAt: number;
  length: number;
  parts: number;
  lastPart?: { first: number; last: number };
  smallestEarlierPart?: number;
}
interface LegacyRegistry {
  repositories: Map<string, LegacyRepository>;
  uploads: Map<string, LegacyUpload>;
  blobs: Map<string, number>;
}
type Mutation =
  | { t: "repo.put"; r: string; repo: LegacyRepository["record"] }
  | { t: "repo.del"; r: string; name: string }
  | { t: "upload.put"; r: string; upload: LegacyUpload }
  | { t: "upload.del"; r: string; id: string }
  | { t: "layer.put"; r: string; repo: string; layer: { digest: string; size: number; mediaType?: string }; upload: string }
  | { t: "image.put"; r: string; repo: string; image: LegacyRepository["images"] extends Map<string, infer I> ? I : never; tag?: string; mediaTypes: Record<string, string> };

export async function importLegacyJournal(dataDir: string, database: string, opts: { fsync: boolean; log: (msg: string, fields?: object) => void }): Promise<void> {
  const meta = join(dataDir, "meta");
  if (!existsSync(join(meta, "journal.log")) && !existsSync(join(meta, "snapshot.json"))) return;
  const moveAside = async () => {
    let aside = join(dataDir, "meta-journal-imported");
    if (existsSync(aside)) aside = `${aside}-${Date.now()}`;
    renameSync(meta, aside);
    if (opts.fsync) await nodeIO.syncDir(dataDir);
  };
  const target = join(dataDir, database);
  const digest = digestOf(meta);
  if (existsSync(target)) {
    // The database appears only when an import is whole: if it is this one, a crash came before meta/ was moved aside.
    const db = openDatabase(target, { fsync: opts.fsync });
    const imported = (() => {
      try {
        return db.prepare(SQL.getImport).pluck().get(SOURCE) as string | undefined;
      } finally {
        db.close();
      }
    })();
    if (imported === digest) return moveAside();
    throw new StorageDamagedError(
      `the data dir ${dataDir} holds both ${database} and a journal-format meta/ that was not imported (was version 0.1 run on it after the upgrade?); ` +
        "move meta/ out of the data dir to keep the database, or remove the database to import meta/ instead",
    );
  }

  const registries = await readLegacy(meta, opts.fsync);
  const staging = join(dataDir, `${database}.importing`);
  for (const f of [staging, `${staging}-wal`, `${staging}-shm`]) rmSync(f, { force: true });
  const db = openDatabase(staging, { fsync: opts.fsync });
  const counts = { repositories: 0, layers: 0, images: 0, uploads: 0 };
  try {
    const statements = new Map<string, Statement>();
    const run = (name: keyof typeof SQL, ...params: unknown[]) => {
      if (!statements.has(name)) statements.set(name, db.prepare(SQL[name]));
      return statements.get(name)!.run(...params);
    };
    db.transaction(() => {
      for (const [r, reg] of registries) {
        const present = new Set<string>();
        for (const [digest, size] of reg.blobs) {
          if (!existsSync(join(dataDir, "blobs", r, "sha256", digest.slice(7)))) {
            opts.log("journal import: a layer's bytes are missing; it is not imported", { registryId: r, digest });
            continue;
          }
          run("insertBlob", r, digest, size);
          present.add(digest);
        }
        for (const repo of reg.repositories.values()) {
          const x = repo.record;
          const filters = x.imageTagMutabilityExclusionFilters ? JSON.stringify(x.imageTagMutabilityExclusionFilters) : null;
          run("insertRepository", r, x.name, x.createdAt, x.imageTagMutability, filters, x.scanOnPush ? 1 : 0, x.encryptionType, x.kmsKey ?? null);
          counts.repositories++;
          for (const [key, value] of new Map((x.tags ?? []).map((t) => [t.Key, t.Value]))) run("insertRepositoryTag", r, x.name, key, value);
          for (const [digest, mediaType] of repo.layers) {
            if (!present.has(digest)) continue;
            run("insertLayer", r, x.name, digest);
            if (mediaType) run("setLayerMediaType", mediaType, r, x.name, digest);
            counts.layers++;
          }
          for (const image of repo.images.values()) {
            run("insertImage", r, x.name, image.digest, image.manifest, image.mediaType, image.pushedAt, null, null, null);
            for (const d of new Set(image.references)) run("insertImageReference", r, x.name, image.digest, d);
            counts.images++;
          }
          for (const [tag, digest] of repo.tags) run("putTag", r, x.name, tag, digest);
        }
        const imported = new Set<string>();
        for (const u of reg.uploads.values()) {
          if (!reg.repositories.has(u.repository)) continue;
          if (u.length > 0 && !existsSync(join(dataDir, "uploads", r, u.id))) {
            opts.log("journal import: an upload's bytes are missing; it is not imported", { registryId: r, uploadId: u.id });
            continue;
          }
          run("insertUpload", r, u.id, u.repository, u.createdAt, u.touchedAt, u.length, u.parts, u.lastPart?.first ?? null, u.lastPart?.last ?? null, u.smallestEarlierPart ?? null);
          imported.add(u.id);
          counts.uploads++;
        }
        // Files 0.1 would have removed at its next start (no record names them): freed after the import.
        for (const id of existsSync(join(dataDir, "uploads", r)) ? readdirSync(join(dataDir, "uploads", r)) : []) {
          if (!imported.has(id)) run("insertReclaimable", join("uploads", r, id));
        }
        for (const hex of existsSync(join(dataDir, "blobs", r, "sha256")) ? readdirSync(join(dataDir, "blobs", r, "sha256")) : []) {
          if (!present.has(`sha256:${hex}`)) run("insertReclaimable", join("blobs", r, "sha256", hex));
        }
      }
      const key = join(meta, "signing-key");
      if (existsSync(key)) run("insertSecret", "download-url-signing-key", readFileSync(key).toString("base64"));
      run("insertImport", SOURCE, digest, Date.now());
    }).immediate();
  } finally {
    db.close();
  }
  renameSync(staging, target);
  if (opts.fsync) await nodeIO.syncDir(dataDir);
  await moveAside();
  opts.log("imported the records of a journal-format data dir; meta/ was kept as meta-journal-imported/", counts);
}

/** The records as version 0.1 would have loaded them, with completions a crash cut short finished on disk. */
async function readLegacy(meta: string, fsync: boolean): Promise<Map<string, LegacyRegistry>> {
  const registries = new Map<string, LegacyRegistry>();
  const registry = (id: string) => {
    let r = registries.get(id);
    if (!r) registries.set(id, (r = { repositories: new Map(), uploads: new Map(), blobs: new Map() }));
    return r;
  };
  const snapshotPath = join(meta, "snapshot.json");
  if (existsSync(snapshotPath)) {
    let snapshot: { registries: Record<string, { repositories: { record: LegacyRepository["record"]; layers: [string, string | null][]; images: LegacyRepository["images"] extends Map<string, infer I> ? I[] : never; tags: [string, string][] }[]; uploads: LegacyUpload[]; blobs: [string, number][] }> };
    try {
      snapshot = JSON.parse(await readFile(snapshotPath, "utf8"));
    } catch (e) {
      throw new StorageDamagedError(`cannot read the journal-format snapshot ${snapshotPath} (${(e as Error).message}); nothing was imported`, { cause: e });
    }
    for (const [id, r] of Object.entries(snapshot.registries ?? {})) {
      const reg = registry(id);
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
  }
  const completions: Extract<Mutation, { t: "layer.put" }>[] = [];
  for (const m of readJournal(join(meta, "journal.log"))) {
    const reg = registry(m.r);
    switch (m.t) {
      case "repo.put":
        reg.repositories.set(m.repo.name, { record: m.repo, layers: new Map(), images: new Map(), tags: new Map() });
        break;
      case "repo.del": {
        const gone = reg.repositories.get(m.name);
        reg.repositories.delete(m.name);
        for (const [id, u] of reg.uploads) if (u.repository === m.name) reg.uploads.delete(id);
        for (const digest of gone?.layers.keys() ?? []) {
          if (![...reg.repositories.values()].some((r) => r.layers.has(digest))) reg.blobs.delete(digest);
        }
        break;
      }
      case "upload.put":
        reg.uploads.set(m.upload.id, m.upload);
        break;
      case "upload.del":
        reg.uploads.delete(m.id);
        break;
      case "layer.put":
        reg.uploads.delete(m.upload);
        if (!reg.blobs.has(m.layer.digest)) reg.blobs.set(m.layer.digest, m.layer.size);
        reg.repositories.get(m.repo)?.layers.set(m.layer.digest, m.layer.mediaType);
        completions.push(m);
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
  }
  // Completions journaled whose rename a crash cut short: the staging file becomes the blob.
  const dataDir = join(meta, "..");
  for (const c of completions) {
    const staging = join(dataDir, "uploads", c.r, c.upload);
    if (!existsSync(staging)) continue;
    const blob = join(dataDir, "blobs", c.r, "sha256", c.layer.digest.slice(7));
    if (existsSync(blob)) rmSync(staging);
    else {
      for (const d of await nodeIO.mkdirs(dirname(blob))) if (fsync) await nodeIO.syncDir(dirname(d));
      renameSync(staging, blob);
      if (fsync) await nodeIO.syncDir(dirname(blob));
    }
    // Made durable before the import commits: the journal that could redo it is set aside after.
    if (fsync) await nodeIO.syncDir(dirname(staging));
  }
  return registries;
}

const SOURCE = "journal-0.1";

/** The sha256 of what an import reads: the snapshot and the journal. */
function digestOf(meta: string): string {
  const hash = createHash("sha256");
  for (const f of ["snapshot.json", "journal.log"]) {
    hash.update(`${f}\n`);
    if (existsSync(join(meta, f))) hash.update(readFileSync(join(meta, f)));
  }
  return hash.digest("hex");
}

/** The journal's whole records; a torn last line (a crash mid-append) is dropped, damage before it refused. */
function readJournal(path: string): Mutation[] {
  if (!existsSync(path)) return [];
  const log = readFileSync(path);
  const records: Mutation[] = [];
  let at = 0;
  while (at < log.byteLength) {
    const nl = log.indexOf(10, at);
    const line = log.subarray(at, nl < 0 ? log.byteLength : nl);
    const whole = nl >= 0 && line.indexOf(32) === 8 && parseInt(line.subarray(0, 8).toString(), 16) === crc32(line.subarray(9));
    if (!whole) {
      if (nl < 0 || nl + 1 >= log.byteLength) break; // the torn tail
      throw new StorageDamagedError(`the journal ${path} is damaged at byte ${at}, before its last record; nothing was imported`);
    }
    records.push(JSON.parse(line.subarray(9).toString("utf8")) as Mutation);
    at = nl + 1;
  }
  return records;
}
