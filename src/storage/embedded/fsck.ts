// Checks a data dir offline: the database's own integrity, every blob re-hashed against its digest and size, every
// upload's committed bytes present, every image's manifest against its digest and the content it references, and
// files no record accounts for. It reads records a page at a time, so memory stays flat however much is stored.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { opendir, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { EmbeddedStore } from "./store";

export interface FsckReport {
  blobs: number;
  blobBytes: number;
  uploads: number;
  images: number;
  problems: string[];
}

const PAGE = 1000;

export async function fsck(store: EmbeddedStore, progress: (line: string) => void = () => undefined): Promise<FsckReport> {
  const report: FsckReport = { blobs: 0, blobBytes: 0, uploads: 0, images: 0, problems: [] };
  const problem = (line: string) => {
    report.problems.push(line);
    progress(`PROBLEM ${line}`);
  };
  const integrity = store.query("PRAGMA integrity_check").map((r) => Object.values(r)[0]);
  if (integrity.join() !== "ok") for (const line of integrity) problem(`records database: ${line}`);
  for (const r of store.query("PRAGMA foreign_key_check")) problem(`records database: a ${r.table} record refers to a missing ${r.parent} record`);

  for (let after = ["", ""]; ; ) {
    const rows = store.query(`SELECT registry_id, digest, size FROM blobs WHERE (registry_id, digest) > (?, ?) ORDER BY registry_id, digest LIMIT ${PAGE}`, ...after);
    if (!rows.length) break;
    for (const { registry_id: r, digest, size } of rows) {
      report.blobs++;
      const path = join(store.dataDir, "blobs", r, "sha256", digest.slice(7));
      const onDisk = await stat(path).catch(() => undefined);
      if (!onDisk) {
        problem(`layer ${r}/${digest}: its bytes are missing (${path})`);
        continue;
      }
      if (onDisk.size !== Number(size)) {
        problem(`layer ${r}/${digest}: ${onDisk.size} bytes on disk, ${size} recorded`);
        continue;
      }
      const hash = createHash("sha256");
      for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
      if (`sha256:${hash.digest("hex")}` !== digest) problem(`layer ${r}/${digest}: its bytes do not hash to its digest`);
      report.blobBytes += onDisk.size;
    }
    after = [rows[rows.length - 1].registry_id, rows[rows.length - 1].digest];
  }

  for (let after = ["", ""]; ; ) {
    const rows = store.query(`SELECT registry_id, upload_id, committed_bytes FROM layer_uploads WHERE (registry_id, upload_id) > (?, ?) ORDER BY registry_id, upload_id LIMIT ${PAGE}`, ...after);
    if (!rows.length) break;
    for (const { registry_id: r, upload_id: id, committed_bytes: committed } of rows) {
      report.uploads++;
      if (Number(committed) === 0) continue;
      const onDisk = await stat(join(store.dataDir, "uploads", r, id)).catch(() => undefined);
      if (!onDisk || onDisk.size < Number(committed)) problem(`upload ${r}/${id}: ${onDisk?.size ?? "no"} bytes on disk, ${committed} committed`);
    }
    after = [rows[rows.length - 1].registry_id, rows[rows.length - 1].upload_id];
  }

  for (let after = ["", "", ""]; ; ) {
    const rows = store.query(
      `SELECT registry_id, repository_name, image_digest, image_manifest FROM images
       WHERE (registry_id, repository_name, image_digest) > (?, ?, ?) ORDER BY registry_id, repository_name, image_digest LIMIT ${PAGE}`,
      ...after,
    );
    if (!rows.length) break;
    for (const { registry_id: r, repository_name: repo, image_digest: digest, image_manifest: manifest } of rows) {
      report.images++;
      if (`sha256:${createHash("sha256").update(manifest, "utf8").digest("hex")}` !== digest) {
        problem(`image ${r}/${repo}@${digest}: its manifest does not hash to its digest`);
      }
      const missing = store.query(
        `SELECT referenced_digest FROM image_references x WHERE registry_id = ? AND repository_name = ? AND image_digest = ?
           AND NOT EXISTS (SELECT 1 FROM repository_layers l WHERE l.registry_id = x.registry_id AND l.repository_name = x.repository_name AND l.digest = x.referenced_digest)
           AND NOT EXISTS (SELECT 1 FROM images i WHERE i.registry_id = x.registry_id AND i.repository_name = x.repository_name AND i.image_digest = x.referenced_digest)`,
        r,
        repo,
        digest,
      );
      for (const m of missing) problem(`image ${r}/${repo}@${digest}: references ${m.referenced_digest}, which the repository does not hold`);
    }
    after = [rows[rows.length - 1].registry_id, rows[rows.length - 1].repository_name, rows[rows.length - 1].image_digest];
  }

  // Files no record accounts for (nor the list of files waiting to be removed).
  const known = (sql: string, ...params: string[]) => store.query(sql, ...params).length > 0;
  for (const registry of await readdir(join(store.dataDir, "blobs")).catch(() => [] as string[])) {
    for await (const hex of names(join(store.dataDir, "blobs", registry, "sha256"))) {
      const relative = join("blobs", registry, "sha256", hex);
      if (!known("SELECT 1 FROM blobs WHERE registry_id = ? AND digest = ?", registry, `sha256:${hex}`) && !known("SELECT 1 FROM reclaimable_files WHERE path = ?", relative)) {
        problem(`file ${relative}: no layer record accounts for it`);
      }
    }
  }
  for (const registry of await readdir(join(store.dataDir, "uploads")).catch(() => [] as string[])) {
    for await (const id of names(join(store.dataDir, "uploads", registry))) {
      const relative = join("uploads", registry, id);
      if (!known("SELECT 1 FROM layer_uploads WHERE registry_id = ? AND upload_id = ?", registry, id) && !known("SELECT 1 FROM reclaimable_files WHERE path = ?", relative)) {
        problem(`file ${relative}: no upload record accounts for it`);
      }
    }
  }
  return report;
}

/** A directory's entries one at a time (a blob directory may hold millions); none when it does not exist. */
async function* names(dir: string): AsyncGenerator<string> {
  const d = await opendir(dir).catch(() => undefined);
  if (d) for await (const entry of d) yield entry.name;
}
