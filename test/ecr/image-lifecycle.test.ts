// The operations around the push path, through the real SDK: DescribeImages and ListImages (fields, filters, pages that
// stay right while images come and go), BatchDeleteImage (tags, images, lists, reclaimed space), tag mutability,
// resource tags, scanning settings, DescribeRegistry and GetAuthorizationToken.
import { randomBytes } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  DescribeImagesCommand,
  DescribeRegistryCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  ImageNotFoundException,
  ImageTagAlreadyExistsException,
  InvalidParameterException,
  ListImageReferrersCommand,
  ListImagesCommand,
  ListTagsForResourceCommand,
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  RepositoryNotFoundException,
  TagResourceCommand,
  TooManyTagsException,
  UntagResourceCommand,
  type ImageIdentifier,
} from "@aws-sdk/client-ecr";
import { RegistryPasswords } from "../../src/ecr/registry-passwords";
import { sha256 } from "../helpers/digests";
import { failure, REGISTRY, startEcr, type TestEcr } from "../helpers/ecr-server";
import { ociManifest, pushBlob, putImage } from "../helpers/push";

const START = Date.parse("2026-01-01T00:00:00Z");
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
const ARN = `arn:aws:ecr:us-east-1:${REGISTRY}:repository/app`;

let t: TestEcr;
let clock = START;
beforeEach(async () => {
  clock = START;
  t = await startEcr({ repositories: ["app"], now: () => clock, settings: { minPartSize: 1, pullTimeResolutionMs: 0 } });
});
afterEach(() => t.close());

/** Pushes a config and layers of the given sizes and puts an OCI image of them (and of `shared` layers, already pushed). */
async function image(layerSizes: number[], tag?: string, repositoryName = "app", shared: Buffer[] = []) {
  const config = randomBytes(20);
  const layers = [...shared, ...layerSizes.map((n) => randomBytes(n))];
  for (const b of [config, ...layers.slice(shared.length)]) await pushBlob(t.client, b, repositoryName);
  const manifest = ociManifest(config, layers);
  return { digest: await putImage(t.client, manifest, tag, repositoryName), manifest, config, layers };
}

function index(children: { digest: string; manifest: string }[]): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: children.map((c) => ({ mediaType: OCI_MANIFEST, size: Buffer.byteLength(c.manifest), digest: c.digest })),
  });
}

