// Lifecycle policies with the real SDK: the grammar checked in ECR's words, a preview that lists exactly what a run
// expires, and the scheduled run itself, driven by an injected clock and schedule (never by sleeping).
import { randomBytes } from "node:crypto";
import {
  CreateRepositoryCommand,
  DeleteLifecyclePolicyCommand,
  DescribeImagesCommand,
  GetLifecyclePolicyCommand,
  GetLifecyclePolicyPreviewCommand,
  PutImageCommand,
  PutLifecyclePolicyCommand,
  StartLifecyclePolicyPreviewCommand,
  waitUntilLifecyclePolicyPreviewComplete,
  type ECRClient,
} from "@aws-sdk/client-ecr";
import { expire, plan } from "../../src/ecr/lifecycle/evaluation";
import { parseLifecyclePolicy } from "../../src/ecr/lifecycle/policy";
import { KeyedLock } from "../../src/ecr/keyed-lock";
import { EmbeddedStore } from "../../src/storage/embedded/store";
import { LifecyclePreviews } from "../../src/ecr/lifecycle/previews";
import { sha256 } from "../helpers/digests";
import { ecrClient } from "../helpers/ecr-client";
import { failure, REGISTRY, startEcr, tempDataDir, type TestEcr } from "../helpers/ecr-server";
import { ociManifest, pushBlob } from "../helpers/push";

const DAY = 24 * 3600 * 1000;
const START = Date.UTC(2026, 0, 1);
let clock = START;
let tick: (() => Promise<void>) | undefined;
let t: TestEcr;

beforeAll(async () => {
  t = await startEcr({
    now: () => clock,
    settings: { minPartSize: 1 },
    schedule: (task) => {
      tick = task;
      return () => (tick = undefined);
    },
  });
});
afterAll(() => t.close());

let repoCount = 0;
/** A new repository holding one config and layer that every image shares; images differ by their manifests. */
async function repository(): Promise<{ name: string; image(tag: string | undefined, day: number): Promise<string> }> {
  const name = `lifecycle-${++repoCount}`;
  await t.client.send(new CreateRepositoryCommand({ repositoryName: name }));
  const config = randomBytes(20);
  const layer = randomBytes(50);
  await pushBlob(t.client, config, name);
  await pushBlob(t.client, layer, name);
  let n = 0;
  return {
    name,
    async image(tag, day) {
      clock = START + day * DAY;
      const manifest = ociManifest(config, [layer], 1000 + ++n);
      await t.client.send(new PutImageCommand({ repositoryName: name, imageManifest: manifest, ...(tag ? { imageTag: tag } : {}) }));
      return sha256(manifest);
    },
  };
}

const lifecycle = (...rules: object[]) => JSON.stringify({ rules: rules.map((r, i) => ({ rulePriority: i + 1, description: "a rule of the test", action: { type: "expire" }, ...r })) });
const remaining = async (client: ECRClient, repositoryName: string) =>
  ((await client.send(new DescribeImagesCommand({ repositoryName }))).imageDetails ?? []).map((d) => d.imageDigest).sort();

test("put, got and deleted as given; lastEvaluatedAt only once a run has evaluated it; none is ECR's not-found", async () => {
  const repo = await repository();
  const text = lifecycle({ selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 14 } });
  expect(await t.client.send(new PutLifecyclePolicyCommand({ repositoryName: repo.name, lifecyclePolicyText: text }))).toEqual(
    expect.objectContaining({ registryId: REGISTRY, repositoryName: repo.name, lifecyclePolicyText: text }),
  );
  const got = await t.client.send(new GetLifecyclePolicyCommand({ repositoryName: repo.name }));
  expect([got.lifecyclePolicyText, got.lastEvaluatedAt]).toEqual([text, undefined]);
  clock = START + 3 * DAY;
  await tick!();
  expect((await t.client.send(new GetLifecyclePolicyCommand({ repositoryName: repo.name }))).lastEvaluatedAt).toEqual(new Date(clock));
  const deleted = await t.client.send(new DeleteLifecyclePolicyCommand({ repositoryName: repo.name }));
  expect([deleted.lifecyclePolicyText, deleted.lastEvaluatedAt]).toEqual([text, new Date(clock)]);
  // cloudquery/cloudquery#14730 quotes ECR's words.
  const message = `Lifecycle policy does not exist for the repository with name '${repo.name}' in the registry with id '${REGISTRY}'`;
  for (const call of [new GetLifecyclePolicyCommand({ repositoryName: repo.name }), new DeleteLifecyclePolicyCommand({ repositoryName: repo.name }), new StartLifecyclePolicyPreviewCommand({ repositoryName: repo.name })]) {
    const err = await failure(t.client.send(call as never));
    expect([call.constructor.name, err.name, err.message]).toEqual([call.constructor.name, "LifecyclePolicyNotFoundException", message]);
  }
  const preview = await failure(t.client.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: repo.name })));
  expect(preview.name).toBe("LifecyclePolicyPreviewNotFoundException");
});

