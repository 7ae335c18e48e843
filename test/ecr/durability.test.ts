// What was acknowledged survives restarts and SIGKILL; what was not leaves no trace.
import { randomBytes } from "node:crypto";
import { appendFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  BatchCheckLayerAvailabilityCommand,
  CompleteLayerUploadCommand,
  CreateRepositoryCommand,
  InitiateLayerUploadCommand,
  UploadLayerPartCommand,
  type ECRClient,
} from "@aws-sdk/client-ecr";
import { ecrClient } from "../helpers/ecr-client";
import { MiB, sha256 } from "../helpers/digests";
import { failure, REGISTRY, startEcr, tempDataDir, type TestEcr } from "../helpers/ecr-server";
import { startPartAndStall } from "../helpers/stalled-part";
import { startServerProcess, type ServerProcess } from "../helpers/server-process";

const part = (client: ECRClient, uploadId: string, first: number, blob: Uint8Array) =>
  client.send(new UploadLayerPartCommand({ repositoryName: "app", uploadId, partFirstByte: first, partLastByte: first + blob.byteLength - 1, layerPartBlob: blob }));
const complete = (client: ECRClient, uploadId: string, digest: string) =>
  client.send(new CompleteLayerUploadCommand({ repositoryName: "app", uploadId, layerDigests: [digest] }));
const available = async (client: ECRClient, digest: string) =>
  (await client.send(new BatchCheckLayerAvailabilityCommand({ repositoryName: "app", layerDigests: [digest] }))).layers![0];

/** The committed length, as a client learns it: from the InvalidLayerPartException of a part sent at a wrong offset. */
async function committedLength(client: ECRClient, uploadId: string): Promise<number> {
  const err = await failure(part(client, uploadId, 999_999_999, Buffer.alloc(1)));
  expect(err.name).toBe("InvalidLayerPartException");
  return err.lastValidByteReceived + 1;
}

describe("in-process restarts", () => {
  let t: TestEcr | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  test("the server restarted between parts (same data dir) completes the push with the right digest", async () => {
    t = await startEcr({ settings: { minPartSize: 1 } });
    await t.client.send(new CreateRepositoryCommand({ repositoryName: "app" }));
    const layer = randomBytes(3 * MiB);
    const uploadId = (await t.client.send(new InitiateLayerUploadCommand({ repositoryName: "app" }))).uploadId!;
    await part(t.client, uploadId, 0, layer.subarray(0, MiB));
    await part(t.client, uploadId, MiB, layer.subarray(MiB, 2 * MiB));
    await t.stop();

    t = await startEcr({ dataDir: t.dataDir, settings: { minPartSize: 1 } });
    expect(await committedLength(t.client, uploadId)).toBe(2 * MiB);
    await part(t.client, uploadId, 2 * MiB, layer.subarray(2 * MiB));
    expect((await complete(t.client, uploadId, sha256(layer))).layerDigest).toBe(sha256(layer));
    await t.stop();

    t = await startEcr({ dataDir: t.dataDir });
    expect(await available(t.client, sha256(layer))).toMatchObject({ layerAvailability: "AVAILABLE", layerSize: 3 * MiB });
  });

  test("a connection dropped mid-body adds nothing", async () => {
    t = await startEcr({ settings: { minPartSize: 1 } });
    await t.client.send(new CreateRepositoryCommand({ repositoryName: "app" }));
    const layer = randomBytes(200_000);
    const uploadId = (await t.client.send(new InitiateLayerUploadCommand({ repositoryName: "app" }))).uploadId!;
    await part(t.client, uploadId, 0, layer.subarray(0, 100_000));
    const stalled = await startPartAndStall(t.url, uploadId, 100_000, layer.subarray(100_000), 60_000);
    stalled.abort();
    await new Promise((r) => setTimeout(r, 100));
    expect(await committedLength(t.client, uploadId)).toBe(100_000);
    await part(t.client, uploadId, 100_000, layer.subarray(100_000));
    expect((await complete(t.client, uploadId, sha256(layer))).layerDigest).toBe(sha256(layer));
  });

  test("a torn staging tail (a crash mid-part) never reaches the layer", async () => {
    t = await startEcr({ settings: { minPartSize: 1 } });
    await t.client.send(new CreateRepositoryCommand({ repositoryName: "app" }));
    const layer = randomBytes(5000);
    const uploadId = (await t.client.send(new InitiateLayerUploadCommand({ repositoryName: "app" }))).uploadId!;
    await part(t.client, uploadId, 0, layer.subarray(0, 3000));
    await t.stop();
    appendFileSync(join(t.dataDir, "uploads", REGISTRY, uploadId), randomBytes(777));

    t = await startEcr({ dataDir: t.dataDir, settings: { minPartSize: 1 } });
    expect(await committedLength(t.client, uploadId)).toBe(3000);
    await part(t.client, uploadId, 3000, layer.subarray(3000));
    expect((await complete(t.client, uploadId, sha256(layer))).layerDigest).toBe(sha256(layer));
    expect(statSync(join(t.dataDir, "blobs", REGISTRY, "sha256", sha256(layer).slice(7))).size).toBe(5000);
  });

  test("a torn tail after the last part is cut off when the layer completes", async () => {
    t = await startEcr({ settings: { minPartSize: 1 } });
    await t.client.send(new CreateRepositoryCommand({ repositoryName: "app" }));
    const layer = randomBytes(3000);
    const uploadId = (await t.client.send(new InitiateLayerUploadCommand({ repositoryName: "app" }))).uploadId!;
    await part(t.client, uploadId, 0, layer);
    await t.stop();
    appendFileSync(join(t.dataDir, "uploads", REGISTRY, uploadId), randomBytes(777));

    t = await startEcr({ dataDir: t.dataDir });
    expect((await complete(t.client, uploadId, sha256(layer))).layerDigest).toBe(sha256(layer));
    expect(statSync(join(t.dataDir, "blobs", REGISTRY, "sha256", sha256(layer).slice(7))).size).toBe(3000);
  });
});

