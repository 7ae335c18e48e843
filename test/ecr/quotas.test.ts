// Bounded state: resource tags within AWS's limits, quotas on repositories, images and open uploads (held under
// concurrency), and the recipes that used to make a data dir unloadable: after them a restart works and every record
// is there, and repeated create/delete cycles do not grow the data dir.
import { randomBytes } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeRepositoriesCommand,
  InitiateLayerUploadCommand,
  PutImageCommand,
  type Tag,
} from "@aws-sdk/client-ecr";
import { sha256 } from "../helpers/digests";
import { failure, REGISTRY, startEcr, type TestEcr } from "../helpers/ecr-server";
import { ociManifest, pushBlob, putImage } from "../helpers/push";

let t: TestEcr | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const tags = (n: number, key = (i: number) => `key-${i}`): Tag[] => Array.from({ length: n }, (_, i) => ({ Key: key(i), Value: `value-${i}` }));

describe("CreateRepository tags", () => {
  const cases: { given: Tag[]; want: [string, string] }[] = [
    { given: tags(51), want: ["TooManyTagsException", "A resource can have at most 50 tags; this request would give it 51"] },
    { given: [{ Key: "aws:owner", Value: "x" }], want: ["InvalidTagParameterException", "The tag key 'aws:owner' uses the prefix 'aws:', which is reserved for AWS"] },
    { given: [{ Key: "AWS:Owner", Value: "x" }], want: ["InvalidTagParameterException", "The tag key 'AWS:Owner' uses the prefix 'aws:', which is reserved for AWS"] },
    { given: [{ Key: "team", Value: "a" }, { Key: "team", Value: "b" }], want: ["InvalidTagParameterException", "The tag key 'team' is given more than once"] },
    { given: [{ Key: "", Value: "a" }], want: ["InvalidTagParameterException", "The tag key '' must be 1 to 128 characters long"] },
    { given: [{ Key: "k".repeat(129), Value: "a" }], want: ["InvalidTagParameterException", `The tag key '${"k".repeat(40)}...' must be 1 to 128 characters long`] },
    { given: [{ Key: "team", Value: "v".repeat(257) }], want: ["InvalidTagParameterException", "The value of tag 'team' must be at most 256 characters long"] },
    { given: [{ Key: "team", Value: "a;b" }], want: ["InvalidTagParameterException", "The tag 'team' may only contain letters, digits, spaces and _ . : / = + - @"] },
  ];
  test.each(cases)("$want.0: $want.1", async ({ given, want }) => {
    t = await startEcr();
    const err = await failure(t.client.send(new CreateRepositoryCommand({ repositoryName: "app", tags: given })));
    expect([err.name, err.message, err.$metadata.httpStatusCode]).toEqual([...want, 400]);
    const gone = await failure(t.client.send(new DescribeRepositoriesCommand({ repositoryNames: ["app"] })));
    expect(gone.name).toBe("RepositoryNotFoundException");
  });

  test("50 tags with every allowed character are kept, in key order", async () => {
    t = await startEcr();
    const given = [...tags(49), { Key: "Ünïcode _.:/=+-@ 1", Value: "" }];
    await t.client.send(new CreateRepositoryCommand({ repositoryName: "app", tags: given }));
    expect(await t.ecr.store.getRepositoryTags(REGISTRY, "app")).toEqual([...given].sort((a, b) => (a.Key! < b.Key! ? -1 : 1)));
  });
});

describe("quotas", () => {
  test("repositories per registry (LimitExceededException), and a deleted one frees its place", async () => {
    t = await startEcr({ settings: { maxRepositoriesPerRegistry: 2 } });
    await t.client.send(new CreateRepositoryCommand({ repositoryName: "one" }));
    await t.client.send(new CreateRepositoryCommand({ repositoryName: "two" }));
    const err = await failure(t.client.send(new CreateRepositoryCommand({ repositoryName: "three" })));
    expect([err.name, err.message]).toEqual(["LimitExceededException", `The registry with id '${REGISTRY}' already has the maximum of 2 repositories`]);
    // An existing name is still told so, before the quota.
    expect((await failure(t.client.send(new CreateRepositoryCommand({ repositoryName: "one" })))).name).toBe("RepositoryAlreadyExistsException");
    await t.client.send(new DeleteRepositoryCommand({ repositoryName: "one" }));
    await t.client.send(new CreateRepositoryCommand({ repositoryName: "three" }));
  });

  test("images per repository: a new image is refused at the quota, a new tag on a stored image is not", async () => {
    t = await startEcr({ repositories: ["app"], settings: { minPartSize: 1, maxImagesPerRepository: 1 } });
    const [config, a, b] = [randomBytes(10), randomBytes(100), randomBytes(100)];
    for (const blob of [config, a, b]) await pushBlob(t.client, blob);
    const first = await putImage(t.client, ociManifest(config, [a]), "v1");
    const err = await failure(putImage(t.client, ociManifest(config, [b]), "v2"));
    expect([err.name, err.message]).toEqual(["LimitExceededException", "The repository with name 'app' already has the maximum of 1 images"]);
    expect(await putImage(t.client, ociManifest(config, [a]), "latest")).toBe(first);
  });

  test("open uploads per repository hold under 60 concurrent InitiateLayerUpload calls", async () => {
    t = await startEcr({ repositories: ["app"], settings: { maxUploadsPerRepository: 50 } });
    const results = await Promise.all(Array.from({ length: 60 }, () => t!.client.send(new InitiateLayerUploadCommand({ repositoryName: "app" })).then(() => "ok", (e) => e.name)));
    expect(results.filter((r) => r === "ok")).toHaveLength(50);
    expect(results.filter((r) => r !== "ok")).toEqual(Array(10).fill("ThrottlingException"));
  });
});

