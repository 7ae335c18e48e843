// Account settings and pull time update exclusions with the real SDK under SigV4: per registry, durable, refused
// precisely when wrong, and doing what they say (the scope a registry policy may grant, pulls that leave
// lastRecordedPullTime alone). BLOB_MOUNTING's effect on the registry protocol is proven in test/registry.
import { randomBytes } from "node:crypto";
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DeleteRegistryPolicyCommand,
  DeregisterPullTimeUpdateExclusionCommand,
  DescribeImagesCommand,
  GetAccountSettingCommand,
  ListPullTimeUpdateExclusionsCommand,
  PutAccountSettingCommand,
  PutRegistryPolicyCommand,
  RegisterPullTimeUpdateExclusionCommand,
  type ECRClient,
} from "@aws-sdk/client-ecr";
import { ecrClient } from "../helpers/ecr-client";
import { failure, startEcr, tempDataDir, type TestEcr } from "../helpers/ecr-server";
import { ociManifest, pushBlob, putImage } from "../helpers/push";

const OWNER = { accessKeyId: "AKIAOWNER", secretAccessKey: "secret-o", accountId: "111111111111" };
const SCANNER = { accessKeyId: "AKIASCANNER", secretAccessKey: "secret-s", accountId: "111111111111", principalArn: "arn:aws:iam::111111111111:user/scanner" };
const WARMER = {
  accessKeyId: "ASIAWARMER",
  secretAccessKey: "secret-w",
  accountId: "111111111111",
  principalArn: "arn:aws:sts::111111111111:assumed-role/CacheWarmer/run-42",
};
const OTHER = { accessKeyId: "AKIAOTHER", secretAccessKey: "secret-b", accountId: "222222222222" };
const credentials = Object.fromEntries([OWNER, SCANNER, WARMER, OTHER].map(({ accessKeyId, ...c }) => [accessKeyId, c]));

const dataDir = tempDataDir();
let t: TestEcr;
let owner: ECRClient;
let other: ECRClient;
const as = (c: typeof OWNER) => ecrClient(t.url, { credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey } });
const start = async () => {
  t = await startEcr({ dataDir, auth: { mode: "sigv4", credentials }, settings: { minPartSize: 1, pullTimeResolutionMs: 0 } });
  [owner, other] = [as(OWNER), as(OTHER)];
};
beforeAll(start);
afterAll(() => t.close());

const get = (client: ECRClient, name: string) => client.send(new GetAccountSettingCommand({ name }));
const put = (client: ECRClient, name: string, value: string) => client.send(new PutAccountSettingCommand({ name, value }));
const fields = (r: { name?: string; value?: string }) => ({ name: r.name, value: r.value });