describe("the grammar", () => {
  const untagged = { tagStatus: "untagged", countType: "imageCountMoreThan", countNumber: 1 };
  const failureOf = (why: string) => `Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ${why}'`;
  // The JSON-schema wording is real ECR's where public sources quote it: "matched 0 out of 2" (cloudposse/terraform-aws-ecr#132,
  // a countUnit of null), "Only one rule can select Untagged images per storage class.", "Must specify tagPrefixList or
  // tagPatternList when tagStatus=TAGGED."; moto copies the other schema messages.
  test.each([
    ["not JSON", `{"rules": [${" ".repeat(100)}`, "Could not map policyString into LifecyclePolicy."],
    ["no countNumber", lifecycle({ selection: { tagStatus: "untagged", countType: "imageCountMoreThan" } }), 'object has missing required properties (["countNumber"])'],
    ["a countUnit with imageCountMoreThan", lifecycle({ selection: { ...untagged, countUnit: "days" } }), "instance failed to match exactly one schema (matched 0 out of 2)"],
    ["a null countUnit", lifecycle({ selection: { ...untagged, countType: "sinceImagePushed", countUnit: null } }), "instance failed to match exactly one schema (matched 0 out of 2)"],
    ["countNumber 0", lifecycle({ selection: { ...untagged, countNumber: 0 } }), "numeric instance is lower than the required minimum (minimum: 1, found: 0)"],
    ["tagged without prefixes or patterns", lifecycle({ selection: { ...untagged, tagStatus: "tagged" } }), "Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED."],
    ["two rules for untagged images", lifecycle({ selection: untagged }, { selection: untagged }), "Only one rule can select Untagged images per storage class."],
    ["an any rule before another", lifecycle({ selection: { ...untagged, tagStatus: "any" } }, { selection: untagged }), "Rule for tagStatus=ANY must have the lowest priority per storage class"],
    ["an unknown member", lifecycle({ selection: untagged, extra: true }), 'object instance has properties which are not allowed by the schema: (["extra"])'],
    ["an action other than expire", lifecycle({ selection: untagged, action: { type: "delete" } }), 'instance value ("delete") not found in enum (possible values: ["expire"])'],
    ["an unknown tagStatus", lifecycle({ selection: { ...untagged, tagStatus: "some" } }), 'instance value ("some") not found in enum (possible values: ["tagged","untagged","any"])'],
    ["prefixes on an untagged rule", lifecycle({ selection: { ...untagged, tagPrefixList: ["v"] } }), "tagPrefixList and tagPatternList can only be specified when tagStatus=TAGGED, not UNTAGGED."],
    ["five wildcards in a pattern", lifecycle({ selection: { ...untagged, tagStatus: "tagged", tagPatternList: ["a*b*c*d*e*f"] } }), "A tag pattern may have at most 4 wildcards: 'a*b*c*d*e*f'"],
    [
      "one priority twice",
      JSON.stringify({ rules: [1, 1].map((p, i) => ({ rulePriority: p, description: "a rule of the test", selection: { ...untagged, tagStatus: "tagged", tagPrefixList: [`v${i}`] }, action: { type: "expire" } })) }),
      "Rule priorities must be unique; 1 is used more than once.",
    ],
  ])("%s is refused in ECR's words, and the stored policy stays", async (_, text, why) => {
    const repo = `grammar-${++repoCount}`;
    await t.client.send(new CreateRepositoryCommand({ repositoryName: repo }));
    const kept = lifecycle({ selection: untagged });
    await t.client.send(new PutLifecyclePolicyCommand({ repositoryName: repo, lifecyclePolicyText: kept }));
    expect(text.length).toBeGreaterThanOrEqual(100);
    const err = await failure(t.client.send(new PutLifecyclePolicyCommand({ repositoryName: repo, lifecyclePolicyText: text })));
    expect([err.name, err.message]).toEqual(["InvalidParameterException", failureOf(why)]);
    const preview = await failure(t.client.send(new StartLifecyclePolicyPreviewCommand({ repositoryName: repo, lifecyclePolicyText: text })));
    expect([preview.name, preview.message]).toEqual(["InvalidParameterException", failureOf(why)]);
    expect((await t.client.send(new GetLifecyclePolicyCommand({ repositoryName: repo }))).lifecyclePolicyText).toBe(kept);
  });
});

