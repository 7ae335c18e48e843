// Repository and registry policies with the real SDK under SigV4: stored and validated as ECR does, and enforced:
// another account pulls or pushes exactly when the repository's policy allows that principal the action.
import { randomBytes } from "node:crypto";
import {
  BatchCheckLayerAvailabilityCommand,
  BatchGetImageCommand,
  CompleteLayerUploadCommand,
  CreateRepositoryCommand,
  DeleteRegistryPolicyCommand,
  DeleteRepositoryPolicyCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  GetDownloadUrlForLayerCommand,
  GetRegistryPolicyCommand,
  GetRepositoryPolicyCommand,
  InitiateLayerUploadCommand,
  PutImageCommand,
  PutAccountSettingCommand,
  PutRegistryPolicyCommand,
  SetRepositoryPolicyCommand,
  UploadLayerPartCommand,
  type ECRClient,
} from "@aws-sdk/client-ecr";
import { sha256 } from "../helpers/digests";
import { ecrClient } from "../helpers/ecr-client";
import { failure, startEcr, type TestEcr } from "../helpers/ecr-server";
import { ociManifest, pushBlob, putImage } from "../helpers/push";

const OWNER = { accessKeyId: "AKIAOWNER", secretAccessKey: "secret-o", accountId: "111111111111" };
const OTHER = { accessKeyId: "AKIAOTHER", secretAccessKey: "secret-b", accountId: "222222222222" };
const CI_USER = { accessKeyId: "AKIACIUSER", secretAccessKey: "secret-c", accountId: "222222222222", principalArn: "arn:aws:iam::222222222222:user/ci" };
const DEPLOY = { accessKeyId: "ASIADEPLOY", secretAccessKey: "secret-d", accountId: "222222222222", principalArn: "arn:aws:sts::222222222222:assumed-role/Deploy/run-7" };

let t: TestEcr;
let owner: ECRClient;
let other: ECRClient;
let ci: ECRClient;
let deploy: ECRClient;
let image: { digest: string; layer: Buffer; config: Buffer };

beforeAll(async () => {
  const credentials = Object.fromEntries([OWNER, OTHER, CI_USER, DEPLOY].map(({ accessKeyId, ...c }) => [accessKeyId, c]));
  t = await startEcr({ auth: { mode: "sigv4", credentials }, settings: { minPartSize: 1 } });
  const as = (c: typeof OWNER) => ecrClient(t.url, { credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey } });
  [owner, other, ci, deploy] = [as(OWNER), as(OTHER), as(CI_USER), as(DEPLOY)];
  await owner.send(new CreateRepositoryCommand({ repositoryName: "app" }));
  const config = randomBytes(40);
  const layer = randomBytes(300);
  await pushBlob(owner, config);
  await pushBlob(owner, layer);
  image = { digest: await putImage(owner, ociManifest(config, [layer]), "v1"), layer, config };
});
afterAll(() => t.close());