describe("DescribeImages", () => {
  test("every field AWS returns, with the size of the layers as stored and the last pull", async () => {
    clock = START + 1000;
    const a = await image([1000, 2345], "v1");
    await putImage(t.client, a.manifest, "latest");
    const described = await t.client.send(new DescribeImagesCommand({ repositoryName: "app" }));
    expect(described.imageDetails).toEqual([
      {
        registryId: REGISTRY,
        repositoryName: "app",
        imageDigest: a.digest,
        imageTags: ["latest", "v1"],
        imageSizeInBytes: 3345,
        imagePushedAt: new Date(START + 1000),
        imageManifestMediaType: OCI_MANIFEST,
        artifactMediaType: OCI_CONFIG,
        imageStatus: "ACTIVE",
      },
    ]);
    expect(described.nextToken).toBeUndefined();

    clock = START + 5000;
    await t.client.send(new BatchGetImageCommand({ repositoryName: "app", imageIds: [{ imageTag: "v1" }] }));
    const pulled = await t.client.send(new DescribeImagesCommand({ repositoryName: "app", imageIds: [{ imageDigest: a.digest }] }));
    expect(pulled.imageDetails![0].lastRecordedPullTime).toEqual(new Date(START + 5000));
  });

  test("a pull is recorded at most once per resolution", async () => {
    await t.close();
    t = await startEcr({ repositories: ["app"], now: () => clock, settings: { minPartSize: 1, pullTimeResolutionMs: 60_000 } });
    const a = await image([10], "v1");
    const pullAt = async (at: number) => {
      clock = at;
      await t.client.send(new BatchGetImageCommand({ repositoryName: "app", imageIds: [{ imageTag: "v1" }] }));
      return (await t.client.send(new DescribeImagesCommand({ repositoryName: "app", imageIds: [{ imageDigest: a.digest }] }))).imageDetails![0].lastRecordedPullTime;
    };
    expect(await pullAt(START + 1000)).toEqual(new Date(START + 1000));
    expect(await pullAt(START + 30_000)).toEqual(new Date(START + 1000));
    expect(await pullAt(START + 61_000)).toEqual(new Date(START + 61_000));
  });

  test("a list's size is the largest of its images'; a referrer names its subject", async () => {
    const small = await image([100]);
    const large = await image([300, 400]);
    const list = await putImage(t.client, index([small, large]), "multi");
    const referrer = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: "application/vnd.example.sbom",
      config: { mediaType: "application/vnd.oci.empty.v1+json", size: small.config.byteLength, digest: sha256(small.config) },
      layers: [],
      subject: { mediaType: OCI_MANIFEST, size: Buffer.byteLength(small.manifest), digest: small.digest },
    });
    const sbom = await putImage(t.client, referrer);
    const got = await t.client.send(new DescribeImagesCommand({ repositoryName: "app", imageIds: [{ imageTag: "multi" }, { imageDigest: sbom }] }));
    expect(got.imageDetails!.map((d) => [d.imageDigest, d.imageSizeInBytes, d.imageManifestMediaType, d.artifactMediaType, d.subjectManifestDigest])).toEqual([
      [list, 700, OCI_INDEX, undefined, undefined],
      [sbom, 0, OCI_MANIFEST, "application/vnd.example.sbom", small.digest],
    ]);
  });

  test("filters by tag status; an unknown id is ImageNotFoundException in AWS's words", async () => {
    const tagged = await image([10], "v1");
    const untagged = await image([10]);
    const digests = async (tagStatus?: "TAGGED" | "UNTAGGED" | "ANY") =>
      (await t.client.send(new DescribeImagesCommand({ repositoryName: "app", ...(tagStatus ? { filter: { tagStatus } } : {}) }))).imageDetails!.map((d) => d.imageDigest);
    expect(await digests("TAGGED")).toEqual([tagged.digest]);
    expect(await digests("UNTAGGED")).toEqual([untagged.digest]);
    expect(await digests("ANY")).toEqual([tagged.digest, untagged.digest].sort());
    expect(await digests()).toEqual([tagged.digest, untagged.digest].sort());
    const archived = await t.client.send(new DescribeImagesCommand({ repositoryName: "app", filter: { imageStatus: "ARCHIVED" } }));
    expect(archived.imageDetails).toEqual([]);

    const err = await failure(t.client.send(new DescribeImagesCommand({ repositoryName: "app", imageIds: [{ imageTag: "v1" }, { imageTag: "nope" }] })));
    expect(err).toBeInstanceOf(ImageNotFoundException);
    expect(err.message).toBe(`The image with imageId {imageDigest:'null', imageTag:'nope'} does not exist within the repository with name 'app' in the registry with id '${REGISTRY}'`);
    const missingRepo = await failure(t.client.send(new DescribeImagesCommand({ repositoryName: "nope" })));
    expect(missingRepo).toBeInstanceOf(RepositoryNotFoundException);
    const bad = await failure(t.client.send(new DescribeImagesCommand({ repositoryName: "app", nextToken: "garbage" })));
    expect([bad.name, bad.message]).toEqual(["InvalidParameterException", "The nextToken is not one this service returned"]);
  });

  test("pages stay right while images are pushed and deleted between them: none that existed throughout is skipped or repeated", async () => {
    const before = [];
    for (let i = 0; i < 24; i++) before.push((await image([10 + i], `t${i}`)).digest);
    const seen: string[] = [];
    const deleted = new Set<string>();
    let token: string | undefined;
    let round = 0;
    do {
      const page = await t.client.send(new DescribeImagesCommand({ repositoryName: "app", maxResults: 5, ...(token ? { nextToken: token } : {}) }));
      expect(page.imageDetails!.length).toBeLessThanOrEqual(5);
      seen.push(...page.imageDetails!.map((d) => d.imageDigest!));
      token = page.nextToken;
      // Between pages: a new image, and a deletion of one not yet shown.
      await image([500 + round], `new${round}`);
      const victim = before.find((d) => !seen.includes(d) && !deleted.has(d));
      if (victim && round % 2 === 0) {
        await t.client.send(new BatchDeleteImageCommand({ repositoryName: "app", imageIds: [{ imageDigest: victim }] }));
        deleted.add(victim);
      }
      round++;
    } while (token);
    expect(new Set(seen).size).toBe(seen.length);
    const throughout = before.filter((d) => !deleted.has(d));
    expect(throughout.filter((d) => !seen.includes(d))).toEqual([]);
    expect(seen.filter((d) => deleted.has(d))).toEqual([]);
  });
});

