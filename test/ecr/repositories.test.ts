// Repositories through the real SDK: creation with AWS's defaults, listing and paging, deletion, missing names.
import {
  BatchCheckLayerAvailabilityCommand,
  CompleteLayerUploadCommand,
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeRepositoriesCommand,
  InitiateLayerUploadCommand,
  InvalidParameterException,
  RepositoryAlreadyExistsException,
  RepositoryNotFoundException,
  UploadLayerPartCommand,
  BatchGetImageCommand,
  type ECRClient,
} from "@aws-sdk/client-ecr";
import { failure, REGISTRY, startEcr, type TestEcr } from "../helpers/ecr-server";

let t: TestEcr;
beforeEach(async () => {
  t = await startEcr({ now: () => Date.parse("2025-01-02T03:04:05.678Z") });
});
afterEach(() => t.close());

test("CreateRepository returns the repository with AWS's defaults and AWS's URI shape", async () => {
  const out = await t.client.send(new CreateRepositoryCommand({ repositoryName: "team/app" }));
  expect(out.repository).toEqual({
    registryId: REGISTRY,
    repositoryName: "team/app",
    repositoryArn: `arn:aws:ecr:us-east-1:${REGISTRY}:repository/team/app`,
    repositoryUri: `${REGISTRY}.dkr.ecr.us-east-1.amazonaws.com/team/app`,
    createdAt: new Date("2025-01-02T03:04:05.678Z"),
    imageTagMutability: "MUTABLE",
    imageScanningConfiguration: { scanOnPush: false },
    encryptionConfiguration: { encryptionType: "AES256" },
  });
});

test("CreateRepository echoes the settings it was given", async () => {
  const out = await t.client.send(
    new CreateRepositoryCommand({
      repositoryName: "app",
      imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
      imageTagMutabilityExclusionFilters: [{ filterType: "WILDCARD", filter: "latest*" }],
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: "KMS", kmsKey: "arn:aws:kms:us-east-1:123456789012:key/abc" },
    }),
  );
  expect(out.repository).toMatchObject({
    imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
    imageTagMutabilityExclusionFilters: [{ filterType: "WILDCARD", filter: "latest*" }],
    imageScanningConfiguration: { scanOnPush: true },
    encryptionConfiguration: { encryptionType: "KMS", kmsKey: "arn:aws:kms:us-east-1:123456789012:key/abc" },
  });
});

test.each([
  [{ imageTagMutability: "MUTABLE_WITH_EXCLUSION" as const }, "imageTagMutabilityExclusionFilters are required when imageTagMutability is MUTABLE_WITH_EXCLUSION"],
  [{ imageTagMutabilityExclusionFilters: [{ filterType: "WILDCARD" as const, filter: "x" }] }, "imageTagMutabilityExclusionFilters are only allowed with MUTABLE_WITH_EXCLUSION or IMMUTABLE_WITH_EXCLUSION"],
  [{ encryptionConfiguration: { encryptionType: "AES256" as const, kmsKey: "k" } }, "A kmsKey can only be given with KMS or KMS_DSSE encryption"],
])("CreateRepository refuses inconsistent settings (%j) and creates nothing", async (settings, message) => {
  const err = await failure(t.client.send(new CreateRepositoryCommand({ repositoryName: "app", ...settings })));
  expect(err).toBeInstanceOf(InvalidParameterException);
  expect(err.message).toBe(message);
  expect((await t.client.send(new DescribeRepositoriesCommand({}))).repositories).toEqual([]);
});

test("an existing name is RepositoryAlreadyExistsException", async () => {
  await t.client.send(new CreateRepositoryCommand({ repositoryName: "app" }));
  const err = await failure(t.client.send(new CreateRepositoryCommand({ repositoryName: "app" })));
  expect(err).toBeInstanceOf(RepositoryAlreadyExistsException);
  // ECR's words, quoted in aws/amazon-sagemaker-examples#1539.
  expect(err.message).toBe(`The repository with name 'app' already exists in the registry with id '${REGISTRY}'`);
});

