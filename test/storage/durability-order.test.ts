// The order of durable steps, recorded through the store's one I/O seam while real SDK calls run: bytes flushed and
// new directory entries flushed before the commit that acknowledges them; a completion recorded before its rename.
// Each list is exact, so removing any flush (or moving it after the commit) fails here.
import { randomBytes } from "node:crypto";
import { BatchCheckLayerAvailabilityCommand, CompleteLayerUploadCommand, CreateRepositoryCommand, InitiateLayerUploadCommand, UploadLayerPartCommand } from "@aws-sdk/client-ecr";
import { EmbeddedStore } from "../../src/storage/embedded/store";
import { sha256 } from "../helpers/digests";
import { REGISTRY, startEcr, tempDataDir, type TestEcr } from "../helpers/ecr-server";
import { recordingIO } from "./recording-io";

let t: TestEcr | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

test("every acknowledged change is flushed, file and directory, before its commit", async () => {
  const dataDir = tempDataDir();
  const rec = recordingIO(dataDir);
  const store = await EmbeddedStore.open({ dataDir, fsync: true, io: rec.io });
  t = await startEcr({ dataDir, store, settings: { minPartSize: 1 } });
  const layer = randomBytes(3000);
  const digest = sha256(layer);
  const hex = digest.slice(7);
  const step = async (call: () => Promise<unknown>) => {
    rec.take();
    await call();
    return rec.take();
  };
  const R = REGISTRY;

  expect(await step(() => t!.client.send(new CreateRepositoryCommand({ repositoryName: "app" })))).toEqual(["commit"]);
  let uploadId = "";
  expect(
    await step(async () => {
      uploadId = (await t!.client.send(new InitiateLayerUploadCommand({ repositoryName: "app" }))).uploadId!;
    }),
  ).toEqual(["commit"]);
  const part = (first: number, bytes: Buffer) =>
    step(() => t!.client.send(new UploadLayerPartCommand({ repositoryName: "app", uploadId, partFirstByte: first, partLastByte: first + bytes.byteLength - 1, layerPartBlob: bytes })));

  // The first part creates the registry's upload folder and the staging file: each new entry flushed into its parent.
  expect(await part(0, layer.subarray(0, 1000))).toEqual([
    "mkdir uploads",
    `mkdir uploads/${R}`,
    "syncDir .",
    "syncDir uploads",
    `open w uploads/${R}/${uploadId}`,
    `syncData uploads/${R}/${uploadId}`,
    `syncDir uploads/${R}`,
    "commit",
  ]);
  expect(await part(1000, layer.subarray(1000))).toEqual([`open r+ uploads/${R}/${uploadId}`, `syncData uploads/${R}/${uploadId}`, "commit"]);

  // Completion: the intent is committed, the bytes renamed into place and both folders flushed, then the layer committed.
  expect(await step(() => t!.client.send(new CompleteLayerUploadCommand({ repositoryName: "app", uploadId, layerDigests: [digest] })))).toEqual([
    "commit",
    "mkdir blobs",
    `mkdir blobs/${R}`,
    `mkdir blobs/${R}/sha256`,
    "syncDir .",
    "syncDir blobs",
    `syncDir blobs/${R}`,
    `rename uploads/${R}/${uploadId} blobs/${R}/sha256/${hex}`,
    `syncDir blobs/${R}/sha256`,
    `syncDir uploads/${R}`,
    "commit",
  ]);
});

test("a completion cut off between its intent and its rename is finished at the next open", async () => {
  const dataDir = tempDataDir();
  const rec = recordingIO(dataDir);
  // A disk whose rename fails: the process "dies" with the intent committed and the bytes still in staging.
  const crashing = { ...rec.io, rename: async () => Promise.reject(Object.assign(new Error("EIO: i/o error, rename"), { code: "EIO" })) };
  const store = await EmbeddedStore.open({ dataDir, fsync: true, io: crashing });
  t = await startEcr({ dataDir, store, repositories: ["app"], settings: { minPartSize: 1 } });
  const layer = randomBytes(2000);
  const { uploadId } = await t.client.send(new InitiateLayerUploadCommand({ repositoryName: "app" }));
  await t.client.send(new UploadLayerPartCommand({ repositoryName: "app", uploadId, partFirstByte: 0, partLastByte: 1999, layerPartBlob: layer }));
  const err = await t.client.send(new CompleteLayerUploadCommand({ repositoryName: "app", uploadId, layerDigests: [sha256(layer)] })).catch((e) => e);
  expect([err.name, err.$metadata.httpStatusCode]).toEqual(["ServerException", 500]);
  await t.stop();

  rec.take();
  const reopened = await EmbeddedStore.open({ dataDir, fsync: true, io: rec.io });
  try {
    expect(rec.take()).toEqual([
      `rename uploads/${REGISTRY}/${uploadId} blobs/${REGISTRY}/sha256/${sha256(layer).slice(7)}`,
      `syncDir blobs/${REGISTRY}/sha256`,
      `syncDir uploads/${REGISTRY}`,
      "commit",
    ]);
    expect(await reopened.getLayer(REGISTRY, "app", sha256(layer))).toEqual({ digest: sha256(layer), size: 2000, mediaType: undefined });
    expect(await reopened.getUpload(REGISTRY, uploadId!)).toBeUndefined();
  } finally {
    await reopened.close();
  }
  t = await startEcr({ dataDir, repositories: ["app"] });
  const check = await t.client.send(new BatchCheckLayerAvailabilityCommand({ repositoryName: "app", layerDigests: [sha256(layer)] }));
  expect(check.layers).toEqual([{ layerDigest: sha256(layer), layerAvailability: "AVAILABLE", layerSize: 2000, mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip" }]);
});
