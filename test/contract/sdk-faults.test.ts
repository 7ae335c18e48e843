// The contract-testing kit against the JS SDK: each fault effect, what the client did about it (from the journal),
// and what was committed.
import { CompleteLayerUploadCommand, CreateRepositoryCommand, ECRClient, InitiateLayerUploadCommand, UploadLayerPartCommand } from "@aws-sdk/client-ecr";
import { assertEveryAttemptSigned, assertPartsResentIdentically, assertResumedWhereTold, attemptsOf, startContractEcr, type ContractEcr } from "../../src/testing";
import { sha256 } from "../helpers/digests";
import { failure } from "../helpers/ecr-server";

let ecr: ContractEcr;
let client: ECRClient;
const KiB = 1024;
const layer = Buffer.from(Array.from({ length: 40 * KiB }, (_, i) => (i * 7919) % 251));
const parts = [0, 1, 2, 3].map((i) => ({ first: i * 10 * KiB, bytes: layer.subarray(i * 10 * KiB, (i + 1) * 10 * KiB) }));

beforeEach(async () => {
  ecr = await startContractEcr({ settings: { minPartSize: 1 } });
  // The SDK's standard retry mode, with no pause to speak of between attempts.
  client = new ECRClient({ ...ecr.clientConfig, maxAttempts: 3, retryStrategy: undefined });
  await client.send(new CreateRepositoryCommand({ repositoryName: "app" }));
});
afterEach(() => ecr.close());

async function upload(): Promise<string> {
  const { uploadId } = await client.send(new InitiateLayerUploadCommand({ repositoryName: "app" }));
  return uploadId!;
}
const sendPart = (uploadId: string, p: (typeof parts)[number]) =>
  client.send(new UploadLayerPartCommand({ repositoryName: "app", uploadId, partFirstByte: p.first, partLastByte: p.first + p.bytes.byteLength - 1, layerPartBlob: p.bytes }));
const complete = (uploadId: string) => client.send(new CompleteLayerUploadCommand({ repositoryName: "app", uploadId, layerDigests: [sha256(layer)] }));

test("fail the third part once with ThrottlingException: the SDK resends exactly those bytes, under the same invocation id", async () => {
  ecr.faults.add({ match: { operation: "UploadLayerPart" }, skip: 2, times: 1, effect: { type: "error", error: "ThrottlingException" } });
  const uploadId = await upload();
  for (const p of parts) await sendPart(uploadId, p);
  expect((await complete(uploadId)).layerDigest).toBe(sha256(layer));

  const sent = ecr.journal.entries({ operation: "UploadLayerPart" });
  expect(sent.map((e) => [e.input!.partFirstByte, e.caller.attempt, e.status, e.error ?? null, e.fault?.rule ?? null, e.effects?.bytesAppended ?? null])).toEqual([
    [0, 1, 200, null, null, 10 * KiB],
    [10 * KiB, 1, 200, null, null, 10 * KiB],
    [20 * KiB, 1, 400, "ThrottlingException", "rule-1", null],
    [20 * KiB, 2, 200, null, null, 10 * KiB],
    [30 * KiB, 1, 200, null, null, 10 * KiB],
  ]);
  const [failed, retried] = [sent[2], sent[3]];
  expect(retried.caller.invocationId).toBe(failed.caller.invocationId);
  expect(attemptsOf(sent, failed.caller.invocationId!)).toEqual([failed, retried]);
  expect(failed.body).toEqual({ length: 10 * KiB, sha256: sha256(parts[2].bytes).slice("sha256:".length) });
  expect(retried.body).toEqual(failed.body);
  expect(retried.input!.layerPartBlob).toEqual(failed.body);
  expect(failed.caller).toMatchObject({ accessKeyId: "test", signed: true, attempt: 1, maxAttempts: 3, accountId: ecr.registryId });
  expect(failed.caller.userAgent).toMatch(/aws-sdk-js/);
  assertPartsResentIdentically(sent);
  assertEveryAttemptSigned(ecr.journal.entries());
  expect(ecr.faults.list()).toMatchObject([{ id: "rule-1", matched: 5, fired: 1 }]);
});