test("DescribeRepositories lists all, by name, and a page at a time", async () => {
  for (const name of ["e", "b", "d", "a", "c"]) await t.client.send(new CreateRepositoryCommand({ repositoryName: `r${name}` }));
  const all = await t.client.send(new DescribeRepositoriesCommand({}));
  expect(all.repositories!.map((r) => r.repositoryName)).toEqual(["ra", "rb", "rc", "rd", "re"]);
  expect(all.nextToken).toBeUndefined();

  const byName = await t.client.send(new DescribeRepositoriesCommand({ repositoryNames: ["rd", "rb"] }));
  expect(byName.repositories!.map((r) => r.repositoryName)).toEqual(["rd", "rb"]);

  const pages: string[][] = [];
  let nextToken: string | undefined;
  do {
    const page = await t.client.send(new DescribeRepositoriesCommand({ maxResults: 2, nextToken }));
    pages.push(page.repositories!.map((r) => r.repositoryName!));
    nextToken = page.nextToken;
  } while (nextToken);
  expect(pages).toEqual([["ra", "rb"], ["rc", "rd"], ["re"]]);
});

test("DescribeRepositories refuses a token it did not make, and paging with names", async () => {
  const bad = await failure(t.client.send(new DescribeRepositoriesCommand({ nextToken: "garbage" })));
  expect(bad).toBeInstanceOf(InvalidParameterException);
  expect(bad.message).toBe("The nextToken is not one this service returned");
  await t.client.send(new CreateRepositoryCommand({ repositoryName: "app" }));
  const mixed = await failure(t.client.send(new DescribeRepositoriesCommand({ repositoryNames: ["app"], maxResults: 1 })));
  expect(mixed).toBeInstanceOf(InvalidParameterException);
  expect(mixed.message).toBe("maxResults and nextToken cannot be used with repositoryNames");
});

test("every operation on a missing repository is RepositoryNotFoundException", async () => {
  await t.client.send(new CreateRepositoryCommand({ repositoryName: "exists" }));
  const uploadId = "0b9e5c1e-7a2f-4c55-9d1e-2a3b4c5d6e7f";
  const digest = `sha256:${"a".repeat(64)}`;
  // ECR's words for a missing repository, quoted in turbot/steampipe-plugin-aws#1938.
  const calls = [
    new DescribeRepositoriesCommand({ repositoryNames: ["exists", "missing"] }),
    new DeleteRepositoryCommand({ repositoryName: "missing" }),
    new InitiateLayerUploadCommand({ repositoryName: "missing" }),
    new UploadLayerPartCommand({ repositoryName: "missing", uploadId, partFirstByte: 0, partLastByte: 0, layerPartBlob: new Uint8Array(1) }),
    new CompleteLayerUploadCommand({ repositoryName: "missing", uploadId, layerDigests: [digest] }),
    new BatchCheckLayerAvailabilityCommand({ repositoryName: "missing", layerDigests: [digest] }),
  ];
  for (const call of calls) {
    const err = await failure(t.client.send(call as never));
    expect([call.constructor.name, err.name, err.message]).toEqual([
      call.constructor.name,
      "RepositoryNotFoundException",
      `The repository with name 'missing' does not exist in the registry with id '${REGISTRY}'`,
    ]);
    expect(err).toBeInstanceOf(RepositoryNotFoundException);
  }
});

test("DeleteRepository returns the repository and forgets it", async () => {
  await t.client.send(new CreateRepositoryCommand({ repositoryName: "app" }));
  const out = await t.client.send(new DeleteRepositoryCommand({ repositoryName: "app" }));
  expect(out.repository).toMatchObject({ repositoryName: "app", registryId: REGISTRY });
  expect((await t.client.send(new DescribeRepositoriesCommand({}))).repositories).toEqual([]);
  const again = await failure(t.client.send(new DeleteRepositoryCommand({ repositoryName: "app" })));
  expect(again).toBeInstanceOf(RepositoryNotFoundException);
});

test("another account's registryId is AccessDeniedException and changes nothing", async () => {
  const err = await failure(t.client.send(new CreateRepositoryCommand({ repositoryName: "app", registryId: "999999999999" })));
  expect(err.name).toBe("AccessDeniedException");
  expect(err.$metadata.httpStatusCode).toBe(400);
  // IAM's words, as aws-actions/amazon-ecr-login#232 quotes them for a cross-account push.
  expect(err.message).toBe(
    `User: arn:aws:iam::${REGISTRY}:root is not authorized to perform: ecr:CreateRepository on resource: arn:aws:ecr:us-east-1:999999999999:repository/app because no resource-based policy allows the ecr:CreateRepository action`,
  );
  expect((await t.client.send(new DescribeRepositoriesCommand({}))).repositories).toEqual([]);
});

