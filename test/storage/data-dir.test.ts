// The data dir as an operator meets it: one process at a time, owner-only files, damage reported loudly (at start-up,
// per request, and by `npm run fsck`), and a journal-format data dir imported once without losing a record.
import { randomBytes, randomUUID } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, openSync, closeSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import {
  BatchCheckLayerAvailabilityCommand,
  BatchGetImageCommand,
  DescribeRepositoriesCommand,
  GetDownloadUrlForLayerCommand,
  InitiateLayerUploadCommand,
  UploadLayerPartCommand,
} from "@aws-sdk/client-ecr";
import { DataDirLockedError } from "../../src/storage/embedded/lock";
import { EmbeddedStore } from "../../src/storage/embedded/store";
import { ecrClient } from "../helpers/ecr-client";
import { sha256 } from "../helpers/digests";
import { failure, REGISTRY, startEcr, tempDataDir, type TestEcr } from "../helpers/ecr-server";
import { ociManifest, pushBlob, putImage } from "../helpers/push";
import { run } from "../helpers/run";
import { startServerProcess, type ServerProcess } from "../helpers/server-process";

const ROOT = join(__dirname, "../..");
let t: TestEcr | undefined;
let procs: ServerProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await t?.close();
  t = undefined;
  for (const p of procs) await p.stop("SIGKILL");
  procs = [];
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const dataDir = () => {
  const d = tempDataDir();
  dirs.push(d);
  return d;
};

/** Every file under `dir` with its size and modification time. */
function listing(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[p.slice(dir.length)] = `${statSync(p).size}@${statSync(p).mtimeMs}`;
    }
  };
  walk(dir);
  return out;
}

describe("one process per data dir", () => {
  test("a second store in the same process is refused, naming the data dir and the holder", async () => {
    const dir = dataDir();
    const first = await EmbeddedStore.open({ dataDir: dir, fsync: false });
    try {
      const err = await failure(EmbeddedStore.open({ dataDir: dir, fsync: false }));
      expect(err).toBeInstanceOf(DataDirLockedError);
      expect(err.message).toBe(`the data dir ${dir} is in use by another process (pid ${process.pid}); stop it first, or give this one another --data-dir`);
      // The refused open must not have dropped this process's lock: another process is still refused.
      const other = await run(process.execPath, ["--import", "tsx", join(ROOT, "src/cli.ts"), "--port", "0", "--data-dir", dir], { cwd: ROOT });
      expect([other.status, other.stderr]).toEqual([2, `ecr-layer-server: ${err.message}\n`]);
    } finally {
      await first.close();
    }
    // Released on close: the next one opens.
    await (await EmbeddedStore.open({ dataDir: dir, fsync: false })).close();
  });

  test("a second server process exits at once, touching nothing; the first keeps serving and its layers verify", async () => {
    const dir = dataDir();
    const args = ["--port", "0", "--data-dir", dir, "--registry-id", REGISTRY, "--repository", "app"];
    const first = await startServerProcess(args);
    procs.push(first);
    const client = ecrClient(first.url);
    const before = randomBytes(12 * 1024 * 1024);
    await pushBlob(client, before);

    const files = listing(dir);
    const second = await run(process.execPath, ["--import", "tsx", join(ROOT, "src/cli.ts"), ...args], { cwd: ROOT });
    expect(second.status).toBe(2);
    expect(second.stderr).toBe(
      `ecr-layer-server: the data dir ${dir} is in use by another process (pid ${first.child.pid}); stop it first, or give this one another --data-dir\n`,
    );
    expect(listing(dir)).toEqual(files);

    const after = randomBytes(12 * 1024 * 1024);
    await pushBlob(client, after);
    for (const layer of [before, after]) {
      expect(sha256(readFileSync(join(dir, "blobs", REGISTRY, "sha256", sha256(layer).slice(7))))).toBe(sha256(layer));
    }

    // Killed, the holder's lock goes with it: a new server starts at once.
    await first.stop("SIGKILL");
    const third = await startServerProcess(args);
    procs.push(third);
    const check = await ecrClient(third.url).send(new BatchCheckLayerAvailabilityCommand({ repositoryName: "app", layerDigests: [sha256(before), sha256(after)] }));
    expect(check.layers!.map((l) => l.layerAvailability)).toEqual(["AVAILABLE", "AVAILABLE"]);
  }, 60_000);
});