test("a declared error has its modeled fields filled from the stored state: InvalidLayerPartException names the last committed byte", async () => {
  ecr.faults.add({ match: { operation: "UploadLayerPart" }, skip: 1, times: 1, effect: { type: "error", error: "InvalidLayerPartException" } });
  const uploadId = await upload();
  await sendPart(uploadId, parts[0]);
  const err = await failure(sendPart(uploadId, parts[1]));
  expect(err.name).toBe("InvalidLayerPartException");
  expect(err).toMatchObject({ registryId: ecr.registryId, repositoryName: "app", uploadId, lastValidByteReceived: 10 * KiB - 1, message: "InvalidLayerPartException injected by fault rule 'rule-1'" });
  // Not retryable: one attempt. The client resumes where the server said.
  await sendPart(uploadId, parts[1]);
  const entries = ecr.journal.entries({ operation: "UploadLayerPart" });
  expect(entries.map((e) => [e.caller.attempt, e.status, e.errorFields ?? null])).toEqual([
    [1, 200, null],
    [1, 400, { registryId: ecr.registryId, repositoryName: "app", uploadId, lastValidByteReceived: 10 * KiB - 1 }],
    [1, 200, null],
  ]);
  assertResumedWhereTold(entries);
});

test("an error the operation does not declare is refused when the rule is added", () => {
  expect(() => ecr.faults.add({ match: { operation: "UploadLayerPart" }, effect: { type: "error", error: "ImageNotFoundException" } })).toThrow(
    /UploadLayerPart does not declare ImageNotFoundException; it declares .*InvalidLayerPartException/,
  );
  expect(() => ecr.faults.add({ effect: { type: "error", error: "LayerPartTooSmallException" } })).toThrow(/name the operations the rule is for/);
  expect(() => ecr.faults.add({ effect: { type: "bogus" } as never })).toThrow(/effect.type must be one of/);
  expect(ecr.faults.list()).toEqual([]);
});

test("a connection cut mid-part commits nothing; the SDK's retry sends the part whole and it commits once", async () => {
  const big = Buffer.alloc(4 * 1024 * KiB, 7);
  ecr.faults.add({ match: { operation: "UploadLayerPart", attempt: 1 }, skip: 1, times: 1, effect: { type: "cut-request", afterBytes: 64 * KiB } });
  const uploadId = await upload();
  const send = (first: number, bytes: Buffer) =>
    client.send(new UploadLayerPartCommand({ repositoryName: "app", uploadId, partFirstByte: first, partLastByte: first + bytes.byteLength - 1, layerPartBlob: bytes }));
  await send(0, big);
  await send(big.byteLength, big);
  const entries = ecr.journal.entries({ operation: "UploadLayerPart" });
  expect(entries.map((e) => [e.caller.attempt, e.delivered, e.error ?? null, e.effects ?? null])).toEqual([
    [1, true, null, { bytesAppended: big.byteLength, firstByte: 0, uploadLength: big.byteLength }],
    [1, false, "RequestAbortedException", null],
    [2, true, null, { bytesAppended: big.byteLength, firstByte: big.byteLength, uploadLength: 2 * big.byteLength }],
  ]);
  // The cut attempt's body never arrived whole: no digest, and what arrived stops short of the part.
  expect(entries[1].body!.sha256).toBeUndefined();
  expect(entries[1].requestBytes).toBeLessThan(big.byteLength);
  expect(entries[2].body).toEqual({ length: big.byteLength, sha256: sha256(big).slice("sha256:".length) });
});

