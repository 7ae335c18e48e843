// SigV4 authentication and account isolation, with the real SDK (right and wrong secrets, a session token, a skewed
// clock) and with raw requests (none, malformed, a body changed after signing).
import { request } from "node:http";
import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  InitiateLayerUploadCommand,
  UploadLayerPartCommand,
  type ECRClient,
} from "@aws-sdk/client-ecr";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { sha256 } from "../helpers/digests";
import { ecrClient } from "../helpers/ecr-client";
import { failure, startEcr, type TestEcr } from "../helpers/ecr-server";

const A = { accessKeyId: "AKIAACCOUNTA", secretAccessKey: "secret-a", accountId: "111111111111" };
const B = { accessKeyId: "AKIAACCOUNTB", secretAccessKey: "secret-b", accountId: "222222222222" };
const TEMP = { accessKeyId: "ASIATEMPORARY", secretAccessKey: "secret-t", accountId: "111111111111", sessionToken: "token-1" };
const TARGET = "AmazonEC2ContainerRegistry_V20150921.";

let t: TestEcr;
beforeAll(async () => {
  const credentials = Object.fromEntries([A, B, TEMP].map(({ accessKeyId, ...c }) => [accessKeyId, c]));
  t = await startEcr({ auth: { mode: "sigv4", credentials }, settings: { minPartSize: 1 } });
});
afterAll(() => t.close());

const as = (c: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, extra = {}): ECRClient =>
  ecrClient(t.url, { credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken }, ...extra });

function raw(headers: Record<string, string>, body: string): Promise<{ status: number; headers: Record<string, unknown>; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(`${t.url}/`, { method: "POST", headers: { ...headers, "content-length": Buffer.byteLength(body) } }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text) }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** A request signed as `who`, for `signedBody`; it may then be sent with another body. */
async function signed(who: typeof A, op: string, signedBody: string, extraHeaders: Record<string, string> = {}, unsignableHeaders?: Set<string>) {
  const host = new URL(t.url).host;
  const req = new HttpRequest({
    method: "POST",
    protocol: "http:",
    hostname: host.split(":")[0],
    port: Number(host.split(":")[1]),
    path: "/",
    headers: { host, "content-type": "application/x-amz-json-1.1", "x-amz-target": TARGET + op, ...extraHeaders },
    body: signedBody,
  });
  // Like the SDK for ECR: no x-amz-content-sha256 header unless a test adds one.
  const signer = new SignatureV4({ service: "ecr", region: "us-east-1", credentials: who, sha256: Hash.bind(null, "sha256"), applyChecksum: false });
  return (await signer.sign(req, unsignableHeaders ? { unsignableHeaders } : {})).headers as Record<string, string>;
}

test("a signed request belongs to the signer's account", async () => {
  const out = await as(A).send(new CreateRepositoryCommand({ repositoryName: "app" }));
  expect(out.repository).toMatchObject({ registryId: A.accountId, repositoryArn: `arn:aws:ecr:us-east-1:${A.accountId}:repository/app` });
});

test("one account never sees another's repositories, uploads or registry", async () => {
  await as(A).send(new CreateRepositoryCommand({ repositoryName: "private" })).catch(() => undefined);
  const { uploadId } = await as(A).send(new InitiateLayerUploadCommand({ repositoryName: "private" }));
  expect((await as(B).send(new DescribeRepositoriesCommand({}))).repositories!.map((r) => r.repositoryName)).not.toContain("private");
  await as(B).send(new CreateRepositoryCommand({ repositoryName: "private" }));
  const guessed = await failure(
    as(B).send(new UploadLayerPartCommand({ repositoryName: "private", uploadId, partFirstByte: 0, partLastByte: 0, layerPartBlob: new Uint8Array(1) })),
  );
  expect(guessed.name).toBe("UploadNotFoundException");
  const named = await failure(as(B).send(new DescribeRepositoriesCommand({ registryId: A.accountId })));
  expect([named.name, named.message]).toEqual([
    "AccessDeniedException",
    `User: arn:aws:iam::${B.accountId}:root is not authorized to perform: ecr:DescribeRepositories on resource: arn:aws:ecr:us-east-1:${A.accountId}:repository/* because no resource-based policy allows the ecr:DescribeRepositories action`,
  ]);
});