describe("SIGKILL of the server process (fsync on)", () => {
  let proc: ServerProcess | undefined;
  let dataDir: string;
  beforeEach(() => {
    dataDir = tempDataDir();
  });
  afterEach(async () => {
    await proc?.stop("SIGKILL");
    proc = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });
  const start = async () => {
    proc = await startServerProcess(["--port", "0", "--data-dir", dataDir, "--registry-id", REGISTRY, "--repository", "app"]);
    return ecrClient(proc.url);
  };

  test("killed in the middle of a part: restarted, the upload resumes from its committed length and the digest is right", async () => {
    let client = await start();
    const layer = randomBytes(12 * MiB);
    const uploadId = (await client.send(new InitiateLayerUploadCommand({ repositoryName: "app" }))).uploadId!;
    await part(client, uploadId, 0, layer.subarray(0, 6 * MiB));
    const stalled = await startPartAndStall(proc!.url, uploadId, 6 * MiB, layer.subarray(6 * MiB), 4 * MiB);
    expect(await proc!.stop("SIGKILL")).toBe("SIGKILL");
    stalled.abort();

    client = await start();
    const committed = await committedLength(client, uploadId);
    expect(committed).toBe(6 * MiB);
    await part(client, uploadId, committed, layer.subarray(committed));
    expect((await complete(client, uploadId, sha256(layer))).layerDigest).toBe(sha256(layer));
  }, 60_000);

  test("SIGTERM: a part in flight may finish, a stalled one is cut off after the grace period, nothing partial stays", async () => {
    proc = await startServerProcess(["--port", "0", "--data-dir", dataDir, "--registry-id", REGISTRY, "--repository", "app", "--shutdown-grace", "1"]);
    let client = ecrClient(proc.url);
    const layer = randomBytes(2 * MiB);
    const u1 = (await client.send(new InitiateLayerUploadCommand({ repositoryName: "app" }))).uploadId!;
    const u2 = (await client.send(new InitiateLayerUploadCommand({ repositoryName: "app" }))).uploadId!;
    const finishing = await startPartAndStall(proc.url, u1, 0, layer, MiB);
    const stalled = await startPartAndStall(proc.url, u2, 0, layer, MiB);
    proc.child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 200));
    expect(await finishing.finish()).toBe(200);
    expect(await proc.exited).toBe(0);
    expect(stalled.closed()).toBe(true);
    expect(statSync(join(dataDir, "uploads", REGISTRY, u2)).size).toBe(0);

    client = await start();
    expect(await committedLength(client, u1)).toBe(2 * MiB);
    expect(await committedLength(client, u2)).toBe(0);
    expect((await complete(client, u1, sha256(layer))).layerDigest).toBe(sha256(layer));
  }, 60_000);

  test("a layer acknowledged just before the kill is there after the restart", async () => {
    let client = await start();
    const layer = randomBytes(7 * MiB);
    const uploadId = (await client.send(new InitiateLayerUploadCommand({ repositoryName: "app" }))).uploadId!;
    await part(client, uploadId, 0, layer);
    await complete(client, uploadId, sha256(layer));
    await proc!.stop("SIGKILL");

    client = await start();
    expect(await available(client, sha256(layer))).toEqual({
      layerDigest: sha256(layer),
      layerAvailability: "AVAILABLE",
      layerSize: 7 * MiB,
      mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip",
    });
  }, 60_000);
});
