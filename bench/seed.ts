// Data dirs with many records, written straight into the records database in one transaction (the API would take
// hours for a million layers). Blob files are not written: what is measured (start-up, idle memory, lookups) reads
// records only.
import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { SQL } from "../src/storage/sql/queries";
import { EmbeddedStore } from "../src/storage/embedded/store";

export const REGISTRY = "000000000000";

export interface Seeded {
  dir: string;
  /** Digests of the layers of repository "bench". */
  digests: string[];
}

const digestOf = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;

/** `layers` layers and `images` images in repository "bench", plus `repositories` more empty repositories. */
export async function seed(counts: { layers: number; repositories: number; images: number }): Promise<Seeded> {
  const dir = mkdtempSync(join(tmpdir(), "ecr-seed-"));
  await (await EmbeddedStore.open({ dataDir: dir, fsync: false })).close();
  const db = new Database(join(dir, "records.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = OFF");
  const digests: string[] = [];
  const now = Date.now();
  db.transaction(() => {
    const repo = db.prepare(SQL.insertRepository);
    repo.run(REGISTRY, "bench", now, "MUTABLE", null, 0, "AES256", null);
    for (let i = 0; i < counts.repositories; i++) repo.run(REGISTRY, `repo-${String(i).padStart(7, "0")}`, now, "MUTABLE", null, 0, "AES256", null);
    const blob = db.prepare(SQL.insertBlob);
    const layer = db.prepare(SQL.insertLayer);
    for (let i = 0; i < counts.layers; i++) {
      const d = digestOf(`layer-${i}`);
      blob.run(REGISTRY, d, 1000 + (i % 1000));
      layer.run(REGISTRY, "bench", d);
      digests.push(d);
    }
    const image = db.prepare(SQL.insertImage);
    const ref = db.prepare(SQL.insertImageReference);
    const tag = db.prepare(SQL.putTag);
    for (let i = 0; i < counts.images; i++) {
      const refs = [digests[(2 * i) % digests.length], digests[(2 * i + 1) % digests.length]];
      const manifest = JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: refs[0], size: 1000 },
        layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: refs[1], size: 1000 }],
        annotations: { n: String(i) },
      });
      const d = digestOf(manifest);
      image.run(REGISTRY, "bench", d, manifest, "application/vnd.oci.image.manifest.v1+json", now, 1000, "application/vnd.oci.image.config.v1+json", null);
      for (const r of refs) ref.run(REGISTRY, "bench", d, r);
      tag.run(REGISTRY, "bench", `v${i}`, d);
    }
  })();
  db.close();
  return { dir, digests };
}