describe("what used to make a data dir unloadable", () => {
  test("70 PutImage calls with 4 MiB manifests: a restart works and every image is there", async () => {
    t = await startEcr({ repositories: ["app"], settings: { minPartSize: 1 } });
    const [config, layer] = [randomBytes(10), randomBytes(100)];
    for (const blob of [config, layer]) await pushBlob(t.client, blob);
    const manifests: string[] = [];
    for (let i = 0; i < 70; i++) {
      const m = ociManifest(config, [layer], 4 * 1024 * 1024 - 64).replace('"padding":"x', `"padding":"${String(i).padStart(2, "0")}`);
      manifests.push(m);
      await t.client.send(new PutImageCommand({ repositoryName: "app", imageManifest: m, imageTag: `v${i}` }));
    }
    await t.stop();
    t = await startEcr({ dataDir: t.dataDir });
    for (let i = 0; i < 70; i++) {
      const got = await t.client.send(new BatchGetImageCommand({ repositoryName: "app", imageIds: [{ imageTag: `v${i}` }] }));
      expect([i, got.images![0].imageId!.imageDigest, got.images![0].imageManifest === manifests[i]]).toEqual([i, sha256(manifests[i]), true]);
    }
  }, 120_000);

  test("31 CreateRepository calls with 600,000 tags each are refused; 31 with 50 tags each survive a restart", async () => {
    t = await startEcr();
    // Raw requests: the SDK takes seconds to serialize 600,000 tags, and the recipe is about the server.
    const many = JSON.stringify(tags(600_000));
    for (let i = 0; i < 31; i++) {
      const res = await fetch(`${t.url}/`, {
        method: "POST",
        headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AmazonEC2ContainerRegistry_V20150921.CreateRepository" },
        body: `{"repositoryName":"repo-${i}","tags":${many}}`,
      });
      // 1,800,001 values: past the body's cap on kept values, refused while read, before any tag reaches the handler.
      expect([i, res.status, ((await res.json()) as { __type: string }).__type]).toEqual([i, 413, "RequestEntityTooLargeException"]);
    }
    for (let i = 0; i < 31; i++) await t.client.send(new CreateRepositoryCommand({ repositoryName: `repo-${i}`, tags: tags(50) }));
    await t.stop();
    t = await startEcr({ dataDir: t.dataDir });
    const names = (await t.client.send(new DescribeRepositoriesCommand({}))).repositories!.map((r) => r.repositoryName);
    expect(names).toEqual(Array.from({ length: 31 }, (_, i) => `repo-${i}`).sort());
    for (const name of names) expect(await t.ecr.store.getRepositoryTags(REGISTRY, name!)).toHaveLength(50);
  }, 120_000);

  test("10 create/push/delete cycles leave the data dir no bigger than one cycle did", async () => {
    t = await startEcr({ settings: { minPartSize: 1 } });
    const size = (dir: string): number =>
      readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? size(join(dir, e.name)) : statSync(join(dir, e.name)).size), 0);
    const cycle = async () => {
      await t!.client.send(new CreateRepositoryCommand({ repositoryName: "app", tags: tags(50) }));
      const [config, layer] = [randomBytes(10), randomBytes(1024 * 1024)];
      for (const blob of [config, layer]) await pushBlob(t!.client, blob);
      await putImage(t!.client, ociManifest(config, [layer], 4 * 1024 * 1024 - 64), "v1");
      await t!.client.send(new DeleteRepositoryCommand({ repositoryName: "app", force: true }));
    };
    await cycle();
    const afterOne = size(t.dataDir);
    for (let i = 0; i < 9; i++) await cycle();
    const afterTen = size(t.dataDir);
    expect(readdirSync(join(t.dataDir, "blobs", REGISTRY, "sha256"))).toEqual([]);
    expect(afterTen).toBeLessThanOrEqual(afterOne * 1.25);
  }, 120_000);
});