test("a preview lists exactly what the scheduled run then expires, in AWS's rule order", async () => {
  const repo = await repository();
  const [p1, p2, p3] = [await repo.image("prod-1", 0), await repo.image("prod-2", 1), await repo.image("prod-3", 2)];
  const [u1, u2] = [await repo.image(undefined, 0), await repo.image(undefined, 9)];
  const [d1, d2, d3, d4] = [await repo.image("dev-1", 3), await repo.image("dev-2", 4), await repo.image("dev-3", 5), await repo.image("dev-4", 6)];
  const text = lifecycle(
    { selection: { tagStatus: "tagged", tagPrefixList: ["prod"], countType: "imageCountMoreThan", countNumber: 2 } },
    { selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 5 } },
    // Counts every image, but may expire only those no earlier rule selected: dev-1 and dev-2, not prod-* or untagged.
    { selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 3 } },
  );
  await t.client.send(new PutLifecyclePolicyCommand({ repositoryName: repo.name, lifecyclePolicyText: text }));
  clock = START + 10 * DAY;

  const started = await t.client.send(new StartLifecyclePolicyPreviewCommand({ repositoryName: repo.name }));
  expect([started.status, started.lifecyclePolicyText]).toEqual(["IN_PROGRESS", text]);
  await waitUntilLifecyclePolicyPreviewComplete({ client: t.client, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { repositoryName: repo.name });
  const preview = await t.client.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: repo.name }));
  const want = [
    [p1, ["prod-1"], 0, 1],
    [u1, undefined, 0, 2],
    [d1, ["dev-1"], 3, 3],
    [d2, ["dev-2"], 4, 3],
  ].sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1));
  expect(preview.summary).toEqual({ expiringImageTotalCount: 4 });
  expect(preview.previewResults).toEqual(
    want.map(([imageDigest, imageTags, day, appliedRulePriority]) => ({
      imageDigest,
      ...(imageTags ? { imageTags } : {}),
      imagePushedAt: new Date(START + (day as number) * DAY),
      action: { type: "EXPIRE" },
      appliedRulePriority,
      storageClass: "STANDARD",
    })),
  );
  // A page at a time, and only the untagged ones.
  const first = await t.client.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: repo.name, maxResults: 3 }));
  const second = await t.client.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: repo.name, maxResults: 3, nextToken: first.nextToken }));
  expect([...first.previewResults!, ...second.previewResults!].map((r) => r.imageDigest)).toEqual(want.map((w) => w[0]));
  expect(second.nextToken).toBeUndefined();
  const untagged = await t.client.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: repo.name, filter: { tagStatus: "UNTAGGED" } }));
  expect(untagged.previewResults!.map((r) => r.imageDigest)).toEqual([u1]);

  expect(await remaining(t.client, repo.name)).toEqual([p1, p2, p3, u1, u2, d1, d2, d3, d4].sort());
  await tick!();
  expect(await remaining(t.client, repo.name)).toEqual([p2, p3, u2, d3, d4].sort());
  expect((await t.client.send(new GetLifecyclePolicyCommand({ repositoryName: repo.name }))).lastEvaluatedAt).toEqual(new Date(clock));

  // Not due again within the interval (an hour by default), even with an image now old enough.
  const u3 = await repo.image(undefined, 10);
  clock = START + 10 * DAY + 30 * 60 * 1000;
  await tick!();
  expect(await remaining(t.client, repo.name)).toEqual([p2, p3, u2, u3, d3, d4].sort());
  clock = START + 16 * DAY;
  await tick!();
  expect(await remaining(t.client, repo.name)).toEqual([p2, p3, d4].sort());
});