describe("account settings", () => {
  test.each([
    ["BASIC_SCAN_TYPE_VERSION", "AWS_NATIVE"],
    ["BLOB_MOUNTING", "DISABLED"],
    ["REGISTRY_POLICY_SCOPE", "V2"],
  ])("%s is %s until set", async (name, value) => {
    expect(fields(await get(owner, name))).toEqual({ name, value });
  });

  test("a setting put is the registry's own, and outlives a restart", async () => {
    expect(fields(await put(owner, "BLOB_MOUNTING", "ENABLED"))).toEqual({ name: "BLOB_MOUNTING", value: "ENABLED" });
    expect(fields(await get(other, "BLOB_MOUNTING"))).toEqual({ name: "BLOB_MOUNTING", value: "DISABLED" });
    await t.stop();
    await start();
    expect(fields(await get(owner, "BLOB_MOUNTING"))).toEqual({ name: "BLOB_MOUNTING", value: "ENABLED" });
    await put(owner, "BLOB_MOUNTING", "DISABLED");
    expect(fields(await get(owner, "BLOB_MOUNTING"))).toEqual({ name: "BLOB_MOUNTING", value: "DISABLED" });
  });

  test.each([
    ["an unknown name", "IMAGE_SCANNING", "V2", "name", "must be one of BASIC_SCAN_TYPE_VERSION, BLOB_MOUNTING, REGISTRY_POLICY_SCOPE"],
    ["a value the setting does not take", "REGISTRY_POLICY_SCOPE", "V3", "value", "must be one of V1, V2 for REGISTRY_POLICY_SCOPE"],
    ["the retired CLAIR engine", "BASIC_SCAN_TYPE_VERSION", "CLAIR", "value", "must be one of AWS_NATIVE for BASIC_SCAN_TYPE_VERSION"],
  ])("%s is InvalidParameterException, and nothing changes", async (_what, name, value, member, constraint) => {
    const err = await failure(put(owner, name, value));
    expect([err.name, err.message]).toEqual(["InvalidParameterException", `Invalid parameter at '${member}' failed to satisfy constraint: '${constraint}'`]);
    const settings = await Promise.all(["BASIC_SCAN_TYPE_VERSION", "BLOB_MOUNTING", "REGISTRY_POLICY_SCOPE"].map(async (n) => (await get(owner, n)).value));
    expect(settings).toEqual(["AWS_NATIVE", "DISABLED", "V2"]);
  });

  test("a name longer than the model's 64 characters is refused by the model's constraint", async () => {
    const err = await failure(get(owner, "X".repeat(65)));
    expect(err.name).toBe("InvalidParameterException");
    expect(err.message).toBe("Invalid parameter at 'name' failed to satisfy constraint: 'must have length less than or equal to 64'");
  });

  test("REGISTRY_POLICY_SCOPE V2 lets a registry policy grant any ECR action; V1 only what replication and pull-through need", async () => {
    const text = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { AWS: OTHER.accountId }, Action: ["ecr:BatchGetImage"], Resource: "*" }],
    });
    expect((await owner.send(new PutRegistryPolicyCommand({ policyText: text }))).policyText).toBe(text);
    // Still only ECR's actions.
    const s3 = text.replace("ecr:BatchGetImage", "s3:GetObject");
    expect((await failure(owner.send(new PutRegistryPolicyCommand({ policyText: s3 })))).name).toBe("InvalidParameterException");
    await put(owner, "REGISTRY_POLICY_SCOPE", "V1");
    try {
      const refused = await failure(owner.send(new PutRegistryPolicyCommand({ policyText: text })));
      expect(refused.name).toBe("InvalidParameterException");
    } finally {
      await put(owner, "REGISTRY_POLICY_SCOPE", "V2");
      await owner.send(new DeleteRegistryPolicyCommand({}));
    }
  });
});

