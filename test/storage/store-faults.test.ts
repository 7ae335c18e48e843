// What the store does when the disk fails between steps, and what it refuses: a failed file removal never fails the
// change that freed it, a completion cut short is finished by the client's retry, damaged uploads are never padded,
// and a missing or empty records database is never taken for a new registry. Plus the query plans that keep every
// statement's cost independent of unrelated data.
import { randomBytes } from "node:crypto";
import { existsSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  BatchCheckLayerAvailabilityCommand,
  CompleteLayerUploadCommand,
  InitiateLayerUploadCommand,
  UploadLayerPartCommand,
} from "@aws-sdk/client-ecr";
import { nodeIO, type StoreIO } from "../../src/storage/embedded/io";
import { EmbeddedStore } from "../../src/storage/embedded/store";
import { SQL } from "../../src/storage/sql/queries";
import { sha256 } from "../helpers/digests";
import { failure, REGISTRY, startEcr, tempDataDir, type TestEcr } from "../helpers/ecr-server";
import { pushBlob } from "../helpers/push";

let t: TestEcr | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const eio = (what: string) => Object.assign(new Error(`EIO: i/o error, ${what}`), { code: "EIO" });

/** The real I/O, with one kind of step failing while `when` says so. */
function failing(step: "unlink" | "syncDir", when: (path: string) => boolean): StoreIO {
  return {
    ...nodeIO,
    [step]: async (path: string) => {
      if (when(path)) throw eio(`${step} ${path}`);
      return (nodeIO[step] as (p: string) => Promise<void>)(path);
    },
  };
}

const part = (uploadId: string, first: number, bytes: Buffer) =>
  t!.client.send(new UploadLayerPartCommand({ repositoryName: "app", uploadId, partFirstByte: first, partLastByte: first + bytes.byteLength - 1, layerPartBlob: bytes }));

test("a file that cannot be removed after its upload expired fails nothing; it stays listed and goes at the next sweep", async () => {
  const dataDir = tempDataDir();
  let diskFails = true;
  const store = await EmbeddedStore.open({ dataDir, fsync: true, io: failing("unlink", (p) => diskFails && p.includes("/uploads/")) });
  let clock = 1_000_000;
  t = await startEcr({ dataDir, store, now: () => clock, repositories: ["app"], settings: { minPartSize: 1 } });
  const { uploadId: idle } = await t.client.send(new InitiateLayerUploadCommand({ repositoryName: "app" }));
  await part(idle!, 0, randomBytes(10));
  clock += 1000;
  expect(await store.expireUploads(clock)).toBe(1);
  const staging = join(dataDir, "uploads", REGISTRY, idle!);
  expect([existsSync(staging), store.query("SELECT path FROM reclaimable_files")]).toEqual([true, [{ path: `uploads/${REGISTRY}/${idle}` }]]);

  // Unrelated work goes on while the disk still refuses that file.
  const layer = randomBytes(3000);
  await pushBlob(t.client, layer);
  const check = await t.client.send(new BatchCheckLayerAvailabilityCommand({ repositoryName: "app", layerDigests: [sha256(layer)] }));
  expect(check.layers![0].layerAvailability).toBe("AVAILABLE");

  diskFails = false;
  expect(await store.expireUploads(0)).toBe(0);
  expect([existsSync(staging), store.query("SELECT path FROM reclaimable_files")]).toEqual([false, []]);
});