describe("ListImages", () => {
  test("one id per tag, one digest-only id per untagged image, paged through an image's tags", async () => {
    const multi = await image([10], "a");
    for (const tag of ["b", "c", "d", "e"]) await putImage(t.client, multi.manifest, tag);
    const loose = await image([10]);
    const want: ImageIdentifier[] = [
      ...["a", "b", "c", "d", "e"].map((imageTag) => ({ imageDigest: multi.digest, imageTag })),
      { imageDigest: loose.digest },
    ].sort((x, y) => (x.imageDigest! < y.imageDigest! ? -1 : x.imageDigest! > y.imageDigest! ? 1 : 0));
    for (const maxResults of [1, 2, 4, 6, 100]) {
      const got: ImageIdentifier[] = [];
      let token: string | undefined;
      do {
        const page = await t.client.send(new ListImagesCommand({ repositoryName: "app", maxResults, ...(token ? { nextToken: token } : {}) }));
        expect(page.imageIds!.length).toBeLessThanOrEqual(maxResults);
        got.push(...page.imageIds!);
        token = page.nextToken;
      } while (token);
      expect([maxResults, got]).toEqual([maxResults, want]);
    }
    const untagged = await t.client.send(new ListImagesCommand({ repositoryName: "app", filter: { tagStatus: "UNTAGGED" } }));
    expect(untagged.imageIds).toEqual([{ imageDigest: loose.digest }]);
    const tagged = await t.client.send(new ListImagesCommand({ repositoryName: "app", filter: { tagStatus: "TAGGED" } }));
    expect(tagged.imageIds!.map((i) => i.imageTag)).toEqual(["a", "b", "c", "d", "e"]);
  });
});

describe("BatchDeleteImage", () => {
  test("by tag removes the tag; by its last tag or by digest removes the image; failures in AWS's codes", async () => {
    const a = await image([10], "v1");
    await putImage(t.client, a.manifest, "v2");
    const b = await image([10], "only");
    const c = await image([10]);
    const res = await t.client.send(
      new BatchDeleteImageCommand({
        repositoryName: "app",
        imageIds: [{ imageTag: "v1" }, { imageTag: "only" }, { imageDigest: c.digest }, { imageTag: "nope" }, { imageDigest: "md5:x" }, {}],
      }),
    );
    expect(res.imageIds).toEqual([
      { imageDigest: a.digest, imageTag: "v1" },
      { imageDigest: b.digest, imageTag: "only" },
      { imageDigest: c.digest },
    ]);
    expect(res.failures).toEqual([
      { imageId: { imageTag: "nope" }, failureCode: "ImageNotFound", failureReason: "Requested image not found" },
      { imageId: { imageDigest: "md5:x" }, failureCode: "InvalidImageDigest", failureReason: "Invalid request parameters: image digest should satisfy the regex 'sha256:[a-f0-9]{64}'" },
      { imageId: {}, failureCode: "MissingDigestAndTag", failureReason: "Requested image has neither a digest nor a tag" },
    ]);
    const left = await t.client.send(new ListImagesCommand({ repositoryName: "app" }));
    expect(left.imageIds).toEqual([{ imageDigest: a.digest, imageTag: "v2" }]);

    const byDigest = await t.client.send(new BatchDeleteImageCommand({ repositoryName: "app", imageIds: [{ imageDigest: a.digest }] }));
    expect(byDigest.imageIds).toEqual([{ imageDigest: a.digest, imageTag: "v2" }]);
    expect((await t.client.send(new ListImagesCommand({ repositoryName: "app" }))).imageIds).toEqual([]);
  });

  test("an image a list still names stays, reported as ImageReferencedByManifestList; once the list goes, it can go", async () => {
    const child = await image([10]);
    const list = await putImage(t.client, index([child]), "multi");
    const refused = await t.client.send(new BatchDeleteImageCommand({ repositoryName: "app", imageIds: [{ imageDigest: child.digest }] }));
    expect(refused).toMatchObject({
      imageIds: [],
      failures: [{ imageId: { imageDigest: child.digest }, failureCode: "ImageReferencedByManifestList", failureReason: `Requested image referenced by manifest list: [${list}]` }],
    });
    await t.client.send(new BatchDeleteImageCommand({ repositoryName: "app", imageIds: [{ imageTag: "multi" }] }));
    const done = await t.client.send(new BatchDeleteImageCommand({ repositoryName: "app", imageIds: [{ imageDigest: child.digest }] }));
    expect([done.imageIds, done.failures]).toEqual([[{ imageDigest: child.digest }], []]);
  });

  test("the bytes of layers no image uses any more are reclaimed; a layer another image shares stays", async () => {
    const blobBytes = () => {
      const dir = join(t.dataDir, "blobs", REGISTRY, "sha256");
      return readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
    };
    const shared = randomBytes(50_000);
    await pushBlob(t.client, shared);
    const a = await image([200_000], "a", "app", [shared]);
    const b = await image([10], "b", "app", [shared]);
    const withBoth = blobBytes();
    await t.client.send(new BatchDeleteImageCommand({ repositoryName: "app", imageIds: [{ imageTag: "a" }] }));
    // a's config and own layer went; the shared layer stays for b.
    expect(withBoth - blobBytes()).toBe(200_000 + a.config.byteLength);
    await t.client.send(new BatchDeleteImageCommand({ repositoryName: "app", imageIds: [{ imageTag: "b" }] }));
    expect(blobBytes()).toBe(0);
    // The layers are gone from the repository too: a new image must push them again.
    const check = await t.client.send(new BatchGetImageCommand({ repositoryName: "app", imageIds: [{ imageDigest: b.digest }] }));
    expect(check.failures![0].failureCode).toBe("ImageNotFound");
  });
});

