// Logging in to the registry protocol as to ECR: Basic `AWS:<password from GetAuthorizationToken>`. The password names
// the account (its registry) and expires; repository policies decide another account's access as on the API.
import { GetAuthorizationTokenCommand, SetRepositoryPolicyCommand, type ECRClient } from "@aws-sdk/client-ecr";
import { randomBytes } from "node:crypto";
import { ecrClient } from "../helpers/ecr-client";
import { startEcr, type TestEcr } from "../helpers/ecr-server";
import { sha256 } from "../helpers/digests";
import { ociManifest } from "../helpers/push";
import { pushBlobV2, v2, v2AtHost } from "../helpers/registry";

const OWNER = { accessKeyId: "AKIDOWNER", secretAccessKey: "owner-secret", accountId: "123456789012" };
const OTHER = { accessKeyId: "AKIDOTHER", secretAccessKey: "other-secret", accountId: "210987654321" };
const OWNER_HOST = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
const START = Date.UTC(2026, 10, 1);
let clock = START;
let t: TestEcr;
let owner: ECRClient;
let ownerPassword: string;
let otherPassword: string;

async function password(client: ECRClient): Promise<string> {
  const { authorizationData } = await client.send(new GetAuthorizationTokenCommand({}));
  return Buffer.from(authorizationData![0].authorizationToken!, "base64").toString().slice("AWS:".length);
}

beforeAll(async () => {
  const credentials = Object.fromEntries([OWNER, OTHER].map(({ accessKeyId, ...c }) => [accessKeyId, c]));
  t = await startEcr({ auth: { mode: "sigv4", credentials }, repositories: ["app"], now: () => clock });
  // The SDK signs with the machine's clock; the server's is the test's, so signatures are checked against real time.
  clock = Date.now();
  owner = ecrClient(t.url, { credentials: OWNER });
  ownerPassword = await password(owner);
  otherPassword = await password(ecrClient(t.url, { credentials: OTHER }));
});
afterAll(() => t.close());

test("without credentials, or with a password this server did not issue, ECR's plain-text 401 and Basic challenge", async () => {
  const host = new URL(t.url).host;
  for (const res of [await v2(t.url, "/v2/"), await v2(t.url, "/v2/app/tags/list", {}, "not-a-password"), await v2(t.url, "/v2/", { headers: { authorization: "Bearer abc" } })]) {
    expect([res.status, res.text, res.headers["www-authenticate"]]).toEqual([401, "Not Authorized", `Basic realm="https://${host}/",service="ecr.amazonaws.com"`]);
  }
  const otherUser = await v2(t.url, "/v2/", { headers: { authorization: `Basic ${Buffer.from(`root:${ownerPassword}`).toString("base64")}` } });
  expect(otherUser.status).toBe(401);
});

test("a valid password is its account's caller: each account sees its own registry only", async () => {
  expect((await v2(t.url, "/v2/", {}, ownerPassword)).status).toBe(200);
  const config = randomBytes(20);
  expect((await pushBlobV2(t.url, "app", config, sha256(config), otherPassword)).status).toBe(201);
  const manifest = ociManifest(config, []);
  const put = await v2(t.url, "/v2/app/manifests/other-only", { method: "PUT", body: manifest, headers: { "content-type": "application/vnd.oci.image.manifest.v1+json" } }, otherPassword);
  expect(put.status).toBe(201);
  expect(JSON.parse((await v2(t.url, "/v2/app/tags/list", {}, otherPassword)).text).tags).toEqual(["other-only"]);
  expect(JSON.parse((await v2(t.url, "/v2/app/tags/list", {}, ownerPassword)).text).tags).toEqual([]);
});

test("another account's registry, addressed by its host: refused in IAM's words until its repository policy allows the action", async () => {
  const config = randomBytes(30);
  await pushBlobV2(t.url, "app", config, sha256(config), ownerPassword);
  const manifest = ociManifest(config, [], 1100);
  await v2(t.url, "/v2/app/manifests/shared", { method: "PUT", body: manifest, headers: { "content-type": "application/vnd.oci.image.manifest.v1+json" } }, ownerPassword);

  const refused = await v2AtHost(t.url, OWNER_HOST, "/v2/app/manifests/shared", {}, otherPassword);
  const deny = (action: string) =>
    `User: arn:aws:iam::210987654321:root is not authorized to perform: ecr:${action} on resource: arn:aws:ecr:us-east-1:123456789012:repository/app because no resource-based policy allows the ecr:${action} action`;
  expect([refused.status, refused.errors]).toEqual([403, [{ code: "DENIED", message: deny("BatchGetImage") }]]);

  const policyText = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::210987654321:root" }, Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"] }],
  });
  await owner.send(new SetRepositoryPolicyCommand({ repositoryName: "app", policyText }));
  const pulled = await v2AtHost(t.url, OWNER_HOST, "/v2/app/manifests/shared", {}, otherPassword);
  expect([pulled.status, pulled.text]).toEqual([200, manifest]);
  const push = await v2AtHost(t.url, OWNER_HOST, "/v2/app/blobs/uploads/", { method: "POST" }, otherPassword);
  expect([push.status, push.errors?.[0].message]).toEqual([403, deny("InitiateLayerUpload")]);
});

test("a one-request upload needs the upload actions too: an explicit Deny of UploadLayerPart refuses it", async () => {
  const policyText = JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Principal: { AWS: "arn:aws:iam::210987654321:root" }, Action: ["ecr:InitiateLayerUpload"] },
      { Effect: "Deny", Principal: { AWS: "arn:aws:iam::210987654321:root" }, Action: ["ecr:UploadLayerPart"] },
    ],
  });
  await owner.send(new SetRepositoryPolicyCommand({ repositoryName: "app", policyText }));
  const bytes = randomBytes(100);
  const res = await v2AtHost(t.url, OWNER_HOST, `/v2/app/blobs/uploads/?digest=${sha256(bytes)}`, { method: "POST", body: bytes }, otherPassword);
  expect([res.status, res.errors?.[0].message]).toEqual([
    403,
    "User: arn:aws:iam::210987654321:root is not authorized to perform: ecr:UploadLayerPart on resource: arn:aws:ecr:us-east-1:123456789012:repository/app with an explicit deny in a resource-based policy",
  ]);
  expect((await v2(t.url, `/v2/app/blobs/${sha256(bytes)}`, { method: "HEAD" }, ownerPassword)).status).toBe(404);
});

test("an expired password: 403 DENIED in ECR's words, no challenge", async () => {
  clock += 12 * 3600 * 1000;
  try {
    const res = await v2(t.url, "/v2/", {}, ownerPassword);
    expect([res.status, res.errors, res.headers["www-authenticate"]]).toEqual([
      403,
      [{ code: "DENIED", message: "Your authorization token has expired. Reauthenticate and try again." }],
      undefined,
    ]);
  } finally {
    clock -= 12 * 3600 * 1000;
  }
});
