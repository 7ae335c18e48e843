// Replication with the real SDK, and skopeo on the registry side: rules checked and kept per registry and region, and
// an image pushed afterwards (API or /v2) copied with its tags to each destination this server holds (another region,
// another account's registry when that registry's policy allows it), its status IN_PROGRESS, then COMPLETE or FAILED
// with the reason; a copy arriving is not copied further, and a REPLICATION template shapes the repository it creates.
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  CreateRepositoryCreationTemplateCommand,
  DescribeImageReplicationStatusCommand,
  DescribeImagesCommand,
  DescribeRegistryCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  GetDownloadUrlForLayerCommand,
  ListTagsForResourceCommand,
  PutRegistryPolicyCommand,
  PutReplicationConfigurationCommand,
  type ECRClient,
  type ReplicationRule,
} from "@aws-sdk/client-ecr";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EmbeddedStore } from "../../src/storage/embedded/store";
import { sha256 } from "../helpers/digests";
import { ecrClient } from "../helpers/ecr-client";
import { failure, startEcr, tempDataDir, type TestEcr } from "../helpers/ecr-server";
import { ociManifest, pushBlob, putImage } from "../helpers/push";
import { writeOciLayout } from "../helpers/oci-layout";
import { v2AtHost } from "../helpers/registry";
import { describeWith, registryTools } from "../helpers/requirements";
import { run } from "../helpers/run";

const A = { accessKeyId: "AKIDSOURCE", secretAccessKey: "source-secret", accountId: "123456789012" };
const B = { accessKeyId: "AKIDDEST", secretAccessKey: "dest-secret", accountId: "210987654321" };
const credentials = Object.fromEntries([A, B].map((c) => [c.accessKeyId, { secretAccessKey: c.secretAccessKey, accountId: c.accountId }]));

const dataDir = tempDataDir();
let t: TestEcr;
const clients = new Map<string, ECRClient>();
/** A client of the account, configured for the region. */
const as = (who: typeof A, region = "us-east-1") => {
  const key = `${who.accountId}/${region}`;
  if (!clients.has(key)) clients.set(key, ecrClient(t.url, { credentials: who, region }));
  return clients.get(key)!;
};
const start = async () => {
  clients.clear();
  t = await startEcr({ dataDir, auth: { mode: "sigv4", credentials }, regions: ["eu-west-1"], settings: { minPartSize: 1 } });
};
beforeAll(start);
afterAll(() => t.close());

const put = (client: ECRClient, rules: ReplicationRule[]) => client.send(new PutReplicationConfigurationCommand({ replicationConfiguration: { rules } }));
const statuses = async (client: ECRClient, repositoryName: string, imageTag: string) =>
  (await client.send(new DescribeImageReplicationStatusCommand({ repositoryName, imageId: { imageTag } }))).replicationStatuses;

/** Pushes a small image through the API and returns its manifest. */
async function pushImage(client: ECRClient, repositoryName: string, tag: string): Promise<string> {
  const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] }, n: randomBytes(8).toString("hex") }));
  const layer = randomBytes(3000);
  await pushBlob(client, config, repositoryName);
  await pushBlob(client, layer, repositoryName);
  const manifest = ociManifest(config, [layer]);
  await putImage(client, manifest, tag, repositoryName);
  return manifest;
}

