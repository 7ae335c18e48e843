// Repository creation templates with the real SDK: kept per registry and prefix, checked like the settings they hold,
// and applied when a push (API or /v2) creates a repository under a CREATE_ON_PUSH template's prefix.
import {
  CreateRepositoryCreationTemplateCommand,
  DeleteRepositoryCreationTemplateCommand,
  DescribeRepositoriesCommand,
  DescribeRepositoryCreationTemplatesCommand,
  GetLifecyclePolicyCommand,
  GetRepositoryPolicyCommand,
  InitiateLayerUploadCommand,
  ListTagsForResourceCommand,
  UpdateRepositoryCreationTemplateCommand,
  type CreateRepositoryCreationTemplateRequest,
} from "@aws-sdk/client-ecr";
import { failure, REGISTRY, startEcr, tempDataDir, type TestEcr } from "../helpers/ecr-server";
import { v2 } from "../helpers/registry";

const dataDir = tempDataDir();
let clock = Date.UTC(2026, 0, 1);
let t: TestEcr;
const start = async () => {
  t = await startEcr({ dataDir, now: () => clock });
};
beforeAll(start);
afterAll(() => t.close());

const POLICY = JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "pull", Effect: "Allow", Principal: { AWS: "arn:aws:iam::210987654321:root" }, Action: ["ecr:BatchGetImage"] }] });
const LIFECYCLE = JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 14 }, action: { type: "expire" } }] });
const KMS = `arn:aws:kms:us-east-1:${REGISTRY}:key/0f1e2d3c-aaaa-bbbb-cccc-123456789012`;
const PROD: CreateRepositoryCreationTemplateRequest = {
  prefix: "prod",
  description: "production services",
  encryptionConfiguration: { encryptionType: "KMS", kmsKey: KMS },
  resourceTags: [{ Key: "team", Value: "platform" }],
  imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
  imageTagMutabilityExclusionFilters: [{ filterType: "WILDCARD", filter: "latest" }],
  repositoryPolicy: POLICY,
  lifecyclePolicy: LIFECYCLE,
  appliedFor: ["CREATE_ON_PUSH", "REPLICATION"],
  customRoleArn: `arn:aws:iam::${REGISTRY}:role/ecr-templates`,
};
const create = (input: CreateRepositoryCreationTemplateRequest) => t.client.send(new CreateRepositoryCreationTemplateCommand(input));
const describeAll = async (more: { maxResults?: number; nextToken?: string; prefixes?: string[] } = {}) => t.client.send(new DescribeRepositoryCreationTemplatesCommand(more));

test("templates are created, described (named, or all a page at a time), updated and deleted, across a restart", async () => {
  const createdAt = new Date(clock);
  const made = await create(PROD);
  const { prefix, ...settings } = PROD;
  expect(made).toEqual(expect.objectContaining({ registryId: REGISTRY, repositoryCreationTemplate: { prefix, ...settings, createdAt, updatedAt: createdAt } }));
  for (const p of ["ROOT", "dev/", "qa"]) await create({ prefix: p, appliedFor: ["PULL_THROUGH_CACHE"] });
  const dup = await failure(create({ prefix: "qa", appliedFor: ["REPLICATION"] }));
  expect([dup.name, dup.message]).toEqual(["TemplateAlreadyExistsException", `The repository creation template with prefix 'qa' already exists in the registry with id '${REGISTRY}'`]);

  await t.stop();
  await start();
  const prefixes: string[] = [];
  let token: string | undefined;
  do {
    const page = await describeAll({ maxResults: 3, ...(token ? { nextToken: token } : {}) });
    prefixes.push(...page.repositoryCreationTemplates!.map((x) => x.prefix!));
    token = page.nextToken;
  } while (token);
  expect(prefixes).toEqual(["ROOT", "dev/", "prod", "qa"]);
  const named = await describeAll({ prefixes: ["qa", "missing", "prod"] });
  expect(named.repositoryCreationTemplates!.map((x) => x.prefix)).toEqual(["prod", "qa"]);
  expect(named.repositoryCreationTemplates![0]).toEqual(made.repositoryCreationTemplate);

  clock += 5000;
  const updated = await t.client.send(new UpdateRepositoryCreationTemplateCommand({ prefix: "prod", description: "changed", imageTagMutability: "MUTABLE" }));
  expect(updated.repositoryCreationTemplate).toEqual({
    ...made.repositoryCreationTemplate,
    description: "changed",
    imageTagMutability: "MUTABLE",
    imageTagMutabilityExclusionFilters: undefined,
    updatedAt: new Date(clock),
  });
  const deleted = await t.client.send(new DeleteRepositoryCreationTemplateCommand({ prefix: "qa" }));
  expect(deleted.repositoryCreationTemplate).toEqual(expect.objectContaining({ prefix: "qa", appliedFor: ["PULL_THROUGH_CACHE"] }));
  for (const call of [
    t.client.send(new DeleteRepositoryCreationTemplateCommand({ prefix: "qa" })),
    t.client.send(new UpdateRepositoryCreationTemplateCommand({ prefix: "qa", description: "x" })),
  ]) {
    const err = await failure(call);
    expect([err.name, err.message]).toEqual(["TemplateNotFoundException", `The repository creation template with prefix 'qa' does not exist in the registry with id '${REGISTRY}'`]);
  }
  await t.client.send(new UpdateRepositoryCreationTemplateCommand({ prefix: "prod", imageTagMutability: "IMMUTABLE" }));
});

