// Resource limits: uploads per repository, bodies in flight, and clients that stall.
import { randomBytes } from "node:crypto";
import { CreateRepositoryCommand, InitiateLayerUploadCommand, UploadLayerPartCommand } from "@aws-sdk/client-ecr";
import { failure, startEcr, type TestEcr } from "../helpers/ecr-server";
import { startPartAndStall } from "../helpers/stalled-part";

let t: TestEcr | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function committed(uploadId: string): Promise<number> {
  const err = await failure(
    t!.client.send(new UploadLayerPartCommand({ repositoryName: "app", uploadId, partFirstByte: 999_999, partLastByte: 999_999, layerPartBlob: new Uint8Array(1) })),
  );
  return err.lastValidByteReceived + 1;
}

test("a repository's open uploads are limited: ThrottlingException, which InitiateLayerUpload's clients all know", async () => {
  t = await startEcr({ repositories: ["app"], settings: { maxUploadsPerRepository: 2 } });
  await t.client.send(new InitiateLayerUploadCommand({ repositoryName: "app" }));
  await t.client.send(new InitiateLayerUploadCommand({ repositoryName: "app" }));
  const err = await failure(t.client.send(new InitiateLayerUploadCommand({ repositoryName: "app" })));
  expect([err.name, err.message]).toEqual(["ThrottlingException", "Rate exceeded: the repository with name 'app' already has the maximum of 2 uploads in progress"]);
  await t.client.send(new CreateRepositoryCommand({ repositoryName: "other" }));
  expect((await t.client.send(new InitiateLayerUploadCommand({ repositoryName: "other" }))).uploadId).toBeDefined();
});

test("bodies in flight are bounded: one more is refused with ThrottlingException until one finishes", async () => {
  t = await startEcr({ repositories: ["app"], maxBodiesInFlight: 1 });
  const { uploadId } = await t.client.send(new InitiateLayerUploadCommand({ repositoryName: "app" }));
  const stalled = await startPartAndStall(t.url, uploadId!, 0, randomBytes(100_000), 50_000);
  await new Promise((r) => setTimeout(r, 100));
  const err = await failure(t.client.send(new InitiateLayerUploadCommand({ repositoryName: "app" })));
  expect([err.name, err.$metadata.httpStatusCode, err.message]).toEqual(["ThrottlingException", 400, "Rate exceeded: too many requests are being received at once"]);
  stalled.abort();
  await new Promise((r) => setTimeout(r, 100));
  expect((await t.client.send(new InitiateLayerUploadCommand({ repositoryName: "app" }))).uploadId).toBeDefined();
});

test("a client that stalls mid-part is cut off at the request timeout, and its part adds nothing", async () => {
  t = await startEcr({ repositories: ["app"], listen: { headersTimeoutMs: 300, requestTimeoutMs: 600 } });
  const { uploadId } = await t.client.send(new InitiateLayerUploadCommand({ repositoryName: "app" }));
  const stalled = await startPartAndStall(t.url, uploadId!, 0, randomBytes(100_000), 50_000);
  await new Promise((r) => setTimeout(r, 1500));
  expect(stalled.closed()).toBe(true);
  expect([undefined, 408]).toContain(stalled.status());
  expect(await committed(uploadId!)).toBe(0);
});