test("temporary credentials need their session token", async () => {
  const ok = await as(TEMP).send(new DescribeRepositoriesCommand({}));
  expect(ok.repositories!.map((r) => r.registryId)).toContain(A.accountId);
  const err = await failure(as({ ...TEMP, sessionToken: "stolen" }).send(new DescribeRepositoriesCommand({})));
  expect([err.name, err.$metadata.httpStatusCode, err.message]).toEqual(["UnrecognizedClientException", 403, "The security token included in the request is invalid."]);
});

test.each([
  ["a wrong secret", { ...A, secretAccessKey: "wrong" }, "InvalidSignatureException", 403, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."],
  ["an unknown key", { ...A, accessKeyId: "AKIAUNKNOWN" }, "UnrecognizedClientException", 403, "The security token included in the request is invalid."],
])("%s is refused", async (_name, who, type, status, message) => {
  const err = await failure(as(who).send(new DescribeRepositoriesCommand({})));
  expect([err.name, err.$metadata.httpStatusCode, err.message]).toEqual([type, status, message]);
});

test("a clock 20 minutes off is refused as an expired signature, and the Date header tells the right time", async () => {
  const err = await failure(as(A, { systemClockOffset: -20 * 60 * 1000 }).send(new DescribeRepositoriesCommand({})));
  expect(err.name).toBe("InvalidSignatureException");
  expect(err.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/);
  const date = Date.parse(String(err.$response.headers.date));
  expect(Math.abs(date - Date.now())).toBeLessThan(5000);
});

test("requests without or with a malformed Authorization are refused before anything else", async () => {
  const headers = { "content-type": "application/x-amz-json-1.1", "x-amz-target": `${TARGET}NoSuchOperation` };
  const none = await raw(headers, "{}");
  expect([none.status, none.body]).toEqual([403, { __type: "MissingAuthenticationTokenException", message: "Missing Authentication Token" }]);
  expect(none.headers.date).toBeDefined();
  const bad = await raw({ ...headers, authorization: "AWS4-HMAC-SHA256 Credential=nope" }, "{}");
  expect([bad.status, bad.body.__type]).toEqual([400, "IncompleteSignatureException"]);
});

test("a body changed after signing is refused, and a streamed part changed after signing appends nothing", async () => {
  const body = JSON.stringify({ repositoryName: "app" });
  const changed = JSON.stringify({ repositoryName: "apq" });
  const res = await raw(await signed(A, "DescribeRepositories", body), changed);
  expect([res.status, res.body.__type]).toEqual([403, "InvalidSignatureException"]);

  const { uploadId } = await as(A).send(new InitiateLayerUploadCommand({ repositoryName: "app" }));
  const part = (blob: string) => JSON.stringify({ repositoryName: "app", uploadId, partFirstByte: 0, partLastByte: 2, layerPartBlob: blob });
  const forged = await raw(await signed(A, "UploadLayerPart", part("QUJD")), part("WFla"));
  expect([forged.status, forged.body.__type]).toEqual([403, "InvalidSignatureException"]);
  const honest = await as(A).send(new UploadLayerPartCommand({ repositoryName: "app", uploadId, partFirstByte: 0, partLastByte: 2, layerPartBlob: Buffer.from("ABC") }));
  expect(honest.lastByteReceived).toBe(2);
});

test("a caller without the secret learns nothing about uploads: the signature is checked before any answer", async () => {
  const err = await failure(
    as({ ...A, secretAccessKey: "wrong" }).send(
      new UploadLayerPartCommand({ repositoryName: "app", uploadId: "11111111-2222-4333-8444-555555555555", partFirstByte: 0, partLastByte: 0, layerPartBlob: new Uint8Array(1) }),
    ),
  );
  expect(err.name).toBe("InvalidSignatureException");
});

test("an unsigned body that breaks the model or the JSON gets the signature's answer, whatever the repository", async () => {
  const upload = (repositoryName: string, tail: string) =>
    `{"repositoryName":"${repositoryName}","uploadId":"11111111-2222-4333-8444-555555555555","partFirstByte":0,"partLastByte":2,"layerPartBlob":"QUJD"}${tail}`;
  const tooMany = JSON.stringify({ repositoryName: "app", layerDigests: Array.from({ length: 101 }, (_, i) => `sha256:${String(i).padStart(64, "0")}`) });
  const attempts: [string, string][] = [
    ["UploadLayerPart", upload("app", " x")],
    ["UploadLayerPart", upload("nope", " x")],
    ["UploadLayerPart", upload("app", "")],
    ["BatchCheckLayerAvailability", tooMany],
  ];
  for (const [op, body] of attempts) {
    // Signed over another body: the signature cannot be valid for this one.
    const res = await raw(await signed(A, op, "{}"), body);
    expect([op, body.slice(0, 30), res.status, res.body.__type]).toEqual([op, body.slice(0, 30), 403, "InvalidSignatureException"]);
  }
});

test("a signed x-amz-content-sha256 that does not match the body is refused", async () => {
  const body = JSON.stringify({ repositoryName: "app" });
  const headers = await signed(A, "DescribeRepositories", body, { "x-amz-content-sha256": sha256("other").slice(7) });
  const res = await raw(headers, body);
  expect([res.status, res.body]).toEqual([
    400,
    { __type: "InvalidSignatureException", message: "The provided 'x-amz-content-sha256' header does not match what was computed." },
  ]);
});

test("a clock 20 minutes ahead is refused as a signature not yet current", async () => {
  const err = await failure(as(A, { systemClockOffset: 20 * 60 * 1000 }).send(new DescribeRepositoriesCommand({})));
  expect(err.name).toBe("InvalidSignatureException");
  expect(err.message).toMatch(/^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 15 min\.\)$/);
});

