// Storage classes with the real SDK and the registry protocol: an archived image is described and listed as ARCHIVED
// but cannot be pulled by either protocol; a restore is ACTIVATING for the configured time, then ACTIVE; pushing the
// image again restores it at once.
import { randomBytes } from "node:crypto";
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  ImageStorageClassUpdateNotSupportedException,
  ListImageReferrersCommand,
  ListImagesCommand,
  PutImageCommand,
  PutLifecyclePolicyCommand,
  UpdateImageStorageClassCommand,
} from "@aws-sdk/client-ecr";
import { sha256 } from "../helpers/digests";
import { failure, REGISTRY, startEcr, tempDataDir, type TestEcr } from "../helpers/ecr-server";
import { ociManifest, pushBlob, putImage } from "../helpers/push";
import { v2 } from "../helpers/registry";

const RESTORE_MS = 60_000;
const dataDir = tempDataDir();
let clock = Date.UTC(2026, 0, 1);
let t: TestEcr;
const start = async () => {
  t = await startEcr({ dataDir, repositories: ["app"], now: () => clock, settings: { minPartSize: 1, archiveRestoreMs: RESTORE_MS } });
};
beforeAll(start);
afterAll(() => t.close());

async function image(tag?: string): Promise<{ digest: string; manifest: string }> {
  const config = randomBytes(64);
  const layer = randomBytes(256);
  await pushBlob(t.client, config);
  await pushBlob(t.client, layer);
  const manifest = ociManifest(config, [layer]);
  return { digest: await putImage(t.client, manifest, tag), manifest };
}

const update = (imageId: { imageDigest?: string; imageTag?: string }, targetStorageClass: "ARCHIVE" | "STANDARD") =>
  t.client.send(new UpdateImageStorageClassCommand({ repositoryName: "app", imageId, targetStorageClass }));
const describe1 = async (imageDigest: string) =>
  (await t.client.send(new DescribeImagesCommand({ repositoryName: "app", imageIds: [{ imageDigest }] }))).imageDetails![0];
const listed = async (imageStatus?: "ACTIVE" | "ARCHIVED" | "ACTIVATING" | "ANY") =>
  (await t.client.send(new ListImagesCommand({ repositoryName: "app", ...(imageStatus ? { filter: { imageStatus } } : {}) }))).imageIds!.map((i) => i.imageDigest);
const described = async (imageStatus?: "ACTIVE" | "ARCHIVED" | "ACTIVATING" | "ANY") =>
  (await t.client.send(new DescribeImagesCommand({ repositoryName: "app", ...(imageStatus ? { filter: { imageStatus } } : {}) }))).imageDetails!.map((d) => [d.imageDigest, d.imageStatus]);
const pull = (imageTag: string) => t.client.send(new BatchGetImageCommand({ repositoryName: "app", imageIds: [{ imageTag }] }));