test("settings are checked as the operations that set them check them, and a refused request changes nothing", async () => {
  for (const [input, name, message] of [
    [{ prefix: "x", appliedFor: [] }, "InvalidParameterException", "Invalid parameter at 'appliedFor' failed to satisfy constraint: 'must name at least one of [REPLICATION, PULL_THROUGH_CACHE, CREATE_ON_PUSH]'"],
    [{ prefix: "x", appliedFor: ["CREATE_ON_PUSH"], encryptionConfiguration: { encryptionType: "AES256", kmsKey: KMS } }, "InvalidParameterException", "A kmsKey can only be given with KMS or KMS_DSSE encryption"],
    [{ prefix: "x", appliedFor: ["CREATE_ON_PUSH"], repositoryPolicy: "{not json" }, "InvalidParameterException", "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'"],
    [{ prefix: "x", appliedFor: ["CREATE_ON_PUSH"], customRoleArn: "arn:aws:iam::999999999999:role/other" }, "InvalidParameterException", `Invalid parameter at 'customRoleArn' failed to satisfy constraint: 'must be the ARN of an IAM role of the account ${REGISTRY}'`],
    [{ prefix: "x", appliedFor: ["CREATE_ON_PUSH"], imageTagMutability: "MUTABLE_WITH_EXCLUSION" }, "InvalidParameterException", "imageTagMutabilityExclusionFilters are required when imageTagMutability is MUTABLE_WITH_EXCLUSION"],
    [{ prefix: "Bad Prefix", appliedFor: ["CREATE_ON_PUSH"] }, "InvalidParameterException", undefined],
  ] as const) {
    const err = await failure(create(input as unknown as CreateRepositoryCreationTemplateRequest));
    expect(err.name).toBe(name);
    if (message) expect(err.message).toBe(message);
  }
  const bad = await failure(create({ prefix: "x", appliedFor: ["CREATE_ON_PUSH"], lifecyclePolicy: "{}" }));
  expect([bad.name, bad.message]).toEqual(["InvalidParameterException", expect.stringMatching(/^Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure/)]);
  expect((await describeAll({ prefixes: ["x"] })).repositoryCreationTemplates).toEqual([]);
});

test("a push creates a missing repository from the most specific CREATE_ON_PUSH template, with all its settings", async () => {
  // From the first test: prod (CREATE_ON_PUSH, now IMMUTABLE), dev/ and ROOT (PULL_THROUGH_CACHE only).
  await create({ prefix: "prod/batch", appliedFor: ["REPLICATION"] });
  const { uploadId } = await t.client.send(new InitiateLayerUploadCommand({ repositoryName: "prod/api" }));
  expect(uploadId).toMatch(/^[0-9a-f-]{36}$/);
  const [repo] = (await t.client.send(new DescribeRepositoriesCommand({ repositoryNames: ["prod/api"] }))).repositories!;
  expect([repo.imageTagMutability, repo.encryptionConfiguration, repo.createdAt]).toEqual(["IMMUTABLE", { encryptionType: "KMS", kmsKey: KMS }, new Date(clock)]);
  const arn = `arn:aws:ecr:us-east-1:${REGISTRY}:repository/prod/api`;
  expect((await t.client.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual([{ Key: "team", Value: "platform" }]);
  expect((await t.client.send(new GetRepositoryPolicyCommand({ repositoryName: "prod/api" }))).policyText).toBe(POLICY);
  expect((await t.client.send(new GetLifecyclePolicyCommand({ repositoryName: "prod/api" }))).lifecyclePolicyText).toBe(LIFECYCLE);

  // The registry protocol's upload creates too.
  const started = await v2(t.url, "/v2/prod/web/blobs/uploads/", { method: "POST" });
  expect(started.status).toBe(202);
  expect((await t.client.send(new DescribeRepositoriesCommand({ repositoryNames: ["prod/web"] }))).repositories![0].imageTagMutability).toBe("IMMUTABLE");

  // Not covered: no template (dev/ and ROOT are for pull through cache), or a more specific one without CREATE_ON_PUSH.
  for (const name of ["dev/api", "other", "prod/batch/job"]) {
    const err = await failure(t.client.send(new InitiateLayerUploadCommand({ repositoryName: name })));
    expect([name, err.name]).toEqual([name, "RepositoryNotFoundException"]);
  }
  const refused = await v2(t.url, "/v2/other/blobs/uploads/", { method: "POST" });
  expect([refused.status, refused.errors?.[0]?.code]).toEqual([404, "NAME_UNKNOWN"]);
});