describe("repository settings", () => {
  test("PutImageTagMutability makes tags immutable for later pushes, and DescribeRepositories shows it", async () => {
    await image([10], "v1");
    const b = await image([10]);
    const set = await t.client.send(new PutImageTagMutabilityCommand({ repositoryName: "app", imageTagMutability: "IMMUTABLE" }));
    expect(set).toMatchObject({ registryId: REGISTRY, repositoryName: "app", imageTagMutability: "IMMUTABLE" });
    expect(await failure(putImage(t.client, b.manifest, "v1"))).toBeInstanceOf(ImageTagAlreadyExistsException);
    await t.client.send(
      new PutImageTagMutabilityCommand({
        repositoryName: "app",
        imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
        imageTagMutabilityExclusionFilters: [{ filterType: "WILDCARD", filter: "v*" }],
      }),
    );
    expect(await putImage(t.client, b.manifest, "v1")).toBe(b.digest);
    const repo = (await t.client.send(new DescribeRepositoriesCommand({ repositoryNames: ["app"] }))).repositories![0];
    expect([repo.imageTagMutability, repo.imageTagMutabilityExclusionFilters]).toEqual(["IMMUTABLE_WITH_EXCLUSION", [{ filterType: "WILDCARD", filter: "v*" }]]);
    const noFilters = await failure(t.client.send(new PutImageTagMutabilityCommand({ repositoryName: "app", imageTagMutability: "MUTABLE_WITH_EXCLUSION" })));
    expect(noFilters).toBeInstanceOf(InvalidParameterException);
    expect(await failure(t.client.send(new PutImageTagMutabilityCommand({ repositoryName: "nope", imageTagMutability: "MUTABLE" })))).toBeInstanceOf(RepositoryNotFoundException);
  });

  test("PutImageScanningConfiguration sets scanOnPush", async () => {
    const res = await t.client.send(new PutImageScanningConfigurationCommand({ repositoryName: "app", imageScanningConfiguration: { scanOnPush: true } }));
    expect(res).toMatchObject({ registryId: REGISTRY, repositoryName: "app", imageScanningConfiguration: { scanOnPush: true } });
    const repo = (await t.client.send(new DescribeRepositoriesCommand({ repositoryNames: ["app"] }))).repositories![0];
    expect(repo.imageScanningConfiguration).toEqual({ scanOnPush: true });
  });

  test("resource tags: added, replaced, listed, removed, at most 50; ARNs checked", async () => {
    await t.client.send(new TagResourceCommand({ resourceArn: ARN, tags: [{ Key: "team", Value: "a" }, { Key: "env", Value: "dev" }] }));
    await t.client.send(new TagResourceCommand({ resourceArn: ARN, tags: [{ Key: "team", Value: "b" }] }));
    expect((await t.client.send(new ListTagsForResourceCommand({ resourceArn: ARN }))).tags).toEqual([
      { Key: "env", Value: "dev" },
      { Key: "team", Value: "b" },
    ]);
    await t.client.send(new UntagResourceCommand({ resourceArn: ARN, tagKeys: ["env", "absent"] }));
    expect((await t.client.send(new ListTagsForResourceCommand({ resourceArn: ARN }))).tags).toEqual([{ Key: "team", Value: "b" }]);

    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    expect(await failure(t.client.send(new TagResourceCommand({ resourceArn: ARN, tags: many })))).toBeInstanceOf(TooManyTagsException);
    expect((await t.client.send(new ListTagsForResourceCommand({ resourceArn: ARN }))).tags).toHaveLength(1);
    await t.client.send(new TagResourceCommand({ resourceArn: ARN, tags: many.slice(0, 49) }));

    const malformed = await failure(t.client.send(new ListTagsForResourceCommand({ resourceArn: "arn:aws:s3:::bucket" })));
    expect([malformed.name, malformed.message]).toEqual(["InvalidParameterException", "Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN: arn:aws:s3:::bucket'"]);
    const unknown = await failure(t.client.send(new TagResourceCommand({ resourceArn: `${ARN}-gone`, tags: [{ Key: "a", Value: "b" }] })));
    expect(unknown).toBeInstanceOf(RepositoryNotFoundException);
  });

  test("DescribeRegistry names the caller's registry", async () => {
    const res = await t.client.send(new DescribeRegistryCommand({}));
    expect([res.registryId, res.replicationConfiguration]).toEqual([REGISTRY, { rules: [] }]);
  });
});