test("archive, then restore: statuses, times, listings and pulls on both protocols, across a restart", async () => {
  const kept = await image("kept");
  const old = await image("old");
  const archivedAt = (clock += 1000);

  const archived = await update({ imageTag: "old" }, "ARCHIVE");
  expect(archived).toEqual(expect.objectContaining({ registryId: REGISTRY, repositoryName: "app", imageId: { imageDigest: old.digest, imageTag: "old" }, imageStatus: "ARCHIVED" }));
  // Archiving again is no error and changes nothing (a resent request).
  expect((await update({ imageDigest: old.digest }, "ARCHIVE")).imageStatus).toBe("ARCHIVED");

  await t.stop();
  await start();
  expect(await describe1(old.digest)).toEqual(expect.objectContaining({ imageStatus: "ARCHIVED", lastArchivedAt: new Date(archivedAt), imageTags: ["old"] }));
  expect((await describe1(old.digest)).lastActivatedAt).toBeUndefined();
  expect(await listed()).toEqual([kept.digest]);
  expect(await listed("ARCHIVED")).toEqual([old.digest]);
  expect((await listed("ANY")).sort()).toEqual([kept.digest, old.digest].sort());
  expect(await described("ARCHIVED")).toEqual([[old.digest, "ARCHIVED"]]);

  const refused = await pull("old");
  expect(refused.images).toEqual([]);
  expect(refused.failures).toEqual([
    { imageId: { imageTag: "old" }, failureCode: "ImageNotFound", failureReason: "Requested image is archived; restore it to standard storage before pulling it" },
  ]);
  for (const ref of ["old", old.digest]) {
    const res = await v2(t.url, `/v2/app/manifests/${ref}`, { headers: { accept: "application/vnd.oci.image.manifest.v1+json" } });
    expect([res.status, res.errors?.[0]?.code]).toEqual([404, "MANIFEST_UNKNOWN"]);
  }
  expect((await pull("kept")).images!.map((i) => i.imageId!.imageDigest)).toEqual([kept.digest]);

  const restoring = await update({ imageTag: "old" }, "STANDARD");
  expect(restoring.imageStatus).toBe("ACTIVATING");
  expect((await update({ imageTag: "old" }, "STANDARD")).imageStatus).toBe("ACTIVATING");
  expect(await listed("ACTIVATING")).toEqual([old.digest]);
  expect((await describe1(old.digest)).lastActivatedAt).toBeUndefined();
  expect((await pull("old")).failures![0].failureReason).toBe("Requested image is being restored from archive and cannot be pulled until the restore completes");
  const archiveMidRestore = await failure(update({ imageTag: "old" }, "ARCHIVE"));
  expect(archiveMidRestore).toBeInstanceOf(ImageStorageClassUpdateNotSupportedException);
  expect(archiveMidRestore.message).toBe(`The image with digest '${old.digest}' is being restored and cannot be archived until the restore completes`);

  clock += RESTORE_MS;
  expect(await describe1(old.digest)).toEqual(expect.objectContaining({ imageStatus: "ACTIVE", lastArchivedAt: new Date(archivedAt), lastActivatedAt: new Date(clock) }));
  expect((await listed()).sort()).toEqual([kept.digest, old.digest].sort());
  expect(await listed("ACTIVATING")).toEqual([]);
  expect((await pull("old")).images![0].imageManifest).toBe(old.manifest);
  const res = await v2(t.url, `/v2/app/manifests/old`, { headers: { accept: "application/vnd.oci.image.manifest.v1+json" } });
  expect([res.status, res.text]).toEqual([200, old.manifest]);
  // Restoring an active image changes nothing.
  expect((await update({ imageTag: "old" }, "STANDARD")).imageStatus).toBe("ACTIVE");
});

test("pushing an archived image again restores it at once; a push that fails leaves it archived", async () => {
  const { digest, manifest } = await image("again");
  await update({ imageDigest: digest }, "ARCHIVE");
  // A bad push (a digest that does not match) changes nothing.
  await failure(t.client.send(new PutImageCommand({ repositoryName: "app", imageManifest: manifest, imageTag: "again", imageDigest: sha256("other") })));
  expect((await describe1(digest)).imageStatus).toBe("ARCHIVED");
  const pushed = await t.client.send(new PutImageCommand({ repositoryName: "app", imageManifest: manifest, imageTag: "again" }));
  expect(pushed.image!.imageId).toEqual({ imageDigest: digest, imageTag: "again" });
  expect(await describe1(digest)).toEqual(expect.objectContaining({ imageStatus: "ACTIVE", lastActivatedAt: new Date(clock) }));
  // The registry protocol's PUT restores too.
  await update({ imageDigest: digest }, "ARCHIVE");
  const put = await v2(t.url, `/v2/app/manifests/${digest}`, { method: "PUT", body: manifest, headers: { "content-type": "application/vnd.oci.image.manifest.v1+json" } });
  expect(put.status).toBe(201);
  expect((await describe1(digest)).imageStatus).toBe("ACTIVE");
});