describe("pull time update exclusions", () => {
  const register = (principalArn: string, client = owner) => client.send(new RegisterPullTimeUpdateExclusionCommand({ principalArn }));
  const deregister = (principalArn: string, client = owner) => client.send(new DeregisterPullTimeUpdateExclusionCommand({ principalArn }));
  const list = (client = owner, maxResults?: number, nextToken?: string) => client.send(new ListPullTimeUpdateExclusionsCommand({ maxResults, nextToken }));

  test("registered with its time, listed sorted a page at a time, deregistered; each registry has its own", async () => {
    const arns = ["arn:aws:iam::111111111111:user/b", "arn:aws:iam::111111111111:role/a", "arn:aws:iam::333333333333:user/c"];
    const before = Date.now();
    for (const arn of arns) {
      const r = await register(arn);
      expect(r.principalArn).toBe(arn);
      expect(r.createdAt!.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      expect(r.createdAt!.getTime()).toBeLessThanOrEqual(Date.now());
    }
    const first = await list(owner, 2);
    expect(first.pullTimeUpdateExclusions).toEqual([arns[1], arns[0]]);
    const second = await list(owner, 2, first.nextToken);
    expect([second.pullTimeUpdateExclusions, second.nextToken]).toEqual([[arns[2]], undefined]);
    expect((await list(other)).pullTimeUpdateExclusions).toEqual([]);
    // Another registry excludes the same principal on its own, and keeps it when the first lets it go.
    await register(arns[0], other);
    await t.stop();
    await start();
    expect((await list()).pullTimeUpdateExclusions).toEqual([arns[1], arns[0], arns[2]]);
    for (const arn of arns) expect((await deregister(arn)).principalArn).toBe(arn);
    expect((await list()).pullTimeUpdateExclusions).toEqual([]);
    expect((await list(other)).pullTimeUpdateExclusions).toEqual([arns[0]]);
    await deregister(arns[0], other);
  });

  test("twice is ExclusionAlreadyExistsException, an unknown one ExclusionNotFoundException, a bad ARN InvalidParameterException", async () => {
    const arn = "arn:aws:iam::111111111111:user/twice";
    await register(arn);
    const again = await failure(register(arn));
    expect([again.name, again.message]).toEqual([
      "ExclusionAlreadyExistsException",
      `The principal '${arn}' is already excluded from pull time updates in the registry with id '111111111111'`,
    ]);
    await deregister(arn);
    const gone = await failure(deregister(arn));
    expect([gone.name, gone.message]).toEqual([
      "ExclusionNotFoundException",
      `The principal '${arn}' is not excluded from pull time updates in the registry with id '111111111111'`,
    ]);
    // A session is not a user or role: the model's pattern refuses it.
    const session = await failure(register(WARMER.principalArn));
    expect([session.name, session.message]).toEqual([
      "InvalidParameterException",
      expect.stringMatching(/^Invalid parameter at 'principalArn' failed to satisfy constraint: 'must satisfy regular expression '/),
    ]);
    expect((await list()).pullTimeUpdateExclusions).toEqual([]);
  });

  test("a registry holds at most 100; the 101st is LimitExceededException", async () => {
    const arn = (i: number) => `arn:aws:iam::111111111111:user/u${String(i).padStart(3, "0")}`;
    try {
      for (let i = 0; i < 100; i++) await register(arn(i));
      const err = await failure(register(arn(100)));
      expect([err.name, err.message]).toEqual(["LimitExceededException", "The registry with id '111111111111' already has the maximum of 100 pull time update exclusions"]);
      const all = await list(owner, 1000);
      expect([all.pullTimeUpdateExclusions!.length, all.nextToken]).toEqual([100, undefined]);
    } finally {
      for (let i = 0; i < 100; i++) await deregister(arn(i));
    }
  });

  test("an excluded user's pulls, and an excluded role's sessions' pulls, leave lastRecordedPullTime as it was", async () => {
    await owner.send(new CreateRepositoryCommand({ repositoryName: "pulled" }));
    const config = randomBytes(20);
    const layer = randomBytes(50);
    await pushBlob(owner, config, "pulled");
    await pushBlob(owner, layer, "pulled");
    const digest = await putImage(owner, ociManifest(config, [layer]), "v1", "pulled");
    const pulledAt = async () => (await owner.send(new DescribeImagesCommand({ repositoryName: "pulled" }))).imageDetails![0].lastRecordedPullTime?.getTime();
    const pull = async (client: ECRClient) => {
      const r = await client.send(new BatchGetImageCommand({ repositoryName: "pulled", imageIds: [{ imageTag: "v1" }] }));
      expect(r.images!.map((i) => i.imageId!.imageDigest)).toEqual([digest]);
    };
    const [scanner, warmer] = [as(SCANNER), as(WARMER)];
    expect(await pulledAt()).toBeUndefined();
    await register(SCANNER.principalArn);
    // Registered with its path: the session's ARN shows only the role's name.
    await register("arn:aws:iam::111111111111:role/service-role/CacheWarmer");
    try {
      await pull(scanner);
      await pull(warmer);
      expect(await pulledAt()).toBeUndefined();
      await pull(owner);
      const recorded = await pulledAt();
      expect(recorded).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 1100));
      await pull(scanner);
      expect(await pulledAt()).toBe(recorded);
      // Deregistered, the scanner's pulls count again.
      await deregister(SCANNER.principalArn);
      await pull(scanner);
      expect(await pulledAt()).toBeGreaterThan(recorded!);
    } finally {
      await deregister("arn:aws:iam::111111111111:role/service-role/CacheWarmer");
      await deregister(SCANNER.principalArn).catch(() => undefined);
    }
  });
});