test("a signature scoped to another region is refused", async () => {
  const err = await failure(as(A, { region: "ap-fake-9" }).send(new DescribeRepositoriesCommand({})));
  expect([err.name, err.message, err.$metadata.httpStatusCode]).toEqual(["InvalidSignatureException", "Credential should be scoped to a valid region, not 'ap-fake-9'. ", 403]);
});

test("a signature that leaves X-Amz-Target out cannot be replayed as another operation", async () => {
  await as(A).send(new CreateRepositoryCommand({ repositoryName: "kept" }));
  const body = JSON.stringify({ repositoryName: "kept" });
  const headers = await signed(A, "CreateRepository", body, {}, new Set(["x-amz-target", "content-type"]));
  expect(headers.authorization).toMatch(/SignedHeaders=host;x-amz-date,/);
  const replayed = await raw({ ...headers, "x-amz-target": `${TARGET}DeleteRepository` }, body);
  expect([replayed.status, replayed.body]).toEqual([
    400,
    { __type: "IncompleteSignatureException", message: "'x-amz-target' must be a 'SignedHeader' in the AWS Authorization." },
  ]);
  const still = await as(A).send(new DescribeRepositoriesCommand({ repositoryNames: ["kept"] }));
  expect(still.repositories![0].repositoryName).toBe("kept");
});

test("--repository with sigv4 creates the repository in every configured account's registry", async () => {
  const credentials = Object.fromEntries([A, B, TEMP].map(({ accessKeyId, ...c }) => [accessKeyId, c]));
  const own = await startEcr({ auth: { mode: "sigv4", credentials }, repositories: ["shared-name"] });
  try {
    for (const who of [A, B]) {
      const client = ecrClient(own.url, { credentials: { accessKeyId: who.accessKeyId, secretAccessKey: who.secretAccessKey } });
      const [repo] = (await client.send(new DescribeRepositoriesCommand({ repositoryNames: ["shared-name"] }))).repositories!;
      expect([repo.registryId, repo.repositoryName]).toEqual([who.accountId, "shared-name"]);
    }
  } finally {
    await own.close();
  }
});
