// Request bodies take slots; a client must not be able to starve others of them: a stalled body is cut off after a
// short idle timeout, one caller holds at most its share, and a request whose signature cannot be valid takes none.
import { randomBytes } from "node:crypto";
import { request } from "node:http";
import { DescribeRepositoriesCommand, InitiateLayerUploadCommand, UploadLayerPartCommand } from "@aws-sdk/client-ecr";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { ecrClient } from "../helpers/ecr-client";
import { failure, startEcr, type TestEcr } from "../helpers/ecr-server";
import { startPartAndStall } from "../helpers/stalled-part";

const A = { accessKeyId: "AKIAACCOUNTA", secretAccessKey: "secret-a", accountId: "111111111111" };
const B = { accessKeyId: "AKIAACCOUNTB", secretAccessKey: "secret-b", accountId: "222222222222" };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let t: TestEcr | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

test("a body that stops arriving is cut off after the idle timeout (408), frees its slot and adds nothing", async () => {
  t = await startEcr({ repositories: ["app"], maxBodiesInFlight: 1, bodyIdleTimeoutMs: 300 });
  const { uploadId } = await t.client.send(new InitiateLayerUploadCommand({ repositoryName: "app" }));
  const stalled = await startPartAndStall(t.url, uploadId!, 0, randomBytes(100_000), 1);
  await sleep(100);
  expect((await failure(t.client.send(new DescribeRepositoriesCommand({})))).name).toBe("ThrottlingException");
  await sleep(600);
  expect([stalled.status(), stalled.closed()]).toEqual([408, true]);
  expect((await t.client.send(new DescribeRepositoriesCommand({}))).repositories).toHaveLength(1);
  const err = await failure(t.client.send(new UploadLayerPartCommand({ repositoryName: "app", uploadId, partFirstByte: 5, partLastByte: 5, layerPartBlob: new Uint8Array(1) })));
  expect(err.lastValidByteReceived).toBe(-1); // nothing of the stalled part was kept
});

test("a body that arrives slowly but steadily is not cut off", async () => {
  t = await startEcr({ repositories: ["app"], bodyIdleTimeoutMs: 300 });
  const { uploadId } = await t.client.send(new InitiateLayerUploadCommand({ repositoryName: "app" }));
  const blob = randomBytes(3000);
  const body = Buffer.from(JSON.stringify({ repositoryName: "app", uploadId, partFirstByte: 0, partLastByte: 2999, layerPartBlob: blob.toString("base64") }));
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(`${t!.url}/`, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AmazonEC2ContainerRegistry_V20150921.UploadLayerPart", "content-length": body.byteLength },
    }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on("error", reject);
    let at = 0;
    const step = () => {
      req.write(body.subarray(at, at + 1000));
      at += 1000;
      if (at < body.byteLength) setTimeout(step, 150);
      else req.end();
    };
    step();
  });
  expect(status).toBe(200);
});

describe("with sigv4", () => {
  /** A signed UploadLayerPart of which only the first bytes are sent. */
  async function stallSigned(who: typeof A, uploadId: string) {
    const host = new URL(t!.url).host;
    const body = JSON.stringify({ repositoryName: "app", uploadId, partFirstByte: 0, partLastByte: 99_999, layerPartBlob: randomBytes(100_000).toString("base64") });
    const signer = new SignatureV4({ service: "ecr", region: "us-east-1", credentials: who, sha256: Hash.bind(null, "sha256"), applyChecksum: false });
    const { headers } = await signer.sign(new HttpRequest({
      method: "POST", protocol: "http:", hostname: "127.0.0.1", path: "/", body,
      headers: { host, "content-type": "application/x-amz-json-1.1", "x-amz-target": "AmazonEC2ContainerRegistry_V20150921.UploadLayerPart" },
    }));
    const req = request(`${t!.url}/`, { method: "POST", headers: { ...headers, "content-length": Buffer.byteLength(body) } });
    req.on("error", () => undefined);
    await new Promise<void>((r) => req.write(body.slice(0, 100), () => r()));
    return req;
  }

  test("one caller holds at most its share of the slots; other callers, and refused signatures, are answered", async () => {
    const credentials = Object.fromEntries([A, B].map(({ accessKeyId, ...c }) => [accessKeyId, c]));
    // Two slots: one per caller.
    t = await startEcr({ repositories: ["app"], auth: { mode: "sigv4", credentials }, maxBodiesInFlight: 2, maxBodiesPerCaller: 1 });
    const a = ecrClient(t.url, { credentials: A });
    const b = ecrClient(t.url, { credentials: B });
    const stalledA = await stallSigned(A, (await a.send(new InitiateLayerUploadCommand({ repositoryName: "app" }))).uploadId!);
    await sleep(100);
    expect((await failure(a.send(new DescribeRepositoriesCommand({})))).name).toBe("ThrottlingException");
    expect((await b.send(new DescribeRepositoriesCommand({}))).repositories).toHaveLength(1);
    const stalledB = await stallSigned(B, (await b.send(new InitiateLayerUploadCommand({ repositoryName: "app" }))).uploadId!);
    await sleep(100);
    // Every slot is taken, yet a key nobody has and a malformed signature get their own answers, not throttling.
    const unknown = ecrClient(t.url, { credentials: { accessKeyId: "AKIANOBODY", secretAccessKey: "x" }, maxAttempts: 1 });
    expect((await failure(unknown.send(new DescribeRepositoriesCommand({})))).name).toBe("UnrecognizedClientException");
    const malformed = await fetch(`${t.url}/`, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories", authorization: "AWS4-HMAC-SHA256 nonsense" },
      body: "{}",
    });
    expect([malformed.status, ((await malformed.json()) as { __type: string }).__type]).toEqual([400, "IncompleteSignatureException"]);
    stalledA.destroy();
    stalledB.destroy();
  });
});