test("rules are checked as ECR checks them, kept per registry and region, and shown by DescribeRegistry", async () => {
  const own = await failure(put(as(A), [{ destinations: [{ region: "eu-west-1", registryId: A.accountId }, { region: "us-east-1", registryId: A.accountId }] }]));
  expect([own.name, own.message]).toEqual([
    "InvalidParameterException",
    "Invalid parameter at 'replicationConfiguration.rules.1.member.destinations.2.member' failed to satisfy constraint: 'a destination must be another region or another registry than the source (us-east-1, 123456789012)'",
  ]);
  const many = Array.from({ length: 26 }, (_, i) => ({ region: `xx-test-${i}`, registryId: A.accountId }));
  const tooMany = await failure(put(as(A), [{ destinations: many.slice(0, 13) }, { destinations: many.slice(13) }]));
  expect([tooMany.name, tooMany.message]).toEqual([
    "InvalidParameterException",
    "Invalid parameter at 'replicationConfiguration.rules' failed to satisfy constraint: 'at most 25 distinct destinations across all rules, not 26'",
  ]);
  const badRegion = await failure(put(as(A), [{ destinations: [{ region: "EU_WEST", registryId: A.accountId }] }]));
  expect([badRegion.name, badRegion.message]).toEqual([
    "InvalidParameterException",
    "Invalid parameter at 'replicationConfiguration.rules.1.member.destinations.1.member.region' failed to satisfy constraint: 'must satisfy regular expression '^[0-9a-z-]{2,25}$''",
  ]);
  expect((await as(A).send(new DescribeRegistryCommand({}))).replicationConfiguration).toEqual({ rules: [] });

  const rules: ReplicationRule[] = [{ destinations: [{ region: "ap-south-1", registryId: A.accountId }], repositoryFilters: [{ filter: "prod", filterType: "PREFIX_MATCH" }] }];
  expect((await put(as(A), rules)).replicationConfiguration).toEqual({ rules });
  await t.stop();
  await start();
  expect(await as(A).send(new DescribeRegistryCommand({}))).toEqual(expect.objectContaining({ registryId: A.accountId, replicationConfiguration: { rules } }));
  // Another region's registry of the same account has its own rules.
  expect((await as(A, "eu-west-1").send(new DescribeRegistryCommand({}))).replicationConfiguration).toEqual({ rules: [] });
  await put(as(A), []);
  expect((await as(A).send(new DescribeRegistryCommand({}))).replicationConfiguration).toEqual({ rules: [] });
});