test("GetAuthorizationToken: AWS:<password> for 12 hours, a password only this server's secret verifies", async () => {
  const res = await t.client.send(new GetAuthorizationTokenCommand({}));
  const [data] = res.authorizationData!;
  expect(data.expiresAt).toEqual(new Date(START + 12 * 3600 * 1000));
  expect(data.proxyEndpoint).toBe(`http://${new URL(t.url).host}`);
  const [user, password] = Buffer.from(data.authorizationToken!, "base64").toString().split(":");
  expect(user).toBe("AWS");
  const passwords = new RegistryPasswords(await t.ecr.store.signingKey(), () => clock, "us-east-1");
  expect(passwords.verify(password)).toEqual({ accountId: REGISTRY, principal: `arn:aws:iam::${REGISTRY}:root`, expiresAt: START + 12 * 3600 * 1000 });
  expect(passwords.verify(password.replace(/.$/, (c) => (c === "A" ? "B" : "A")))).toBeUndefined();
  expect(new RegistryPasswords(randomBytes(32), () => clock, "us-east-1").verify(password)).toBeUndefined();
  clock = START + 12 * 3600 * 1000;
  expect(passwords.verify(password)).toBe("expired");
  const other = await failure(t.client.send(new GetAuthorizationTokenCommand({ registryIds: ["999999999999"] })));
  expect(other.name).toBe("AccessDeniedException");
});

test("ListImageReferrers: the manifests whose subject is the image, by artifact type, a page at a time", async () => {
  const subject = await image([10], "v1");
  const emptyConfig = randomBytes(2);
  await pushBlob(t.client, emptyConfig);
  const referrer = (artifactType: string, n: number) =>
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType,
      config: { mediaType: "application/vnd.oci.empty.v1+json", size: 2, digest: sha256(emptyConfig) },
      layers: [],
      subject: { mediaType: OCI_MANIFEST, size: Buffer.byteLength(subject.manifest), digest: subject.digest },
      annotations: { n: String(n) },
    });
  const made = [];
  for (let i = 0; i < 5; i++) {
    const m = referrer(i % 2 ? "application/vnd.example.sig" : "application/vnd.example.sbom", i);
    made.push({ digest: await putImage(t.client, m), m, type: i % 2 ? "application/vnd.example.sig" : "application/vnd.example.sbom", n: String(i) });
  }
  await image([10], "unrelated");
  const want = made
    .map((r) => ({ digest: r.digest, mediaType: OCI_MANIFEST, artifactType: r.type, size: Buffer.byteLength(r.m), annotations: { n: r.n }, artifactStatus: "ACTIVE" }))
    .sort((a, b) => (a.digest < b.digest ? -1 : 1));
  const all = [];
  let token: string | undefined;
  do {
    const page = await t.client.send(new ListImageReferrersCommand({ repositoryName: "app", subjectId: { imageDigest: subject.digest }, maxResults: 2, ...(token ? { nextToken: token } : {}) }));
    all.push(...page.referrers!);
    token = page.nextToken;
  } while (token);
  expect(all).toEqual(want);
  const sigs = await t.client.send(
    new ListImageReferrersCommand({ repositoryName: "app", subjectId: { imageDigest: subject.digest }, filter: { artifactTypes: ["application/vnd.example.sig"] } }),
  );
  expect([sigs.referrers, sigs.nextToken]).toEqual([want.filter((r) => r.artifactType === "application/vnd.example.sig"), undefined]);
  const none = await t.client.send(new ListImageReferrersCommand({ repositoryName: "app", subjectId: { imageDigest: sha256("nothing") } }));
  expect(none.referrers).toEqual([]);
});