test("an answer dropped after the part committed: the SDK's resend is answered as the idempotent resend it is", async () => {
  ecr.faults.add({ match: { operation: "UploadLayerPart" }, times: 1, effect: { type: "drop-response" } });
  const uploadId = await upload();
  await sendPart(uploadId, parts[0]);
  const entries = ecr.journal.entries({ operation: "UploadLayerPart" });
  expect(entries.map((e) => [e.caller.attempt, e.status, e.delivered, e.effects ?? null])).toEqual([
    [1, 200, false, { bytesAppended: 10 * KiB, firstByte: 0, uploadLength: 10 * KiB }],
    [2, 200, true, { bytesAppended: 0, resend: true, firstByte: 0, uploadLength: 10 * KiB }],
  ]);
  assertPartsResentIdentically(entries);
});

test("with no rule installed the answers are the same as without the kit", async () => {
  const plain = await (await import("../../src/testing")).startTestEcr({ settings: { minPartSize: 1 } });
  try {
    const other = new ECRClient({ ...plain.clientConfig, maxAttempts: 1 });
    await other.send(new CreateRepositoryCommand({ repositoryName: "app" }));
    const run = async (c: ECRClient) => {
      const { uploadId } = await c.send(new InitiateLayerUploadCommand({ repositoryName: "app" }));
      const ok = await c.send(new UploadLayerPartCommand({ repositoryName: "app", uploadId, partFirstByte: 0, partLastByte: 9, layerPartBlob: layer.subarray(0, 10) }));
      const bad = await failure(c.send(new UploadLayerPartCommand({ repositoryName: "app", uploadId, partFirstByte: 5, partLastByte: 9, layerPartBlob: layer.subarray(0, 5) })));
      return [{ ...ok, uploadId: "u", $metadata: ok.$metadata.httpStatusCode }, { ...bad, uploadId: "u", $metadata: bad.$metadata.httpStatusCode, $response: undefined }];
    };
    expect(await run(client)).toEqual(await run(other));
  } finally {
    await plain.close();
  }
});

test("the journal assertions catch a client that resends other bytes, resumes elsewhere, or sends unsigned", async () => {
  ecr.faults.add({ match: { operation: "UploadLayerPart" }, times: 1, effect: { type: "drop-response" } });
  const once = new ECRClient({ ...ecr.clientConfig, maxAttempts: 1 });
  const uploadId = await upload();
  const part = (first: number, bytes: Buffer) =>
    once.send(new UploadLayerPartCommand({ repositoryName: "app", uploadId, partFirstByte: first, partLastByte: first + bytes.byteLength - 1, layerPartBlob: bytes }));
  // The answer is lost; a careless client "resends" the part with other bytes, and then resumes at the wrong place.
  expect((await failure(part(0, parts[0].bytes))).name).not.toBe("InvalidLayerPartException");
  const wrong = Buffer.from(parts[0].bytes).fill(0, 0, 10);
  const refused = await failure(part(0, wrong));
  expect([refused.name, (refused as unknown as { lastValidByteReceived: number }).lastValidByteReceived]).toEqual(["InvalidLayerPartException", 10 * KiB - 1]);
  await failure(part(5, parts[1].bytes));
  const entries = ecr.journal.entries({ operation: "UploadLayerPart" });
  expect(() => assertPartsResentIdentically(entries)).toThrow(/^a part was resent with other bytes:\n {2}#\d+ UploadLayerPart \S+ attempt 1 → 400 InvalidLayerPartException sha256 [0-9a-f]{12}… differs from #\d+ UploadLayerPart \S+ attempt 1 → 200/);
  expect(() => assertResumedWhereTold(entries)).toThrow(/^the client did not resume where the server said:\n {2}#\d+ UploadLayerPart \S+ attempt 1 → 400 InvalidLayerPartException.* starts at 5, not 10240 as/);
  assertEveryAttemptSigned(entries);
  await fetch(ecr.url, { method: "POST", headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories" }, body: "{}" });
  expect(() => assertEveryAttemptSigned(ecr.journal.entries())).toThrow(/^some requests were not signed:\n {2}#\d+ DescribeRepositories {2}attempt \? → 200$/);
});