test("a manifest an active index references cannot be archived; archived referrers are listed by artifact status", async () => {
  const child = await image();
  const index = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", size: Buffer.byteLength(child.manifest), digest: child.digest, platform: { architecture: "amd64", os: "linux" } }],
  });
  const indexDigest = await putImage(t.client, index, "multi");
  const refused = await failure(update({ imageDigest: child.digest }, "ARCHIVE"));
  expect([refused.name, refused.message]).toEqual([
    "ImageStorageClassUpdateNotSupportedException",
    `The image with digest '${child.digest}' is referenced by the manifest list '${indexDigest}', which is not archived; archive that first`,
  ]);
  expect((await update({ imageTag: "multi" }, "ARCHIVE")).imageStatus).toBe("ARCHIVED");
  expect((await update({ imageDigest: child.digest }, "ARCHIVE")).imageStatus).toBe("ARCHIVED");
  // A new list cannot name an archived image; restoring the list restores its entries with it.
  const other = JSON.stringify({ ...JSON.parse(index), annotations: { other: "yes" } });
  expect((await failure(putImage(t.client, other, "multi2"))).name).toBe("ReferencedImagesNotFoundException");
  expect((await update({ imageTag: "multi" }, "STANDARD")).imageStatus).toBe("ACTIVATING");
  expect((await describe1(child.digest)).imageStatus).toBe("ACTIVATING");
  clock += RESTORE_MS;
  expect((await describe1(child.digest)).imageStatus).toBe("ACTIVE");

  const subject = await image("subject");
  const config = Buffer.from("{}");
  await pushBlob(t.client, config);
  const referrer = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    artifactType: "application/example",
    config: { mediaType: "application/vnd.oci.empty.v1+json", size: 2, digest: sha256(config) },
    layers: [],
    subject: { mediaType: "application/vnd.oci.image.manifest.v1+json", size: Buffer.byteLength(subject.manifest), digest: subject.digest },
  });
  const referrerDigest = await putImage(t.client, referrer);
  await update({ imageDigest: referrerDigest }, "ARCHIVE");
  const referrers = async (artifactStatus?: "ACTIVE" | "ARCHIVED" | "ANY") =>
    (await t.client.send(new ListImageReferrersCommand({ repositoryName: "app", subjectId: { imageDigest: subject.digest }, ...(artifactStatus ? { filter: { artifactStatus } } : {}) }))).referrers!.map((r) => [r.digest, r.artifactStatus]);
  expect(await referrers()).toEqual([]);
  expect(await referrers("ARCHIVED")).toEqual([[referrerDigest, "ARCHIVED"]]);
  expect(await referrers("ANY")).toEqual([[referrerDigest, "ARCHIVED"]]);
  const onV2 = await v2(t.url, `/v2/app/referrers/${subject.digest}`);
  expect(JSON.parse(onV2.text).manifests).toEqual([]);
});

test("errors: an unknown image, a bad id, an unknown repository, a bad storage class", async () => {
  const missing = sha256("missing");
  const notFound = await failure(update({ imageDigest: missing }, "ARCHIVE"));
  expect([notFound.name, notFound.message]).toEqual([
    "ImageNotFoundException",
    `The image with imageId {imageDigest:'${missing}', imageTag:'null'} does not exist within the repository with name 'app' in the registry with id '${REGISTRY}'`,
  ]);
  const badTag = await failure(update({ imageTag: "bad tag" }, "ARCHIVE"));
  expect([badTag.name, badTag.message]).toEqual(["InvalidParameterException", "Invalid request parameters: 'bad tag' is not a valid image tag"]);
  const noRepo = await failure(t.client.send(new UpdateImageStorageClassCommand({ repositoryName: "gone", imageId: { imageTag: "x" }, targetStorageClass: "ARCHIVE" })));
  expect(noRepo.name).toBe("RepositoryNotFoundException");
  const badClass = await failure(t.client.send(new UpdateImageStorageClassCommand({ repositoryName: "app", imageId: { imageTag: "x" }, targetStorageClass: "GLACIER" as "ARCHIVE" })));
  expect([badClass.name, badClass.message]).toEqual([
    "InvalidParameterException",
    "Invalid parameter at 'targetStorageClass' failed to satisfy constraint: 'must satisfy enum value set: [STANDARD, ARCHIVE]'",
  ]);
});

test("lifecycle policies leave archived images alone: neither counted nor expired", async () => {
  await t.client.send(new CreateRepositoryCommand({ repositoryName: "kept" }));
  const push = async (tag: string) => {
    const config = randomBytes(32);
    await pushBlob(t.client, config, "kept");
    return putImage(t.client, ociManifest(config, []), tag, "kept");
  };
  const archived = await push("old");
  await t.client.send(new UpdateImageStorageClassCommand({ repositoryName: "kept", imageId: { imageDigest: archived }, targetStorageClass: "ARCHIVE" }));
  clock += 1000;
  const newer = await push("new");
  const rules = [{ rulePriority: 1, selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 1 }, action: { type: "expire" } }];
  await t.client.send(new PutLifecyclePolicyCommand({ repositoryName: "kept", lifecyclePolicyText: JSON.stringify({ rules }) }));
  expect(await t.ecr.runLifecycle()).toBe(0);
  const all = await t.client.send(new DescribeImagesCommand({ repositoryName: "kept", filter: { imageStatus: "ANY" } }));
  expect(all.imageDetails!.map((d) => [d.imageDigest, d.imageStatus]).sort()).toEqual([[archived, "ARCHIVED"], [newer, "ACTIVE"]].sort());
});