test("the data dir is owner-only: folders 0700, files 0600", async () => {
  const dir = dataDir();
  t = await startEcr({ dataDir: dir, repositories: ["app"], settings: { minPartSize: 1 } });
  const layer = randomBytes(1000);
  await pushBlob(t.client, layer);
  const { uploadId } = await t.client.send(new InitiateLayerUploadCommand({ repositoryName: "app" }));
  await t.client.send(new UploadLayerPartCommand({ repositoryName: "app", uploadId, partFirstByte: 0, partLastByte: 9, layerPartBlob: randomBytes(10) }));
  const modes: Record<string, string> = {};
  const walk = (d: string) => {
    modes[d.slice(dir.length) || "/"] = (statSync(d).mode & 0o777).toString(8);
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else modes[join(d, e.name).slice(dir.length)] = (statSync(join(d, e.name)).mode & 0o777).toString(8);
    }
  };
  walk(dir);
  expect(Object.keys(modes).sort()).toEqual(
    [
      "/",
      "/blobs",
      `/blobs/${REGISTRY}`,
      `/blobs/${REGISTRY}/sha256`,
      `/blobs/${REGISTRY}/sha256/${sha256(layer).slice(7)}`,
      "/lock",
      "/lock.pid",
      "/records.db",
      "/records.db-wal",
      "/uploads",
      `/uploads/${REGISTRY}`,
      `/uploads/${REGISTRY}/${uploadId}`,
    ].sort(),
  );
  for (const [path, mode] of Object.entries(modes)) expect([path, mode]).toEqual([path, statSync(join(dir, path)).isDirectory() ? "700" : "600"]);
});

describe("damage is loud", () => {
  test("a corrupt records database refuses to start, naming the file", async () => {
    const dir = dataDir();
    t = await startEcr({ dataDir: dir, repositories: ["app"] });
    await t.stop();
    t = undefined;
    const fd = openSync(join(dir, "records.db"), "r+");
    writeSync(fd, Buffer.from("this is not a SQLite database"), 0, 29, 0);
    closeSync(fd);
    const r = await run(process.execPath, ["--import", "tsx", join(ROOT, "src/cli.ts"), "--port", "0", "--data-dir", dir], { cwd: ROOT });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`ecr-layer-server: the records database ${join(dir, "records.db")} is damaged (file is not a database); restore it from a backup\n`);
  });

  test("a layer whose bytes vanished or changed: downloads fail with a server error and fsck names each one", async () => {
    const dir = dataDir();
    t = await startEcr({ dataDir: dir, repositories: ["app"], settings: { minPartSize: 1 } });
    const [config, gone, altered, fine] = [randomBytes(100), randomBytes(2000), randomBytes(3000), randomBytes(4000)];
    for (const b of [config, gone, altered, fine]) await pushBlob(t.client, b);
    await putImage(t.client, ociManifest(config, [gone, altered, fine]), "v1");
    const blobFile = (b: Buffer) => join(dir, "blobs", REGISTRY, "sha256", sha256(b).slice(7));
    rmSync(blobFile(gone));
    const bytes = readFileSync(blobFile(altered));
    bytes[1500] ^= 1;
    writeFileSync(blobFile(altered), bytes);
    writeFileSync(join(dir, "blobs", REGISTRY, "sha256", "f".repeat(64)), "stray");

    const url = async (b: Buffer) => (await t!.client.send(new GetDownloadUrlForLayerCommand({ repositoryName: "app", layerDigest: sha256(b) }))).downloadUrl!;
    expect((await fetch(await url(gone))).status).toBe(500);
    // Same size, other bytes: the download is cut off before its end, never served whole.
    const alteredUrl = await url(altered);
    await expect(fetch(alteredUrl).then((res) => res.arrayBuffer())).rejects.toThrow();
    expect(Buffer.from(await (await fetch(await url(fine))).arrayBuffer()).equals(fine)).toBe(true);
    await t.stop();

    const r = await run(process.execPath, ["--import", "tsx", join(ROOT, "src/cli.ts"), "fsck", "--data-dir", dir], { cwd: ROOT });
    expect(r.stdout.split("\n").filter((l) => l.startsWith("PROBLEM")).sort()).toEqual(
      [
        `PROBLEM file blobs/${REGISTRY}/sha256/${"f".repeat(64)}: no layer record accounts for it`,
        `PROBLEM layer ${REGISTRY}/${sha256(altered)}: its bytes do not hash to its digest`,
        `PROBLEM layer ${REGISTRY}/${sha256(gone)}: its bytes are missing (${blobFile(gone)})`,
      ].sort(),
    );
    expect(r.stdout).toContain(`fsck ${dir}: 4 layers (7100 bytes re-hashed), 0 uploads, 1 images: 3 problem(s)\n`);
    expect(r.status).toBe(1);
  });

  test("fsck of a healthy data dir finds nothing and exits 0", async () => {
    const dir = dataDir();
    t = await startEcr({ dataDir: dir, repositories: ["app"], settings: { minPartSize: 1 } });
    const [config, layer] = [randomBytes(10), randomBytes(5000)];
    for (const b of [config, layer]) await pushBlob(t.client, b);
    await putImage(t.client, ociManifest(config, [layer]), "v1");
    await t.stop();
    const r = await run(process.execPath, ["--import", "tsx", join(ROOT, "src/cli.ts"), "fsck", "--data-dir", dir], { cwd: ROOT });
    expect([r.status, r.stdout]).toEqual([0, `fsck ${dir}: 2 layers (5010 bytes re-hashed), 0 uploads, 1 images: 0 problem(s)\n`]);
  });
});