test("an image that a kept index references is kept, in the preview and the run alike", async () => {
  const repo = await repository();
  const child = await repo.image(undefined, 0);
  const other = await repo.image(undefined, 0);
  clock = START + 5 * DAY;
  const index = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", digest: child, size: 1 }],
  });
  await t.client.send(new PutImageCommand({ repositoryName: repo.name, imageManifest: index, imageTag: "multi" }));
  await t.client.send(
    new PutLifecyclePolicyCommand({
      repositoryName: repo.name,
      lifecyclePolicyText: lifecycle({ selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 1 } }),
    }),
  );
  await t.client.send(new StartLifecyclePolicyPreviewCommand({ repositoryName: repo.name }));
  await waitUntilLifecyclePolicyPreviewComplete({ client: t.client, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { repositoryName: repo.name });
  const preview = await t.client.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: repo.name }));
  expect(preview.previewResults!.map((r) => r.imageDigest)).toEqual([other]);
  await tick!();
  expect(await remaining(t.client, repo.name)).toEqual([child, sha256(index)].sort());
});

test("a second preview while one runs is LifecyclePolicyPreviewInProgressException; the first then completes", async () => {
  const dataDir = tempDataDir();
  const inner = await EmbeddedStore.open({ dataDir, fsync: false });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  // A store whose image listing waits until the test lets it go: the preview stays in progress meanwhile.
  const store = new Proxy(inner, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (prop === "listImages") return async (...args: unknown[]) => (await gate, value.apply(target, args));
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const slow = await startEcr({ store, dataDir, settings: { minPartSize: 1 } });
  try {
    await slow.client.send(new CreateRepositoryCommand({ repositoryName: "app" }));
    const text = lifecycle({ selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 5 } });
    await slow.client.send(new StartLifecyclePolicyPreviewCommand({ repositoryName: "app", lifecyclePolicyText: text }));
    const err = await failure(slow.client.send(new StartLifecyclePolicyPreviewCommand({ repositoryName: "app", lifecyclePolicyText: text })));
    expect(err.name).toBe("LifecyclePolicyPreviewInProgressException");
    // Two previews are worked out at once; a third repository's waits for one of them (a retryable throttle).
    for (const r of ["two", "three"]) await slow.client.send(new CreateRepositoryCommand({ repositoryName: r }));
    await slow.client.send(new StartLifecyclePolicyPreviewCommand({ repositoryName: "two", lifecyclePolicyText: text }));
    const busy = await failure(ecrClient(slow.url, { maxAttempts: 1 }).send(new StartLifecyclePolicyPreviewCommand({ repositoryName: "three", lifecyclePolicyText: text })));
    expect(busy.name).toBe("ThrottlingException");
    const during = await slow.client.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: "app" }));
    expect([during.status, during.previewResults, during.summary]).toEqual(["IN_PROGRESS", [], undefined]);
    release();
    await waitUntilLifecyclePolicyPreviewComplete({ client: slow.client, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { repositoryName: "app" });
    const done = await slow.client.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: "app" }));
    expect([done.status, done.previewResults, done.summary]).toEqual(["COMPLETE", [], { expiringImageTotalCount: 0 }]);
  } finally {
    release();
    await slow.close();
  }
});

test("an image tagged between the plan and the run is not what the rules selected, and stays", async () => {
  const repo = await repository();
  const old = await repo.image(undefined, 0);
  const other = await repo.image(undefined, 0);
  clock = START + 5 * DAY;
  const rules = parseLifecyclePolicy(lifecycle({ selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 1 } }));
  const planned = await plan(t.ecr.store, REGISTRY, repo.name, rules, clock);
  expect(planned.map((e) => e.digest).sort()).toEqual([old, other].sort());
  // Tagged by a PutImage of the same manifest after the plan was made.
  const manifest = (await t.ecr.store.getImage(REGISTRY, repo.name, old))!.manifest;
  await t.client.send(new PutImageCommand({ repositoryName: repo.name, imageManifest: manifest, imageTag: "prod" }));
  expect(await expire(t.ecr.store, new KeyedLock(), REGISTRY, repo.name, planned)).toBe(1);
  expect(await remaining(t.client, repo.name)).toEqual([old]);
});

test("finished previews are forgotten, oldest first, once together they hold more results than the bound", async () => {
  const previews = new LifecyclePreviews(5, 2);
  const results = (n: number) => async () => Array.from({ length: n }, (_, i) => ({ digest: `sha256:${i}`, pushedAt: 0, tags: [], rulePriority: 1 }));
  const settle = () => new Promise((r) => setImmediate(r));
  for (const [key, n] of [["a", 2], ["b", 2], ["c", 3]] as const) {
    expect(previews.start(key, "text", 1, results(n), () => undefined)).toBe("started");
    await settle();
  }
  expect(["a", "b", "c"].map((k) => previews.get(k, 1)?.results.length)).toEqual([undefined, 2, 3]);
});