test("a completion cut short by a failed flush: parts are refused, and the client's retry finishes it", async () => {
  const dataDir = tempDataDir();
  let failures = 1;
  const store = await EmbeddedStore.open({ dataDir, fsync: true, io: failing("syncDir", (p) => p.includes("/blobs/") && failures-- > 0) });
  t = await startEcr({ dataDir, store, repositories: ["app"], settings: { minPartSize: 1 } });
  const layer = randomBytes(4000);
  const { uploadId } = await t.client.send(new InitiateLayerUploadCommand({ repositoryName: "app" }));
  await part(uploadId!, 0, layer);
  const complete = () => t!.client.send(new CompleteLayerUploadCommand({ repositoryName: "app", uploadId, layerDigests: [sha256(layer)] }));
  const cut = await failure(complete());
  expect([cut.name, cut.$metadata.httpStatusCode]).toEqual(["ServerException", 500]);
  // The bytes are on their way to being the layer: another part would be lost, so it is refused.
  const more = await failure(part(uploadId!, 4000, randomBytes(10)));
  expect(more.name).toBe("UploadNotFoundException");
  expect((await complete()).layerDigest).toBe(sha256(layer));
  const check = await t.client.send(new BatchCheckLayerAvailabilityCommand({ repositoryName: "app", layerDigests: [sha256(layer)] }));
  expect(check.layers![0]).toMatchObject({ layerAvailability: "AVAILABLE", layerSize: 4000 });
  expect(store.query("SELECT * FROM layer_completions")).toEqual([]);
});

test("an upload whose committed bytes shrank on disk answers a server error every time, and is never padded with zeros", async () => {
  t = await startEcr({ repositories: ["app"], settings: { minPartSize: 1 } });
  const { uploadId } = await t.client.send(new InitiateLayerUploadCommand({ repositoryName: "app" }));
  await part(uploadId!, 0, Buffer.from("0123456789"));
  const staging = join(t.dataDir, "uploads", REGISTRY, uploadId!);
  truncateSync(staging, 4);
  for (let i = 0; i < 2; i++) {
    const err = await failure(part(uploadId!, 10, Buffer.from("abc")));
    expect([i, err.name, err.$metadata.httpStatusCode]).toEqual([i, "ServerException", 500]);
    expect(statSync(staging).size).toBe(4);
  }
});

describe("a records database that is missing or empty beside stored bytes is refused", () => {
  test.each([
    ["missing", (db: string) => rmSync(db)],
    ["empty", (db: string) => writeFileSync(db, "")],
  ])("%s", async (state, damage) => {
    t = await startEcr({ repositories: ["app"], settings: { minPartSize: 1 } });
    await pushBlob(t.client, randomBytes(100));
    await t.stop();
    const db = join(t.dataDir, "records.db");
    damage(db);
    const err = await failure(startEcr({ dataDir: t.dataDir }));
    expect(err.message).toBe(`the records database ${db} is ${state} but the data dir holds blobs and uploads; restore it from a backup`);
  });
});

describe("query plans: every statement is served by a key or an index", () => {
  const MODEL_TABLES = /^SCAN (repositories|repository_tags|blobs|repository_layers|layer_uploads|images|image_tags|image_references|reclaimable_files|secrets)\b/;
  let store: EmbeddedStore;
  let dir: string;
  beforeAll(async () => {
    dir = tempDataDir();
    store = await EmbeddedStore.open({ dataDir: dir, fsync: false });
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const plan = (sql: string) => store.query(`EXPLAIN QUERY PLAN ${sql}`, ...Array((sql.match(/\?/g) ?? []).length).fill(1)).map((r) => r.detail as string);

  test.each(Object.entries(SQL).filter(([name]) => name !== "listCompletions"))("%s scans no table", (_name, sql) => {
    expect(plan(sql).filter((line) => MODEL_TABLES.test(line))).toEqual([]);
  });

  test("whether another repository has a layer is one search by registry and digest", () => {
    expect(plan(SQL.listLayersOnlyIn)).toContain("CORRELATED SCALAR SUBQUERY 1");
    expect(plan(SQL.listLayersOnlyIn).some((l) => /^SEARCH o USING COVERING INDEX repository_layers_by_digest \(registry_id=\? AND digest=\?\)/.test(l))).toBe(true);
    expect(plan(SQL.isBlobUsed)).toEqual(["SEARCH repository_layers USING COVERING INDEX repository_layers_by_digest (registry_id=? AND digest=?)"]);
  });
});