test("repositories named at start-up exist, and survive a restart", async () => {
  await t.stop();
  const again = await startEcr({ dataDir: t.dataDir, repositories: ["pre/one", "two"] });
  try {
    const names = (await again.client.send(new DescribeRepositoriesCommand({}))).repositories!.map((r) => r.repositoryName);
    expect(names).toEqual(["pre/one", "two"]);
    await again.stop();
    const third = await startEcr({ dataDir: t.dataDir, repositories: ["two"] });
    expect((await third.client.send(new DescribeRepositoriesCommand({}))).repositories!.map((r) => r.repositoryName)).toEqual(["pre/one", "two"]);
    await third.stop();
  } finally {
    await again.stop();
  }
});

test("a start-up repository with an invalid name stops the start", async () => {
  await expect(startEcr({ repositories: ["Bad Name"] })).rejects.toThrow(
    /^cannot create repository 'Bad Name': InvalidParameterException: Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '\^\[a-z0-9\]/,
  );
});

describe("constraint violations are InvalidParameterException naming the first one, as ECR words it", () => {
  const NAME_PATTERN = "^[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(\\/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*$";
  const cases: { call: string; send: (c: ECRClient) => Promise<unknown>; want: string }[] = [
    {
      call: "CreateRepository, a one-letter name",
      send: (c) => c.send(new CreateRepositoryCommand({ repositoryName: "a" })),
      want: "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must have length greater than or equal to 2'",
    },
    {
      call: "CreateRepository, upper case",
      send: (c) => c.send(new CreateRepositoryCommand({ repositoryName: "Bad" })),
      want: `Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '${NAME_PATTERN}''`,
    },
    {
      call: "DescribeRepositories, maxResults 0",
      send: (c) => c.send(new DescribeRepositoriesCommand({ maxResults: 0 })),
      want: "Invalid parameter at 'maxResults' failed to satisfy constraint: 'must have value greater than or equal to 1'",
    },
    {
      call: "BatchGetImage, no image ids",
      send: (c) => c.send(new BatchGetImageCommand({ repositoryName: "app", imageIds: [] })),
      want: "Invalid parameter at 'imageIds' failed to satisfy constraint: 'must have length greater than or equal to 1'",
    },
    {
      call: "BatchGetImage, an over-long tag in the second id",
      send: (c) => c.send(new BatchGetImageCommand({ repositoryName: "app", imageIds: [{ imageTag: "ok" }, { imageTag: "t".repeat(301) }] })),
      want: "Invalid parameter at 'imageIds.2.member.imageTag' failed to satisfy constraint: 'must have length less than or equal to 300'",
    },
  ];
  test.each(cases)("$call", async ({ send, want }) => {
    await t.client.send(new CreateRepositoryCommand({ repositoryName: "app" }));
    const err = await failure(send(t.client));
    expect(err).toBeInstanceOf(InvalidParameterException);
    expect([err.$metadata.httpStatusCode, err.message]).toEqual([400, want]);
  });
});

test.each([
  ["eu-west-3", {}, `${REGISTRY}.dkr.ecr.eu-west-3.amazonaws.com/app`],
  ["cn-north-1", {}, `${REGISTRY}.dkr.ecr.cn-north-1.amazonaws.com.cn/app`],
  ["us-east-1", { registryHost: "localhost:5000" }, "localhost:5000/app"],
])("repositoryUri in %s with settings %j is %s", async (region, settings, want) => {
  const other = await startEcr({ region, settings });
  try {
    const out = await other.client.send(new CreateRepositoryCommand({ repositoryName: "app" }));
    expect(out.repository!.repositoryUri).toBe(want);
    const [listed] = (await other.client.send(new DescribeRepositoriesCommand({}))).repositories!;
    expect(listed.repositoryUri).toBe(want);
  } finally {
    await other.close();
  }
});