test("a push is copied to the destinations this server holds; another account's only once its registry policy allows it", async () => {
  await put(as(A), [
    { destinations: [{ region: "eu-west-1", registryId: A.accountId }], repositoryFilters: [{ filter: "prod", filterType: "PREFIX_MATCH" }] },
    { destinations: [{ region: "us-east-1", registryId: B.accountId }, { region: "ap-south-1", registryId: A.accountId }, { region: "eu-west-1", registryId: A.accountId }] },
  ]);
  await as(B).send(new CreateRepositoryCreationTemplateCommand({
    prefix: "prod",
    appliedFor: ["REPLICATION"],
    imageTagMutability: "IMMUTABLE",
    resourceTags: [{ Key: "origin", Value: "replica" }],
  }));
  await as(A).send(new CreateRepositoryCommand({ repositoryName: "prod/api" }));
  await as(A).send(new CreateRepositoryCommand({ repositoryName: "dev/tool" }));
  const manifest = await pushImage(as(A), "prod/api", "v1");
  await t.ecr.replicationsIdle();
  expect(await statuses(as(A), "prod/api", "v1")).toEqual([
    { region: "ap-south-1", registryId: A.accountId, status: "FAILED", failureCode: "This server does not hold the region 'ap-south-1'; it holds the regions it was started with" },
    { region: "eu-west-1", registryId: A.accountId, status: "COMPLETE" },
    { region: "us-east-1", registryId: B.accountId, status: "FAILED", failureCode: `The registry policy of ${B.accountId} in us-east-1 does not allow account ${A.accountId} ecr:ReplicateImage` },
  ]);
  const pulled = await as(A, "eu-west-1").send(new BatchGetImageCommand({ repositoryName: "prod/api", imageIds: [{ imageTag: "v1" }] }));
  expect(pulled.images!.map((i) => i.imageManifest)).toEqual([manifest]);
  // Its layers download from that region too: the URL names the region that signed it.
  const layerDigest: string = JSON.parse(manifest).layers[0].digest;
  const { downloadUrl } = await as(A, "eu-west-1").send(new GetDownloadUrlForLayerCommand({ repositoryName: "prod/api", layerDigest }));
  const downloaded = await fetch(downloadUrl!);
  expect([downloaded.status, sha256(Buffer.from(await downloaded.arrayBuffer()))]).toEqual([200, layerDigest]);
  const arrived = (await as(A, "eu-west-1").send(new DescribeRepositoriesCommand({ repositoryNames: ["prod/api"] }))).repositories![0];
  expect(arrived.repositoryArn).toBe(`arn:aws:ecr:eu-west-1:${A.accountId}:repository/prod/api`);
  // The destination's own rules, which must not apply to what arrives (checked below, once more arrives).
  await put(as(A, "eu-west-1"), [{ destinations: [{ region: "us-east-1", registryId: A.accountId }] }]);
  // Only rules whose filters cover the repository count.
  await pushImage(as(A), "dev/tool", "v1");
  await t.ecr.replicationsIdle();
  expect((await statuses(as(A), "dev/tool", "v1"))!.map((s) => `${s.region}/${s.registryId}/${s.status}`)).toEqual([
    `ap-south-1/${A.accountId}/FAILED`,
    `eu-west-1/${A.accountId}/COMPLETE`,
    `us-east-1/${B.accountId}/FAILED`,
  ]);

  await as(B).send(new PutRegistryPolicyCommand({
    policyText: JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Sid: "replicate", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${A.accountId}:root` }, Action: ["ecr:CreateRepository", "ecr:ReplicateImage"], Resource: `arn:aws:ecr:us-east-1:${B.accountId}:repository/*` }],
    }),
  }));
  // Tagging the image again asks for its copies again; every tag it has goes along.
  await putImage(as(A), manifest, "stable", "prod/api");
  await t.ecr.replicationsIdle();
  expect((await statuses(as(A), "prod/api", "stable"))!.find((s) => s.registryId === B.accountId)).toEqual({ region: "us-east-1", registryId: B.accountId, status: "COMPLETE" });
  const copy = await as(B).send(new DescribeImagesCommand({ repositoryName: "prod/api" }));
  expect(copy.imageDetails!.map((d) => [d.registryId, [...d.imageTags!].sort()])).toEqual([[B.accountId, ["stable", "v1"]]]);
  const created = (await as(B).send(new DescribeRepositoriesCommand({ repositoryNames: ["prod/api"] }))).repositories![0];
  expect(created.imageTagMutability).toBe("IMMUTABLE");
  expect((await as(B).send(new ListTagsForResourceCommand({ resourceArn: created.repositoryArn }))).tags).toEqual([{ Key: "origin", Value: "replica" }]);
  // The other region has both tags too, as a copy asked again.
  const west = await as(A, "eu-west-1").send(new DescribeImagesCommand({ repositoryName: "prod/api" }));
  expect([...west.imageDetails![0].imageTags!].sort()).toEqual(["stable", "v1"]);
  // It arrived after the destination's own rules were put, and still was not copied on.
  expect(await statuses(as(A, "eu-west-1"), "prod/api", "stable")).toEqual([]);
});

test("an unknown image is ImageNotFoundException; an image with no copies has none", async () => {
  await as(A).send(new CreateRepositoryCommand({ repositoryName: "solo" }));
  await put(as(A), [{ destinations: [{ region: "eu-west-1", registryId: A.accountId }], repositoryFilters: [{ filter: "elsewhere", filterType: "PREFIX_MATCH" }] }]);
  await pushImage(as(A), "solo", "v1");
  expect(await statuses(as(A), "solo", "v1")).toEqual([]);
  const missing = await failure(statuses(as(A), "solo", "v2"));
  expect([missing.name, missing.message]).toEqual(["ImageNotFoundException", `The image with imageId {imageDigest:'null', imageTag:'v2'} does not exist within the repository with name 'solo' in the registry with id '${A.accountId}'`]);
  const noRepo = await failure(statuses(as(A), "nowhere", "v1"));
  expect(noRepo.name).toBe("RepositoryNotFoundException");
});

test("a copy is IN_PROGRESS until it ends, and one a stopped server left under way resumes at the next start", async () => {
  await put(as(A), [{ destinations: [{ region: "eu-west-1", registryId: A.accountId }], repositoryFilters: [{ filter: "later", filterType: "PREFIX_MATCH" }] }]);
  await t.stop();
  // A store whose queue of copies reads as empty: the copy is asked for but nothing runs it.
  const real = await EmbeddedStore.open({ dataDir, fsync: false });
  const stalled = new Proxy(real, { get: (target, key) => (key === "listReplicationsInProgress" ? async () => [] : Reflect.get(target, key, target)) });
  clients.clear();
  t = await startEcr({ dataDir, auth: { mode: "sigv4", credentials }, regions: ["eu-west-1"], settings: { minPartSize: 1 }, store: stalled });
  await as(A).send(new CreateRepositoryCommand({ repositoryName: "later/app" }));
  const manifest = await pushImage(as(A), "later/app", "v1");
  await t.ecr.replicationsIdle();
  expect(await statuses(as(A), "later/app", "v1")).toEqual([{ region: "eu-west-1", registryId: A.accountId, status: "IN_PROGRESS" }]);
  await t.stop();
  await start();
  await t.ecr.replicationsIdle();
  expect(await statuses(as(A), "later/app", "v1")).toEqual([{ region: "eu-west-1", registryId: A.accountId, status: "COMPLETE" }]);
  const copy = await as(A, "eu-west-1").send(new BatchGetImageCommand({ repositoryName: "later/app", imageIds: [{ imageTag: "v1" }] }));
  expect(copy.images!.map((i) => i.imageManifest)).toEqual([manifest]);
});

describeWith(registryTools, "replication on the registry side", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "ecr-replication-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const password = async (client: ECRClient) => {
    const token = (await client.send(new GetAuthorizationTokenCommand({}))).authorizationData![0].authorizationToken!;
    return Buffer.from(token, "base64").toString("utf8").slice("AWS:".length);
  };

  test("skopeo pushes to the source; the copy is pulled from the other account's registry and from the other region", async () => {
    await put(as(A), [{ destinations: [{ region: "us-east-1", registryId: B.accountId }, { region: "eu-west-1", registryId: A.accountId }], repositoryFilters: [{ filter: "web", filterType: "PREFIX_MATCH" }] }]);
    await as(A).send(new CreateRepositoryCommand({ repositoryName: "web" }));
    const host = new URL(t.url).host;
    const { path, layer } = writeOciLayout(join(dir, "layout"), "v1");
    const pushed = await run("skopeo", ["copy", "--dest-tls-verify=false", "--dest-creds", `AWS:${await password(as(A))}`, `oci:${path}:v1`, `docker://${host}/web:v1`]);
    expect(pushed.stderr).toBe("");
    expect(pushed.status).toBe(0);
    await t.ecr.replicationsIdle();
    expect((await statuses(as(A), "web", "v1"))!.map((s) => s.status)).toEqual(["COMPLETE", "COMPLETE"]);

    const out = join(dir, "pulled");
    const pulled = await run("skopeo", ["copy", "--src-tls-verify=false", "--src-creds", `AWS:${await password(as(B))}`, `docker://${host}/web:v1`, `oci:${out}:v1`]);
    expect(pulled.status).toBe(0);
    const index = JSON.parse(readFileSync(join(out, "index.json"), "utf8"));
    const manifest = JSON.parse(readFileSync(join(out, "blobs", "sha256", index.manifests[0].digest.slice(7)), "utf8"));
    expect(readFileSync(join(out, "blobs", "sha256", manifest.layers[0].digest.slice(7)))).toEqual(layer);

    // The other region's registry, addressed by its host name as ECR's are.
    const west = await v2AtHost(t.url, `${A.accountId}.dkr.ecr.eu-west-1.amazonaws.com`, "/v2/web/manifests/v1", { headers: { accept: "application/vnd.oci.image.manifest.v1+json" } }, await password(as(A, "eu-west-1")));
    expect(west.status).toBe(200);
    expect(JSON.parse(west.text)).toEqual(manifest);
    // Or at the server's own host: a login's requests go to the region its password was issued in.
    const inspected = await run("skopeo", ["inspect", "--raw", "--tls-verify=false", "--creds", `AWS:${await password(as(A, "eu-west-1"))}`, `docker://${host}/web:v1`]);
    expect([inspected.status, inspected.stderr]).toEqual([0, ""]);
    expect(JSON.parse(inspected.stdout)).toEqual(manifest);
  }, 60_000);
});
