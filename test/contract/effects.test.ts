// Each fault effect the kit offers, seen from a real client (the JS SDK, or fetch where the raw answer is the point),
// and the journal's bounds.
import { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient, InitiateLayerUploadCommand, PutImageCommand, UploadLayerPartCommand } from "@aws-sdk/client-ecr";
import { startContractEcr, type ContractEcr, type FaultRuleInput } from "../../src/testing";
import { failure } from "../helpers/ecr-server";
import { ociManifest, pushBlob } from "../helpers/push";

let ecr: ContractEcr;
const clients = (attempts: number) => new ECRClient({ ...ecr.clientConfig, maxAttempts: attempts });
afterEach(() => ecr?.close());
const start = async (options: Parameters<typeof startContractEcr>[0] = {}) => {
  ecr = await startContractEcr({ settings: { minPartSize: 1 }, repositories: ["app"], ...options });
  return ecr;
};
const describeRaw = () =>
  fetch(ecr.url, { method: "POST", headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories" }, body: "{}" });

test("a bare 503 is retried by the SDK; the journal shows both attempts of one invocation", async () => {
  await start();
  ecr.faults.add({ match: { operation: "DescribeRepositories" }, times: 1, effect: { type: "status", status: 503 } });
  const { repositories } = await clients(3).send(new DescribeRepositoriesCommand({}));
  expect(repositories!.map((r) => r.repositoryName)).toEqual(["app"]);
  const entries = ecr.journal.entries({ operation: "DescribeRepositories" });
  expect(entries.map((e) => [e.caller.attempt, e.status, e.error ?? null, e.fault?.effect ?? null])).toEqual([
    [1, 503, null, "status"],
    [2, 200, null, null],
  ]);
  expect(entries[1].caller.invocationId).toBe(entries[0].caller.invocationId);
});

test("latency before the handler delays the answer; latency after it delays only the answer: the change is already made", async () => {
  await start();
  ecr.faults.add({ match: { operation: "DescribeRepositories" }, times: 1, effect: { type: "latency", ms: 300 } });
  const t0 = Date.now();
  await clients(1).send(new DescribeRepositoriesCommand({}));
  expect(Date.now() - t0).toBeGreaterThanOrEqual(300);

  ecr.faults.add({ match: { operation: "CreateRepository" }, times: 1, effect: { type: "latency", ms: 1000, phase: "after" } });
  const create = fetch(ecr.url, {
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AmazonEC2ContainerRegistry_V20150921.CreateRepository" },
    body: JSON.stringify({ repositoryName: "slow" }),
    signal: AbortSignal.timeout(250),
  });
  await expect(create).rejects.toThrow(/aborted/);
  const { repositories } = await clients(1).send(new DescribeRepositoriesCommand({ repositoryNames: ["slow"] }));
  expect(repositories!.map((r) => r.repositoryName)).toEqual(["slow"]);
});

test("a truncated answer declares its length, sends half and closes; a garbled one is as long and no JSON", async () => {
  await start();
  const whole = await (await describeRaw()).text();
  ecr.faults.add({ match: { operation: "DescribeRepositories" }, times: 1, effect: { type: "truncate-response" } });
  const truncated = await describeRaw();
  expect(truncated.headers.get("content-length")).toBe(String(whole.length));
  await expect(truncated.text()).rejects.toThrow(/terminated/);
  ecr.faults.add({ match: { operation: "DescribeRepositories" }, times: 1, effect: { type: "garble-response" } });
  const garbled = await describeRaw();
  expect([garbled.status, await garbled.text()]).toEqual([200, "~".repeat(whole.length)]);
  // The SDK cannot read either.
  ecr.faults.add({ match: { operation: "DescribeRepositories" }, times: 1, effect: { type: "garble-response" } });
  expect((await failure(clients(1).send(new DescribeRepositoriesCommand({})))).message).toMatch(/Unexpected token|JSON/);
  expect(ecr.journal.entries({ operation: "DescribeRepositories" }).map((e) => [e.fault?.effect ?? null, e.delivered])).toEqual([
    [null, true],
    ["truncate-response", false],
    ["garble-response", true],
    ["garble-response", true],
  ]);
});

test("disk full: the store's next write fails for real (ServerException, nothing counted), and the resent part commits", async () => {
  await start();
  const client = clients(1);
  const { uploadId } = await client.send(new InitiateLayerUploadCommand({ repositoryName: "app" }));
  const part = (first: number, bytes: Buffer) => client.send(new UploadLayerPartCommand({ repositoryName: "app", uploadId, partFirstByte: first, partLastByte: first + bytes.byteLength - 1, layerPartBlob: bytes }));
  const bytes = Buffer.alloc(1000, 3);
  ecr.faults.add({ match: { operation: "UploadLayerPart" }, times: 1, effect: { type: "disk-full" } });
  const err = await failure(part(0, bytes));
  expect([err.name, err.$metadata.httpStatusCode]).toEqual(["ServerException", 500]);
  expect(ecr.disk.pending).toBe(0);
  await part(0, bytes);
  // And armed by hand: the next write of any kind (here the next part's) fails.
  ecr.disk.failNextWrite();
  expect((await failure(part(1000, bytes))).name).toBe("ServerException");
  await part(1000, bytes);
  expect(ecr.journal.entries({ operation: "UploadLayerPart" }).map((e) => [e.status, e.error ?? null, e.effects?.bytesAppended ?? null])).toEqual([
    [500, "ServerException", null],
    [200, null, 1000],
    [500, "ServerException", null],
    [200, null, 1000],
  ]);
});

test("a probability under a fixed seed picks the same calls on every run", async () => {
  const rule: FaultRuleInput = { match: { operation: "DescribeRepositories" }, probability: 0.5, seed: 42, effect: { type: "error", error: "ThrottlingException" } };
  const pattern = async () => {
    await start();
    ecr.faults.add(rule);
    const out: boolean[] = [];
    for (let i = 0; i < 24; i++) out.push(await clients(1).send(new DescribeRepositoriesCommand({})).then(() => false, () => true));
    await ecr.close();
    return out;
  };
  const first = await pattern();
  expect(await pattern()).toEqual(first);
  expect(first.filter(Boolean).length).toBeGreaterThan(4);
  expect(first.filter((x) => !x).length).toBeGreaterThan(4);
});

test("the journal keeps the last journalSize entries, and long strings only as length and digest", async () => {
  await start({ contract: { journalSize: 5 } });
  const client = clients(1);
  for (let i = 0; i < 6; i++) await client.send(new DescribeRepositoriesCommand({}));
  const config = Buffer.from("{}");
  await pushBlob(client, config);
  const manifest = ociManifest(config, [], 6000);
  await client.send(new PutImageCommand({ repositoryName: "app", imageManifest: manifest, imageTag: "v1" }));
  const entries = ecr.journal.entries();
  expect(entries.map((e) => e.seq)).toEqual([7, 8, 9, 10, 11]);
  expect(ecr.journal.size).toBe(5);
  const put = entries[4];
  expect(put.input!.imageManifest).toEqual({ length: manifest.length, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  expect(JSON.stringify(put).length).toBeLessThan(3000);
  ecr.journal.reset();
  expect(ecr.journal.entries()).toEqual([]);
  await client.send(new CreateRepositoryCommand({ repositoryName: "after" }));
  expect(ecr.journal.entries().map((e) => [e.seq, e.operation])).toEqual([[12, "CreateRepository"]]);
});

test("on the registry protocol: a PATCH cut off mid-body commits nothing, and the resend commits it once", async () => {
  await start();
  const start202 = await fetch(`${ecr.url}/v2/app/blobs/uploads/`, { method: "POST" });
  const location = start202.headers.get("location")!;
  ecr.faults.add({ match: { route: "PATCH upload" }, times: 1, effect: { type: "cut-request", afterBytes: 64 * 1024 } });
  const body = Buffer.alloc(4 << 20, 9);
  await expect(fetch(location, { method: "PATCH", headers: { "content-type": "application/octet-stream" }, body })).rejects.toThrow();
  const status = await fetch(location);
  expect([status.status, status.headers.get("range")]).toEqual([204, "0-0"]);
  const resent = await fetch(location, { method: "PATCH", headers: { "content-type": "application/octet-stream" }, body });
  expect([resent.status, resent.headers.get("range")]).toEqual([201, `0-${body.byteLength - 1}`]);
  const patches = ecr.journal.entries({ route: "PATCH upload" });
  expect(patches.map((e) => [e.delivered, e.error ?? null, e.effects ?? null, e.body?.sha256 === undefined])).toEqual([
    [false, "BLOB_UPLOAD_INVALID", null, true],
    [true, null, { bytesAppended: body.byteLength, firstByte: 0, uploadLength: body.byteLength }, false],
  ]);
  expect(patches[0].requestBytes).toBeLessThan(body.byteLength);
});
