// Layer push through the real SDK, exactly as ECR does it: part ranges, digests, resends, limits, expiry.
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import {
  BatchCheckLayerAvailabilityCommand,
  CompleteLayerUploadCommand,
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  EmptyUploadException,
  InitiateLayerUploadCommand,
  InvalidLayerException,
  InvalidLayerPartException,
  LayerAlreadyExistsException,
  LayerPartTooSmallException,
  LimitExceededException,
  UploadLayerPartCommand,
  UploadNotFoundException,
  type ECRClient,
} from "@aws-sdk/client-ecr";
import { MiB, sha256 } from "../helpers/digests";
import { failure, REGISTRY, startEcr, type TestEcr } from "../helpers/ecr-server";


let t: TestEcr;
afterEach(() => t?.close());

async function setup(options: Parameters<typeof startEcr>[0] = {}) {
  t = await startEcr(options);
  await t.client.send(new CreateRepositoryCommand({ repositoryName: "app" }));
  return t.client;
}

const initiate = async (client: ECRClient, repositoryName = "app") =>
  (await client.send(new InitiateLayerUploadCommand({ repositoryName }))).uploadId!;

const part = (client: ECRClient, uploadId: string, first: number, blob: Uint8Array, repositoryName = "app", last = first + blob.byteLength - 1) =>
  client.send(new UploadLayerPartCommand({ repositoryName, uploadId, partFirstByte: first, partLastByte: last, layerPartBlob: blob }));

const complete = (client: ECRClient, uploadId: string, layerDigests: string[], repositoryName = "app") =>
  client.send(new CompleteLayerUploadCommand({ repositoryName, uploadId, layerDigests }));

async function push(client: ECRClient, layer: Buffer, partSize: number, repositoryName = "app") {
  const uploadId = await initiate(client, repositoryName);
  for (let first = 0; first < layer.byteLength; first += partSize) {
    await part(client, uploadId, first, layer.subarray(first, Math.min(first + partSize, layer.byteLength)), repositoryName);
  }
  return { uploadId, result: await complete(client, uploadId, [sha256(layer)], repositoryName) };
}