const policy = (...statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"];
const PUSH = ["ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"];
const setPolicy = (policyText: string, force = false) => owner.send(new SetRepositoryPolicyCommand({ repositoryName: "app", policyText, force }));
const denied = (principal: string, op: string, why = `because no resource-based policy allows the ecr:${op} action`) => [
  "AccessDeniedException",
  `User: ${principal} is not authorized to perform: ecr:${op} on resource: arn:aws:ecr:us-east-1:${OWNER.accountId}:repository/app ${why}`,
];

describe("the policy document", () => {
  afterEach(() => owner.send(new DeleteRepositoryPolicyCommand({ repositoryName: "app" })).catch(() => undefined));

  test("set, got and deleted as given; without one, RepositoryPolicyNotFoundException in ECR's words", async () => {
    const text = policy({ Sid: "Pull", Effect: "Allow", Principal: { AWS: OTHER.accountId }, Action: PULL });
    expect(await setPolicy(text)).toEqual(expect.objectContaining({ registryId: OWNER.accountId, repositoryName: "app", policyText: text }));
    expect((await owner.send(new GetRepositoryPolicyCommand({ repositoryName: "app" }))).policyText).toBe(text);
    expect((await owner.send(new DeleteRepositoryPolicyCommand({ repositoryName: "app" }))).policyText).toBe(text);
    // snyk/driftctl#1549 quotes ECR's words.
    const message = `Repository policy does not exist for the repository with name 'app' in the registry with id '${OWNER.accountId}'`;
    for (const call of [new GetRepositoryPolicyCommand({ repositoryName: "app" }), new DeleteRepositoryPolicyCommand({ repositoryName: "app" })]) {
      const err = await failure(owner.send(call as never));
      expect([err.name, err.message]).toEqual(["RepositoryPolicyNotFoundException", message]);
    }
    const missing = await failure(owner.send(new GetRepositoryPolicyCommand({ repositoryName: "nope" })));
    expect(missing.name).toBe("RepositoryNotFoundException");
  });

  // ECR answers every malformed policy with the same words (awsdocs/amazon-ecr-user-guide#20 for a Resource,
  // hashicorp/terraform-provider-aws#3924 for a principal like arn:aws:iam::<id>:*).
  const allow = { Effect: "Allow", Principal: { AWS: OTHER.accountId }, Action: PULL };
  test.each([
    ["not JSON", "{"],
    ["a Resource (repository policies apply to their repository)", policy({ ...allow, Resource: "arn:aws:ecr:us-east-1:111111111111:repository/app" })],
    ["no Effect", policy({ Principal: allow.Principal, Action: PULL })],
    ["an Effect that is neither", policy({ ...allow, Effect: "Permit" })],
    ["no Principal", policy({ Effect: "Allow", Action: PULL })],
    ["a principal that is no IAM identity", policy({ ...allow, Principal: { AWS: `arn:aws:iam::${OTHER.accountId}:*` } })],
    ["no Action", policy({ Effect: "Allow", Principal: allow.Principal })],
    ["an action without a service", policy({ ...allow, Action: "BatchGetImage" })],
    ["an unknown statement member", policy({ ...allow, Extra: 1 })],
    ["an unknown version", JSON.stringify({ Version: "2020-01-01", Statement: [allow] })],
    ["no statements", JSON.stringify({ Version: "2012-10-17", Statement: [] })],
    ["a condition that is not operator to key to value", policy({ ...allow, Condition: { StringEquals: "x" } })],
  ])("%s is InvalidParameterException, and the stored policy stays", async (_, text) => {
    const kept = policy(allow);
    await setPolicy(kept);
    const err = await failure(setPolicy(text));
    expect([err.name, err.message]).toEqual(["InvalidParameterException", "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'"]);
    expect((await owner.send(new GetRepositoryPolicyCommand({ repositoryName: "app" }))).policyText).toBe(kept);
  });

  test("a policy that would lock the caller out needs force; once set, its Deny binds the owner too", async () => {
    const lockout = policy({ Effect: "Deny", Principal: "*", Action: "ecr:SetRepositoryPolicy" });
    const err = await failure(setPolicy(lockout));
    expect(err.name).toBe("InvalidParameterException");
    await expect(owner.send(new GetRepositoryPolicyCommand({ repositoryName: "app" }))).rejects.toMatchObject({ name: "RepositoryPolicyNotFoundException" });
    await setPolicy(lockout, true);
    const refused = await failure(setPolicy(policy(allow), true));
    expect([refused.name, refused.message]).toEqual(
      denied(`arn:aws:iam::${OWNER.accountId}:root`, "SetRepositoryPolicy", "with an explicit deny in a resource-based policy"),
    );
  });
});

describe("another account", () => {
  afterEach(() => owner.send(new DeleteRepositoryPolicyCommand({ repositoryName: "app" })).catch(() => undefined));
  const registryId = OWNER.accountId;
  const pull = (client: ECRClient) => client.send(new BatchGetImageCommand({ registryId, repositoryName: "app", imageIds: [{ imageTag: "v1" }] }));

  test("without a policy is refused every operation on the repository, in IAM's words", async () => {
    const err = await failure(pull(other));
    expect([err.name, err.message]).toEqual(denied(`arn:aws:iam::${OTHER.accountId}:root`, "BatchGetImage"));
    const byUser = await failure(ci.send(new DescribeImagesCommand({ registryId, repositoryName: "app" })));
    expect([byUser.name, byUser.message]).toEqual(denied(CI_USER.principalArn, "DescribeImages"));
  });

  test("pulls what a policy for its account allows, and nothing else", async () => {
    await setPolicy(policy({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${OTHER.accountId}:root` }, Action: PULL }));
    for (const client of [other, ci]) {
      const got = await pull(client);
      expect(got.images!.map((i) => i.imageId)).toEqual([{ imageDigest: image.digest, imageTag: "v1" }]);
      const check = await client.send(new BatchCheckLayerAvailabilityCommand({ registryId, repositoryName: "app", layerDigests: [sha256(image.layer)] }));
      expect(check.layers!.map((l) => l.layerAvailability)).toEqual(["AVAILABLE"]);
      const url = await client.send(new GetDownloadUrlForLayerCommand({ registryId, repositoryName: "app", layerDigest: sha256(image.layer) }));
      expect(Buffer.from(await (await fetch(url.downloadUrl!)).arrayBuffer())).toEqual(image.layer);
    }
    const push = await failure(other.send(new InitiateLayerUploadCommand({ registryId, repositoryName: "app" })));
    expect([push.name, push.message]).toEqual(denied(`arn:aws:iam::${OTHER.accountId}:root`, "InitiateLayerUpload"));
  });

  test("pushes when a policy names its user for the push actions; the account's root is not that user", async () => {
    await setPolicy(policy({ Effect: "Allow", Principal: { AWS: [CI_USER.principalArn] }, Action: PUSH }));
    const layer = randomBytes(100);
    const { uploadId } = await ci.send(new InitiateLayerUploadCommand({ registryId, repositoryName: "app" }));
    await ci.send(new UploadLayerPartCommand({ registryId, repositoryName: "app", uploadId, partFirstByte: 0, partLastByte: 99, layerPartBlob: layer }));
    await ci.send(new CompleteLayerUploadCommand({ registryId, repositoryName: "app", uploadId, layerDigests: [sha256(layer)] }));
    const manifest = ociManifest(image.config, [layer]);
    const put = await ci.send(new PutImageCommand({ registryId, repositoryName: "app", imageManifest: manifest, imageTag: "from-ci" }));
    expect(put.image!.registryId).toBe(OWNER.accountId);
    const mine = await owner.send(new DescribeImagesCommand({ repositoryName: "app", imageIds: [{ imageTag: "from-ci" }] }));
    expect(mine.imageDetails![0].imageDigest).toBe(sha256(manifest));
    const root = await failure(other.send(new InitiateLayerUploadCommand({ registryId, repositoryName: "app" })));
    expect([root.name, root.message]).toEqual(denied(`arn:aws:iam::${OTHER.accountId}:root`, "InitiateLayerUpload"));
  });

  test("NotPrincipal exempts only the identities it lists: naming the account exempts its root, not its users", async () => {
    await setPolicy(
      policy(
        { Effect: "Allow", Principal: { AWS: OTHER.accountId }, Action: "ecr:BatchGetImage" },
        { Effect: "Deny", NotPrincipal: { AWS: [CI_USER.principalArn, `arn:aws:iam::${OTHER.accountId}:root`] }, Action: "ecr:BatchGet*" },
      ),
    );
    expect((await pull(other)).images).toHaveLength(1);
    expect((await pull(ci)).images).toHaveLength(1);
    const err = await failure(pull(deploy));
    expect([err.name, err.message]).toEqual(denied(DEPLOY.principalArn, "BatchGetImage", "with an explicit deny in a resource-based policy"));
  });

  test("a role, whatever its path, names its sessions; ? matches one character of an action, in any case", async () => {
    await setPolicy(policy({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::222222222222:role/ci/Deploy" }, Action: "ECR:BatchGet?mage" }));
    expect((await pull(deploy)).images).toHaveLength(1);
    await expect(pull(ci)).rejects.toMatchObject({ name: "AccessDeniedException" });
  });

  test("an explicit Deny binds operations addressed by ARN or by a list of names, for the owner too", async () => {
    await setPolicy(policy({ Effect: "Deny", Principal: "*", Action: ["ecr:TagResource", "ecr:DescribeRepositories"] }), true);
    const arn = `arn:aws:ecr:us-east-1:${OWNER.accountId}:repository/app`;
    const tag = await failure(owner.send(new TagResourceCommand({ resourceArn: arn, tags: [{ Key: "k", Value: "v" }] })));
    expect([tag.name, tag.message]).toEqual(denied(`arn:aws:iam::${OWNER.accountId}:root`, "TagResource", "with an explicit deny in a resource-based policy"));
    const listed = await failure(owner.send(new DescribeRepositoriesCommand({ repositoryNames: ["app"] })));
    expect(listed.name).toBe("AccessDeniedException");
    expect((await owner.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual([]);
  });

  test("an explicit Deny wins over an Allow", async () => {
    await setPolicy(
      policy(
        { Effect: "Allow", Principal: "*", Action: "ecr:*" },
        { Effect: "Deny", Principal: { AWS: CI_USER.principalArn }, Action: "ecr:BatchGet*" },
      ),
    );
    expect((await pull(other)).images).toHaveLength(1);
    const err = await failure(pull(ci));
    expect([err.name, err.message]).toEqual(denied(CI_USER.principalArn, "BatchGetImage", "with an explicit deny in a resource-based policy"));
  });
});

describe("the registry policy", () => {
  const replication = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Sid: "Replicate", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${OTHER.accountId}:root` }, Action: ["ecr:CreateRepository", "ecr:ReplicateImage"], Resource: "arn:aws:ecr:us-east-1:111111111111:repository/*" }],
  });

  test("is stored, returned and deleted; without one, RegistryPolicyNotFoundException", async () => {
    expect(await owner.send(new PutRegistryPolicyCommand({ policyText: replication }))).toEqual(expect.objectContaining({ registryId: OWNER.accountId, policyText: replication }));
    expect((await owner.send(new GetRegistryPolicyCommand({}))).policyText).toBe(replication);
    await expect(other.send(new GetRegistryPolicyCommand({}))).rejects.toMatchObject({ name: "RegistryPolicyNotFoundException" });
    expect((await owner.send(new DeleteRegistryPolicyCommand({}))).policyText).toBe(replication);
    const err = await failure(owner.send(new GetRegistryPolicyCommand({})));
    expect([err.name, err.message]).toEqual(["RegistryPolicyNotFoundException", `Registry policy does not exist in the registry with id '${OWNER.accountId}'`]);
  });

  const scope = (value: string) => owner.send(new PutAccountSettingCommand({ name: "REGISTRY_POLICY_SCOPE", value }));

  test("under REGISTRY_POLICY_SCOPE V1, grants registry actions only: a push action is refused in ECR's words (pulumi/pulumi-aws#2326)", async () => {
    await scope("V1");
    try {
      const push = replication.replace('"ecr:ReplicateImage"', '"ecr:PutImage"');
      const err = await failure(owner.send(new PutRegistryPolicyCommand({ policyText: push })));
      expect([err.name, err.message]).toEqual(["InvalidParameterException", "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid registry policy provided'"]);
      await expect(owner.send(new GetRegistryPolicyCommand({}))).rejects.toMatchObject({ name: "RegistryPolicyNotFoundException" });
    } finally {
      await scope("V2");
    }
  });

  test("under V2 (the default) it decides other accounts' access beside repository policies, for the resources it names", async () => {
    const resource = (name: string) => `arn:aws:ecr:us-east-1:${OWNER.accountId}:repository/${name}`;
    const pull = () => other.send(new BatchGetImageCommand({ registryId: OWNER.accountId, repositoryName: "app", imageIds: [{ imageTag: "v1" }] }));
    const registryPolicy = (...statements: object[]) => owner.send(new PutRegistryPolicyCommand({ policyText: policy(...statements) }));
    try {
      // Allowed for the repository it names, not for another.
      await registryPolicy({ Effect: "Allow", Principal: { AWS: OTHER.accountId }, Action: PULL, Resource: resource("app") });
      expect((await pull()).images!.map((i) => i.imageId!.imageDigest)).toEqual([image.digest]);
      await registryPolicy({ Effect: "Allow", Principal: { AWS: OTHER.accountId }, Action: PULL, Resource: resource("other-*") });
      const refused = await failure(pull());
      expect([refused.name, refused.message]).toEqual(denied(`arn:aws:iam::${OTHER.accountId}:root`, "BatchGetImage"));
      // Its Deny refuses what the repository's policy allows.
      await setPolicy(policy({ Effect: "Allow", Principal: { AWS: OTHER.accountId }, Action: PULL }));
      expect((await pull()).images!.length).toBe(1);
      await registryPolicy({ Effect: "Deny", Principal: { AWS: OTHER.accountId }, Action: "ecr:BatchGetImage", Resource: "*" });
      const denial = await failure(pull());
      expect([denial.name, denial.message]).toEqual(denied(`arn:aws:iam::${OTHER.accountId}:root`, "BatchGetImage", "with an explicit deny in a resource-based policy"));
      // Under V1 the registry policy takes no part.
      await owner.send(new DeleteRegistryPolicyCommand({}));
      await scope("V1");
      await owner.send(new PutRegistryPolicyCommand({ policyText: policy({ Effect: "Deny", Principal: { AWS: OTHER.accountId }, Action: "ecr:ReplicateImage", Resource: "*" }) }));
      expect((await pull()).images!.length).toBe(1);
    } finally {
      await scope("V2");
      await owner.send(new DeleteRegistryPolicyCommand({})).catch(() => undefined);
      await owner.send(new DeleteRepositoryPolicyCommand({ repositoryName: "app" })).catch(() => undefined);
    }
  });
});