describe("a data dir of the journal format (version 0.1)", () => {
  const UPLOAD = randomUUID();
  const journalLine = (record: object) => {
    const json = JSON.stringify(record);
    return `${crc32(json).toString(16).padStart(8, "0")} ${json}\n`;
  };

  /** A 0.1 data dir: a snapshot with a repository, a layer, an image and an upload, and journal records after it. */
  function legacyDataDir() {
    const dir = dataDir();
    const config = Buffer.from("{}");
    const layer = randomBytes(3000);
    const partial = randomBytes(1500);
    const manifest = ociManifest(config, [layer]);
    for (const b of [config, layer]) {
      mkdirSync(join(dir, "blobs", REGISTRY, "sha256"), { recursive: true });
      writeFileSync(join(dir, "blobs", REGISTRY, "sha256", sha256(b).slice(7)), b);
    }
    mkdirSync(join(dir, "uploads", REGISTRY), { recursive: true });
    writeFileSync(join(dir, "uploads", REGISTRY, UPLOAD), partial);
    mkdirSync(join(dir, "meta"));
    const repo = (name: string) => ({ name, createdAt: 1_700_000_000_000, imageTagMutability: "MUTABLE", scanOnPush: false, encryptionType: "AES256" });
    writeFileSync(
      join(dir, "meta", "snapshot.json"),
      JSON.stringify({
        version: 1,
        registries: {
          [REGISTRY]: {
            repositories: [
              {
                record: { ...repo("app"), tags: [{ Key: "team", Value: "core" }] },
                layers: [
                  [sha256(config), "application/vnd.oci.image.config.v1+json"],
                  [sha256(layer), null],
                ],
                images: [{ digest: sha256(manifest), manifest, mediaType: "application/vnd.oci.image.manifest.v1+json", pushedAt: 1_700_000_000_000, references: [sha256(config), sha256(layer)] }],
                tags: [["v1", sha256(manifest)]],
              },
            ],
            uploads: [{ id: UPLOAD, repository: "app", createdAt: Date.now(), touchedAt: Date.now(), length: 1000, parts: 1, lastPart: { first: 0, last: 999 } }],
            blobs: [
              [sha256(config), config.byteLength],
              [sha256(layer), layer.byteLength],
            ],
          },
        },
      }),
    );
    writeFileSync(join(dir, "meta", "journal.log"), journalLine({ t: "repo.put", r: REGISTRY, repo: repo("later") }));
    writeFileSync(join(dir, "meta", "signing-key"), randomBytes(32));
    return { dir, config, layer, partial, manifest };
  }

  test("is imported once: every record carried over, uploads resume, meta/ kept aside", async () => {
    const { dir, layer, partial, manifest } = legacyDataDir();
    appendFileSync(join(dir, "meta", "journal.log"), '1234abcd {"t":"repo.put","r":"1234'); // a torn tail
    t = await startEcr({ dataDir: dir, settings: { minPartSize: 1 } });
    const names = (await t.client.send(new DescribeRepositoriesCommand({}))).repositories!.map((r) => r.repositoryName);
    expect(names).toEqual(["app", "later"]);
    const got = await t.client.send(new BatchGetImageCommand({ repositoryName: "app", imageIds: [{ imageTag: "v1" }] }));
    expect(got.images![0].imageManifest).toBe(manifest);
    const check = await t.client.send(new BatchCheckLayerAvailabilityCommand({ repositoryName: "app", layerDigests: [sha256(layer)] }));
    expect(check.layers![0]).toMatchObject({ layerAvailability: "AVAILABLE", layerSize: 3000 });
    expect(await t.ecr.store.getRepositoryTags(REGISTRY, "app")).toEqual([{ Key: "team", Value: "core" }]);
    // The upload resumes from its committed 1000 bytes (its file held 1500: a torn tail).
    await t.client.send(new UploadLayerPartCommand({ repositoryName: "app", uploadId: UPLOAD, partFirstByte: 1000, partLastByte: 1499, layerPartBlob: partial.subarray(1000) }));
    expect(existsSync(join(dir, "meta"))).toBe(false);
    expect(readdirSync(join(dir, "meta-journal-imported")).sort()).toEqual(["journal.log", "signing-key", "snapshot.json"]);
    await t.stop();
    // A restart reads the database alone.
    t = await startEcr({ dataDir: dir });
    expect((await t.client.send(new DescribeRepositoriesCommand({}))).repositories!.map((r) => r.repositoryName)).toEqual(["app", "later"]);
  });

  test("a meta/ written again by 0.1 after the upgrade is refused, not set aside unread", async () => {
    const { dir } = legacyDataDir();
    t = await startEcr({ dataDir: dir });
    await t.stop();
    t = undefined;
    // 0.1 started again on the dir: it ignores records.db and journals a new repository.
    mkdirSync(join(dir, "meta"));
    writeFileSync(join(dir, "meta", "journal.log"), journalLine({ t: "repo.put", r: REGISTRY, repo: { name: "made-by-0.1", createdAt: 1, imageTagMutability: "MUTABLE", scanOnPush: false, encryptionType: "AES256" } }));
    const files = listing(dir);
    const err = await failure(startEcr({ dataDir: dir }));
    delete files["/lock.pid"];
    expect(err.message).toBe(
      `the data dir ${dir} holds both records.db and a journal-format meta/ that was not imported (was version 0.1 run on it after the upgrade?); ` +
        "move meta/ out of the data dir to keep the database, or remove the database to import meta/ instead",
    );
    const now = listing(dir);
    delete now["/lock.pid"];
    expect(now).toEqual(files);
    expect(readdirSync(join(dir, "meta-journal-imported")).sort()).toEqual(["journal.log", "signing-key", "snapshot.json"]);
  });

  test("one damaged before its last record is refused, and nothing is changed", async () => {
    const { dir } = legacyDataDir();
    const good = readFileSync(join(dir, "meta", "journal.log"), "utf8");
    writeFileSync(join(dir, "meta", "journal.log"), good.replace('"later"', '"latex"') + journalLine({ t: "repo.del", r: REGISTRY, name: "later" }));
    const files = listing(dir);
    const err = await failure(startEcr({ dataDir: dir }));
    expect(err.message).toBe(`the journal ${join(dir, "meta", "journal.log")} is damaged at byte 0, before its last record; nothing was imported`);
    const now = listing(dir);
    for (const f of ["/lock", "/lock.pid"]) delete now[f];
    expect(now).toEqual(files);
  });
});