test("a 50 MiB random layer pushed in 10 MiB parts is available with its size and default media type", async () => {
  const client = await setup();
  const layer = randomBytes(50 * MiB);
  const uploadId = await initiate(client);
  for (let i = 0; i < 5; i++) {
    const out = await part(client, uploadId, i * 10 * MiB, layer.subarray(i * 10 * MiB, (i + 1) * 10 * MiB));
    expect(out).toMatchObject({ registryId: REGISTRY, repositoryName: "app", uploadId, lastByteReceived: (i + 1) * 10 * MiB - 1 });
  }
  const done = await complete(client, uploadId, [sha256(layer)]);
  expect(done).toMatchObject({ registryId: REGISTRY, repositoryName: "app", uploadId, layerDigest: sha256(layer) });

  const check = await client.send(new BatchCheckLayerAvailabilityCommand({ repositoryName: "app", layerDigests: [sha256(layer)] }));
  expect(check.layers).toEqual([
    { layerDigest: sha256(layer), layerAvailability: "AVAILABLE", layerSize: 50 * MiB, mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip" },
  ]);
  expect(check.failures).toEqual([]);
}, 120_000);

test("InitiateLayerUpload returns a UUID and the part size", async () => {
  const client = await setup();
  const out = await client.send(new InitiateLayerUploadCommand({ repositoryName: "app" }));
  expect(out.uploadId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(out.partSize).toBe(10485760);
});

test("a completed upload is consumed", async () => {
  const client = await setup();
  const layer = randomBytes(1000);
  const { uploadId } = await push(client, layer, 1000);
  for (const call of [part(client, uploadId, 1000, randomBytes(10)), complete(client, uploadId, [sha256(layer)])]) {
    const err = await failure(call);
    expect(err).toBeInstanceOf(UploadNotFoundException);
    expect(err.message).toBe(`The upload with id '${uploadId}' does not exist in the repository with name 'app' in the registry with id '${REGISTRY}'`);
  }
});

describe("part ranges", () => {
  test("a part that does not start at the next byte is InvalidLayerPartException stating the expected byte", async () => {
    const client = await setup();
    const uploadId = await initiate(client);
    await part(client, uploadId, 0, randomBytes(100));
    const err = await failure(part(client, uploadId, 150, randomBytes(50)));
    expect(err).toBeInstanceOf(InvalidLayerPartException);
    expect({ ...err, $metadata: undefined, $response: undefined }).toMatchObject({
      registryId: REGISTRY,
      repositoryName: "app",
      uploadId,
      lastValidByteReceived: 99,
    });
    expect(err.message).toBe("First byte of the layer part is 150 instead of 100");
  });

  test("the first part must start at 0", async () => {
    const client = await setup();
    const uploadId = await initiate(client);
    const err = await failure(part(client, uploadId, 1, randomBytes(5)));
    expect(err).toBeInstanceOf(InvalidLayerPartException);
    expect(err.lastValidByteReceived).toBe(-1);
    expect(err.message).toBe("First byte of the layer part is 1 instead of 0");
  });

  test("a blob whose length differs from the range is refused and adds nothing", async () => {
    const client = await setup();
    const uploadId = await initiate(client);
    const err = await failure(part(client, uploadId, 0, randomBytes(10), "app", 19));
    expect(err).toBeInstanceOf(InvalidLayerPartException);
    expect(err.message).toBe("The part's range 0-19 covers 20 bytes but its blob has 10 bytes");
    expect(err.lastValidByteReceived).toBe(-1);
    const layer = randomBytes(10);
    await part(client, uploadId, 0, layer);
    expect((await complete(client, uploadId, [sha256(layer)])).layerDigest).toBe(sha256(layer));
  });

  test("an upload used from another repository, or an unknown id, is UploadNotFoundException", async () => {
    const client = await setup();
    await client.send(new CreateRepositoryCommand({ repositoryName: "other" }));
    const uploadId = await initiate(client);
    const err = await failure(part(client, uploadId, 0, randomBytes(10), "other"));
    expect(err).toBeInstanceOf(UploadNotFoundException);
    expect(err.message).toBe(`The upload with id '${uploadId}' does not exist in the repository with name 'other' in the registry with id '${REGISTRY}'`);
    const unknown = await failure(part(client, "11111111-2222-4333-8444-555555555555", 0, randomBytes(10)));
    expect(unknown).toBeInstanceOf(UploadNotFoundException);
    const layer = randomBytes(10);
    await part(client, uploadId, 0, layer);
    expect((await complete(client, uploadId, [sha256(layer)])).layerDigest).toBe(sha256(layer));
  });

  test("a resend of the last accepted part gets the same answer and appends nothing", async () => {
    const client = await setup({ settings: { minPartSize: 1000 } });
    const layer = randomBytes(3000);
    const uploadId = await initiate(client);
    const first = await part(client, uploadId, 0, layer.subarray(0, 1000));
    const resent = await part(client, uploadId, 0, layer.subarray(0, 1000));
    expect({ ...resent, $metadata: undefined }).toEqual({ ...first, $metadata: undefined });
    await part(client, uploadId, 1000, layer.subarray(1000, 3000));
    await part(client, uploadId, 1000, layer.subarray(1000, 3000));
    expect((await complete(client, uploadId, [sha256(layer)])).layerDigest).toBe(sha256(layer));
  });

  test("a part with the last part's range but other bytes is refused", async () => {
    const client = await setup();
    const uploadId = await initiate(client);
    await part(client, uploadId, 0, Buffer.alloc(100, 1));
    const err = await failure(part(client, uploadId, 0, Buffer.alloc(100, 2)));
    expect(err).toBeInstanceOf(InvalidLayerPartException);
    expect(err.lastValidByteReceived).toBe(99);
  });

  test("concurrent parts for one upload are serialized: exactly one extends it", async () => {
    const client = await setup();
    const uploadId = await initiate(client);
    const a = Buffer.alloc(1000, 0xaa);
    const b = Buffer.alloc(1000, 0xbb);
    const results = await Promise.allSettled([part(client, uploadId, 0, a), part(client, uploadId, 0, b)]);
    const ok = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(ok).toHaveLength(1);
    expect(refused.map((r) => [r.reason.name, r.reason.lastValidByteReceived])).toEqual([["InvalidLayerPartException", 999]]);
    const winner = results[0].status === "fulfilled" ? a : b;
    expect((await complete(client, uploadId, [sha256(winner)])).layerDigest).toBe(sha256(winner));
  });

  test("identical concurrent parts (a client retrying early) both succeed and append once", async () => {
    const client = await setup();
    const uploadId = await initiate(client);
    const layer = randomBytes(2000);
    const [x, y] = await Promise.all([part(client, uploadId, 0, layer), part(client, uploadId, 0, layer)]);
    expect([x.lastByteReceived, y.lastByteReceived]).toEqual([1999, 1999]);
    expect((await complete(client, uploadId, [sha256(layer)])).layerDigest).toBe(sha256(layer));
  });

  test("parts and bytes beyond the limits are LimitExceededException", async () => {
    const client = await setup({ settings: { maxPartsPerLayer: 2, maxLayerBytes: 250 } });
    const uploadId = await initiate(client);
    await part(client, uploadId, 0, randomBytes(100));
    const big = await failure(part(client, uploadId, 100, randomBytes(151)));
    expect(big).toBeInstanceOf(LimitExceededException);
    expect(big.message).toBe("The layer would exceed the maximum size of 250 bytes");
    await part(client, uploadId, 100, randomBytes(100));
    const many = await failure(part(client, uploadId, 200, randomBytes(10)));
    expect(many).toBeInstanceOf(LimitExceededException);
    expect(many.message).toBe(`The upload with id '${uploadId}' already has the maximum of 2 parts`);
  });
});

describe("completing", () => {
  test("an upload with no bytes is EmptyUploadException", async () => {
    const client = await setup();
    const uploadId = await initiate(client);
    const err = await failure(complete(client, uploadId, [sha256(Buffer.alloc(0))]));
    expect(err).toBeInstanceOf(EmptyUploadException);
    // devcontainers/cli#814 quotes real ECR's words.
    expect(err.message).toBe(
      `The upload with id '${uploadId}' in the repository with name 'app' in registry with id '${REGISTRY}' cannot be completed because it does not have any parts`,
    );
  });

  test("a small part before the last is LayerPartTooSmallException", async () => {
    const client = await setup({ settings: { minPartSize: 1000 } });
    const layer = randomBytes(2500);
    const uploadId = await initiate(client);
    await part(client, uploadId, 0, layer.subarray(0, 1000));
    await part(client, uploadId, 1000, layer.subarray(1000, 1999));
    await part(client, uploadId, 1999, layer.subarray(1999));
    const err = await failure(complete(client, uploadId, [sha256(layer)]));
    expect(err).toBeInstanceOf(LayerPartTooSmallException);
    // ECR's words (dotnet/sdk-container-builds#424) with this server's configured minimum.
    expect(err.message).toBe("All layer parts except the last part should be at least 1000 bytes");
  });

  test("with ECR's default minimum, the message is ECR's own: 5MB", async () => {
    const client = await setup();
    const uploadId = await initiate(client);
    await part(client, uploadId, 0, Buffer.from("a"));
    await part(client, uploadId, 1, Buffer.from("b"));
    const err = await failure(complete(client, uploadId, [sha256("ab")]));
    expect([err.name, err.message]).toEqual(["LayerPartTooSmallException", "All layer parts except the last part should be at least 5MB"]);
  });

  test("a small last part is fine", async () => {
    const client = await setup({ settings: { minPartSize: 1000 } });
    const layer = randomBytes(1001);
    const { result } = await push(client, layer, 1000);
    expect(result.layerDigest).toBe(sha256(layer));
  });

  test("a wrong digest is InvalidLayerException and the upload stays for a retry", async () => {
    const client = await setup();
    const layer = randomBytes(5000);
    const uploadId = await initiate(client);
    await part(client, uploadId, 0, layer);
    const wrong = `sha256:${"0".repeat(64)}`;
    const err = await failure(complete(client, uploadId, [wrong, "sha512:abcd"]));
    expect(err).toBeInstanceOf(InvalidLayerException);
    // dotnet/sdk-container-builds#424 quotes real ECR's words.
    expect(err.message).toBe("None of the provided layer digests match the calculated layer digest");
    expect((await complete(client, uploadId, [wrong, sha256(layer)])).layerDigest).toBe(sha256(layer));
  });

  test("a layer the repository already has is LayerAlreadyExistsException; another repository may share it", async () => {
    const client = await setup();
    await client.send(new CreateRepositoryCommand({ repositoryName: "other" }));
    const layer = randomBytes(4096);
    await push(client, layer, 4096);
    const uploadId = await initiate(client);
    await part(client, uploadId, 0, layer);
    const err = await failure(complete(client, uploadId, [sha256(layer)]));
    expect(err).toBeInstanceOf(LayerAlreadyExistsException);
    expect(err.message).toBe(`The layer with digest '${sha256(layer)}' already exists in the repository with name 'app' in registry with id '${REGISTRY}'`);

    await push(client, layer, 4096, "other");
    const blobs = readdirSync(join(t.dataDir, "blobs", REGISTRY, "sha256"));
    expect(blobs).toEqual([sha256(layer).slice(7)]);
    const check = await client.send(new BatchCheckLayerAvailabilityCommand({ repositoryName: "other", layerDigests: [sha256(layer)] }));
    expect(check.layers![0]).toMatchObject({ layerAvailability: "AVAILABLE", layerSize: 4096 });
  });
});

test("BatchCheckLayerAvailability: available, unavailable, malformed and empty digests", async () => {
  const client = await setup();
  const layer = randomBytes(100);
  await push(client, layer, 100);
  const unknown = `sha256:${"b".repeat(64)}`;
  const out = await client.send(
    new BatchCheckLayerAvailabilityCommand({ repositoryName: "app", layerDigests: [sha256(layer), unknown, "sha256:xyz", ""] }),
  );
  expect(out.layers).toEqual([
    { layerDigest: sha256(layer), layerAvailability: "AVAILABLE", layerSize: 100, mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip" },
    { layerDigest: unknown, layerAvailability: "UNAVAILABLE" },
  ]);
  expect(out.failures).toEqual([
    { layerDigest: "sha256:xyz", failureCode: "InvalidLayerDigest", failureReason: "'sha256:xyz' is not a sha256 digest (sha256: and 64 hex digits)" },
    { layerDigest: "", failureCode: "MissingLayerDigest", failureReason: "The layer digest is empty" },
  ]);
});

test("an idle upload expires: UploadNotFoundException, and the sweeper frees its space", async () => {
  const client = await setup({ settings: { uploadTtlMs: 400 } });
  const uploadId = await initiate(client);
  await part(client, uploadId, 0, randomBytes(100));
  const staging = join(t.dataDir, "uploads", REGISTRY, uploadId);
  expect(existsSync(staging)).toBe(true);
  await new Promise((r) => setTimeout(r, 900));
  const err = await failure(part(client, uploadId, 100, randomBytes(100)));
  expect(err).toBeInstanceOf(UploadNotFoundException);
  expect(existsSync(staging)).toBe(false);
});

test("deleting a repository removes its uploads and layers", async () => {
  const client = await setup();
  const layer = randomBytes(100);
  await push(client, layer, 100);
  const uploadId = await initiate(client);
  await part(client, uploadId, 0, randomBytes(10));
  await client.send(new DeleteRepositoryCommand({ repositoryName: "app" }));
  await client.send(new CreateRepositoryCommand({ repositoryName: "app" }));
  expect(await failure(part(client, uploadId, 10, randomBytes(10)))).toBeInstanceOf(UploadNotFoundException);
  const check = await client.send(new BatchCheckLayerAvailabilityCommand({ repositoryName: "app", layerDigests: [sha256(layer)] }));
  expect(check.layers).toEqual([{ layerDigest: sha256(layer), layerAvailability: "UNAVAILABLE" }]);
  expect(readdirSync(join(t.dataDir, "uploads", REGISTRY))).toEqual([]);
  expect(readdirSync(join(t.dataDir, "blobs", REGISTRY, "sha256"))).toEqual([]);
});
