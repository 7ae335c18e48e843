// Images and the pull path through the real SDK: push an image, get it back, download every blob byte-identical.
import { randomBytes } from "node:crypto";
import {
  BatchCheckLayerAvailabilityCommand,
  BatchGetImageCommand,
  CompleteLayerUploadCommand,
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  GetDownloadUrlForLayerCommand,
  ImageAlreadyExistsException,
  ImageDigestDoesNotMatchException,
  ImageTagAlreadyExistsException,
  InitiateLayerUploadCommand,
  InvalidParameterException,
  LayerInaccessibleException,
  LayersNotFoundException,
  PutImageCommand,
  ReferencedImagesNotFoundException,
  RepositoryNotEmptyException,
  UploadLayerPartCommand,
  type ECRClient,
} from "@aws-sdk/client-ecr";
import { sha256 } from "../helpers/digests";
import { pushBlob as push } from "../helpers/push";
import { failure, REGISTRY, startEcr, type TestEcr } from "../helpers/ecr-server";

const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const CONFIG_TYPE = "application/vnd.docker.container.image.v1+json";
const LAYER_TYPE = "application/vnd.docker.image.rootfs.diff.tar.gzip";
const START = Date.parse("2025-06-01T00:00:00Z");

let t: TestEcr;
let clock = START;
let client: ECRClient;
beforeEach(async () => {
  clock = START;
  t = await startEcr({ now: () => clock, settings: { minPartSize: 1 } });
  client = t.client;
  await client.send(new CreateRepositoryCommand({ repositoryName: "app" }));
});
afterEach(() => t.close());

const pushBlob = (bytes: Buffer, repositoryName = "app") => push(client, bytes, repositoryName);

/** Pushes a config and `layers` random layers, and returns the blobs and a Docker manifest naming them. */
async function pushImageBlobs(layers = 2, repositoryName = "app", mediaType = DOCKER_MANIFEST) {
  const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] }, n: randomBytes(4).toString("hex") }));
  const blobs = [config, ...Array.from({ length: layers }, (_, i) => randomBytes(100_000 + i))];
  for (const b of blobs) await pushBlob(b, repositoryName);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType,
    config: { mediaType: CONFIG_TYPE, size: config.byteLength, digest: sha256(config) },
    layers: blobs.slice(1).map((b) => ({ mediaType: LAYER_TYPE, size: b.byteLength, digest: sha256(b) })),
  });
  return { blobs, manifest };
}

test("a three-blob image round-trips: put with a tag, get by tag and digest, download every blob byte-identical", async () => {
  const { blobs, manifest } = await pushImageBlobs(2);
  const put = await client.send(new PutImageCommand({ repositoryName: "app", imageManifest: manifest, imageTag: "v1" }));
  expect(put.image).toEqual({
    registryId: REGISTRY,
    repositoryName: "app",
    imageId: { imageDigest: sha256(manifest), imageTag: "v1" },
    imageManifest: manifest,
    imageManifestMediaType: DOCKER_MANIFEST,
  });

  for (const imageId of [{ imageTag: "v1" }, { imageDigest: sha256(manifest) }, { imageTag: "v1", imageDigest: sha256(manifest) }]) {
    const got = await client.send(new BatchGetImageCommand({ repositoryName: "app", imageIds: [imageId] }));
    expect(got.failures).toEqual([]);
    expect(got.images).toEqual([
      { registryId: REGISTRY, repositoryName: "app", imageId: { imageDigest: sha256(manifest), ...imageId }, imageManifest: manifest, imageManifestMediaType: DOCKER_MANIFEST },
    ]);
  }

  for (const blob of blobs) {
    const out = await client.send(new GetDownloadUrlForLayerCommand({ repositoryName: "app", layerDigest: sha256(blob) }));
    expect(out.layerDigest).toBe(sha256(blob));
    const res = await fetch(out.downloadUrl!);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([res.status, res.headers.get("content-type"), res.headers.get("content-length"), res.headers.get("etag")]).toEqual([
      200,
      "application/octet-stream",
      String(blob.byteLength),
      `"${sha256(blob)}"`,
    ]);
    expect(sha256(bytes)).toBe(sha256(blob));
    expect(bytes.equals(blob)).toBe(true);
  }
});

test("the media types a manifest gives its blobs are what BatchCheckLayerAvailability reports", async () => {
  const { blobs, manifest } = await pushImageBlobs(1);
  await client.send(new PutImageCommand({ repositoryName: "app", imageManifest: manifest }));
  const check = await client.send(new BatchCheckLayerAvailabilityCommand({ repositoryName: "app", layerDigests: blobs.map((b) => sha256(b)) }));
  expect(check.layers!.map((l) => l.mediaType)).toEqual([CONFIG_TYPE, LAYER_TYPE]);
});

test("download URLs: signed, expiring after an hour, ranged reads, HEAD", async () => {
  const { blobs, manifest } = await pushImageBlobs(1);
  await client.send(new PutImageCommand({ repositoryName: "app", imageManifest: manifest }));
  const layer = blobs[1];
  const { downloadUrl } = await client.send(new GetDownloadUrlForLayerCommand({ repositoryName: "app", layerDigest: sha256(layer) }));
  const url = new URL(downloadUrl!);
  expect(url.origin).toBe(t.url);
  expect(url.pathname).toBe(`/layers/${REGISTRY}/app/${sha256(layer)}`);
  expect(url.searchParams.get("X-Amz-Expires")).toBe(String(START / 1000 + 3600));

  const ranged = await fetch(downloadUrl!, { headers: { range: "bytes=10-19" } });
  expect([ranged.status, ranged.headers.get("content-range"), ranged.headers.get("content-length")]).toEqual([206, `bytes 10-19/${layer.byteLength}`, "10"]);
  expect(Buffer.from(await ranged.arrayBuffer()).equals(layer.subarray(10, 20))).toBe(true);

  const suffix = await fetch(downloadUrl!, { headers: { range: "bytes=-5" } });
  expect(Buffer.from(await suffix.arrayBuffer()).equals(layer.subarray(layer.byteLength - 5))).toBe(true);

  const beyond = await fetch(downloadUrl!, { headers: { range: `bytes=${layer.byteLength}-` } });
  expect([beyond.status, beyond.headers.get("content-range")]).toEqual([416, `bytes */${layer.byteLength}`]);

  const head = await fetch(downloadUrl!, { method: "HEAD" });
  expect([head.status, head.headers.get("content-length"), (await head.arrayBuffer()).byteLength]).toEqual([200, String(layer.byteLength), 0]);

  const tampered = new URL(downloadUrl!);
  tampered.searchParams.set("X-Amz-Signature", "0".repeat(64));
  const forged = await fetch(tampered);
  expect([forged.status, await forged.json()]).toEqual([403, { message: "The request signature does not match" }]);

  const otherBlob = new URL(downloadUrl!.replace(sha256(layer), sha256(blobs[0])));
  expect((await fetch(otherBlob)).status).toBe(403);

  const later = new URL(downloadUrl!);
  later.searchParams.set("X-Amz-Expires", String(START / 1000 + 99999));
  expect((await fetch(later)).status).toBe(403);

  clock = START + 3601 * 1000;
  const expired = await fetch(downloadUrl!);
  expect([expired.status, await expired.json()]).toEqual([403, { message: "The download URL has expired" }]);
});

test("an OCI index pointing at two manifests; a missing one is ReferencedImagesNotFoundException", async () => {
  const a = await pushImageBlobs(1, "app", OCI_MANIFEST);
  const b = await pushImageBlobs(1, "app", OCI_MANIFEST);
  await client.send(new PutImageCommand({ repositoryName: "app", imageManifest: a.manifest }));
  const index = (manifests: string[]) =>
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: manifests.map((m, i) => ({ mediaType: OCI_MANIFEST, size: m.length, digest: sha256(m), platform: { architecture: ["amd64", "arm64"][i], os: "linux" } })),
    });
  const missing = await failure(client.send(new PutImageCommand({ repositoryName: "app", imageManifest: index([a.manifest, b.manifest]), imageTag: "multi" })));
  expect(missing).toBeInstanceOf(ReferencedImagesNotFoundException);
  expect(missing.message).toBe(
    `Images with digests '[${sha256(b.manifest)}]' required for pushing image into repository with name 'app' in the registry with id '${REGISTRY}' do not exist`,
  );

  await client.send(new PutImageCommand({ repositoryName: "app", imageManifest: b.manifest }));
  const put = await client.send(new PutImageCommand({ repositoryName: "app", imageManifest: index([a.manifest, b.manifest]), imageTag: "multi" }));
  expect(put.image!.imageManifestMediaType).toBe(OCI_INDEX);
  const got = await client.send(new BatchGetImageCommand({ repositoryName: "app", imageIds: [{ imageTag: "multi" }], acceptedMediaTypes: [OCI_INDEX] }));
  expect(got.images![0].imageManifest).toBe(index([a.manifest, b.manifest]));
});

// 'ImageManifest', capitalised, and 'Invalid JSON syntax' are ECR's words: openai/tart#890 quotes real ECR ("Invalid
// parameter at 'ImageManifest' failed to satisfy constraint: 'Limit on number of layers per image exceeded'"), and
// moto #5753 copies the invalid-JSON wording. ECR gives the same words when it cannot tell the manifest's kind: no media
// type in request or manifest (aws/aws-sdk#193, containers/image#584) or one it does not take (aws/aws-cli#8620).
describe("PutImage errors", () => {
  test.each([
    ["not JSON", "{nope", undefined, "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'"],
    [
      "no media type anywhere",
      JSON.stringify({ schemaVersion: 2, config: { size: 1, digest: sha256("x") }, layers: [] }),
      undefined,
      "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'",
    ],
    [
      "a media type that differs from the manifest's",
      JSON.stringify({ schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: { size: 1, digest: sha256("x") }, layers: [] }),
      OCI_MANIFEST,
      `Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'imageManifestMediaType ${OCI_MANIFEST} differs from the manifest's mediaType ${DOCKER_MANIFEST}'`,
    ],
    [
      "an unknown kind",
      JSON.stringify({ schemaVersion: 1, mediaType: "application/vnd.docker.distribution.manifest.v1+json" }),
      undefined,
      "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'",
    ],
    [
      "a descriptor without a digest",
      JSON.stringify({ schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: { size: 1 }, layers: [] }),
      undefined,
      "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'config.digest must be a sha256 digest'",
    ],
  ])("%s is InvalidParameterException", async (_name, imageManifest, imageManifestMediaType, message) => {
    const err = await failure(client.send(new PutImageCommand({ repositoryName: "app", imageManifest, imageManifestMediaType })));
    expect(err).toBeInstanceOf(InvalidParameterException);
    expect(err.message).toBe(message);
  });

  test("a supplied digest that differs is ImageDigestDoesNotMatchException", async () => {
    const { manifest } = await pushImageBlobs(1);
    const other = sha256("other");
    const err = await failure(client.send(new PutImageCommand({ repositoryName: "app", imageManifest: manifest, imageDigest: other })));
    expect(err).toBeInstanceOf(ImageDigestDoesNotMatchException);
    expect(err.message).toBe(`The specified digest '${other}' does not match the digest '${sha256(manifest)}' of the manifest`);
    const ok = await client.send(new PutImageCommand({ repositoryName: "app", imageManifest: manifest, imageDigest: sha256(manifest) }));
    expect(ok.image!.imageId).toEqual({ imageDigest: sha256(manifest) });
  });

  test("blobs the repository lacks are LayersNotFoundException naming them", async () => {
    const config = Buffer.from("{}");
    await pushBlob(config);
    const l1 = sha256("missing-1");
    const l2 = sha256("missing-2");
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: DOCKER_MANIFEST,
      config: { mediaType: CONFIG_TYPE, size: 2, digest: sha256(config) },
      layers: [l1, l2].map((digest) => ({ mediaType: LAYER_TYPE, size: 9, digest })),
    });
    const err = await failure(client.send(new PutImageCommand({ repositoryName: "app", imageManifest: manifest })));
    expect(err).toBeInstanceOf(LayersNotFoundException);
    expect(err.message).toBe(`Layers with digests '[${l1}, ${l2}]' required for pushing image into repository with name 'app' in the registry with id '${REGISTRY}' do not exist`);
  });

  test("tags: the same manifest and tag again, moving in a mutable repository, refused in an immutable one", async () => {
    const one = await pushImageBlobs(1);
    const two = await pushImageBlobs(1);
    await client.send(new PutImageCommand({ repositoryName: "app", imageManifest: one.manifest, imageTag: "latest" }));
    const same = await failure(client.send(new PutImageCommand({ repositoryName: "app", imageManifest: one.manifest, imageTag: "latest" })));
    expect(same).toBeInstanceOf(ImageAlreadyExistsException);
    expect(same.message).toBe(`Image with digest '${sha256(one.manifest)}' and tag 'latest' already exists in the repository with name 'app' in registry with id '${REGISTRY}'`);
    const untaggedAgain = await failure(client.send(new PutImageCommand({ repositoryName: "app", imageManifest: one.manifest })));
    expect(untaggedAgain).toBeInstanceOf(ImageAlreadyExistsException);

    await client.send(new PutImageCommand({ repositoryName: "app", imageManifest: two.manifest, imageTag: "latest" }));
    const moved = await client.send(new BatchGetImageCommand({ repositoryName: "app", imageIds: [{ imageTag: "latest" }] }));
    expect(moved.images![0].imageId!.imageDigest).toBe(sha256(two.manifest));
    const stillThere = await client.send(new BatchGetImageCommand({ repositoryName: "app", imageIds: [{ imageDigest: sha256(one.manifest) }] }));
    expect(stillThere.images).toHaveLength(1);

    await client.send(new CreateRepositoryCommand({ repositoryName: "locked", imageTagMutability: "IMMUTABLE" }));
    const a = await pushImageBlobs(1, "locked");
    const b = await pushImageBlobs(1, "locked");
    await client.send(new PutImageCommand({ repositoryName: "locked", imageManifest: a.manifest, imageTag: "v1" }));
    const refused = await failure(client.send(new PutImageCommand({ repositoryName: "locked", imageManifest: b.manifest, imageTag: "v1" })));
    expect(refused).toBeInstanceOf(ImageTagAlreadyExistsException);
    expect(refused.message).toBe("The image tag 'v1' already exists in the 'locked' repository and cannot be overwritten because the tag is immutable");
    const kept = await client.send(new BatchGetImageCommand({ repositoryName: "locked", imageIds: [{ imageTag: "v1" }] }));
    expect(kept.images![0].imageId!.imageDigest).toBe(sha256(a.manifest));
  });

  test("exclusion filters: in IMMUTABLE_WITH_EXCLUSION matching tags still move", async () => {
    await client.send(
      new CreateRepositoryCommand({
        repositoryName: "mixed",
        imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
        imageTagMutabilityExclusionFilters: [{ filterType: "WILDCARD", filter: "dev-*" }],
      }),
    );
    const a = await pushImageBlobs(1, "mixed");
    const b = await pushImageBlobs(1, "mixed");
    await client.send(new PutImageCommand({ repositoryName: "mixed", imageManifest: a.manifest, imageTag: "dev-1" }));
    await client.send(new PutImageCommand({ repositoryName: "mixed", imageManifest: a.manifest, imageTag: "release" }));
    await client.send(new PutImageCommand({ repositoryName: "mixed", imageManifest: b.manifest, imageTag: "dev-1" }));
    expect(await failure(client.send(new PutImageCommand({ repositoryName: "mixed", imageManifest: b.manifest, imageTag: "release" })))).toBeInstanceOf(
      ImageTagAlreadyExistsException,
    );
  });
});

test("BatchGetImage answers images and AWS's failure codes in one response", async () => {
  const { manifest } = await pushImageBlobs(1);
  await client.send(new PutImageCommand({ repositoryName: "app", imageManifest: manifest, imageTag: "v1" }));
  const ids = [
    { imageTag: "v1" },
    { imageTag: "nope" },
    { imageDigest: sha256("nope") },
    { imageTag: "v1", imageDigest: sha256("nope") },
    { imageDigest: "md5:abc" },
    { imageTag: "-bad" },
    {},
  ];
  const got = await client.send(new BatchGetImageCommand({ repositoryName: "app", imageIds: ids }));
  expect(got.images!.map((i) => i.imageId)).toEqual([{ imageTag: "v1", imageDigest: sha256(manifest) }]);
  expect(got.failures).toEqual([
    // "Requested image not found" is ECR's reason as quoted in abronin/ecr-retag-action#3.
    { imageId: { imageTag: "nope" }, failureCode: "ImageNotFound", failureReason: "Requested image not found" },
    { imageId: { imageDigest: sha256("nope") }, failureCode: "ImageNotFound", failureReason: "Requested image not found" },
    {
      imageId: { imageTag: "v1", imageDigest: sha256("nope") },
      failureCode: "ImageTagDoesNotMatchDigest",
      failureReason: `Tag 'v1' points at digest '${sha256(manifest)}', not at the requested digest`,
    },
    { imageId: { imageDigest: "md5:abc" }, failureCode: "InvalidImageDigest", failureReason: "Invalid request parameters: image digest should satisfy the regex 'sha256:[a-f0-9]{64}'" },
    { imageId: { imageTag: "-bad" }, failureCode: "InvalidImageTag", failureReason: "Invalid request parameters: '-bad' is not a valid image tag" },
    { imageId: {}, failureCode: "MissingDigestAndTag", failureReason: "Requested image has neither a digest nor a tag" },
  ]);
});

describe("BatchGetImage converts a manifest pulled by tag into an accepted format, as ECR's manifest format table says", () => {
  // AWS's user guide, "Container image manifest format support in Amazon ECR": schema 2 and OCI convert into each other
  // on a pull by tag; a pull by digest is never converted; OCI into schema 1 is not available.
  const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  const OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
  const SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+json";
  const docker = (config: string, layers: string[]) => ({
    schemaVersion: 2,
    mediaType: DOCKER_MANIFEST,
    config: { mediaType: CONFIG_TYPE, size: 10, digest: config },
    layers: layers.map((digest) => ({ mediaType: LAYER_TYPE, size: 100, digest })),
  });
  const oci = (config: string, layers: string[], layerType = OCI_LAYER, extra: object = {}) => ({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, size: 10, digest: config },
    layers: layers.map((digest) => ({ mediaType: layerType, size: 100, digest, annotations: { "org.example": "x" } })),
    annotations: { "org.opencontainers.image.created": "2025-06-01T00:00:00Z" },
    ...extra,
  });
  const NOT_ACCEPTED = (type: string) => `The image's manifest media type ${type} is not among the accepted media types`;
  type Case = [name: string, stored: "docker" | "oci" | "oci-zstd" | "oci-subject", by: "tag" | "digest", accepted: string[], want: "docker" | "oci" | "stored" | string];
  const cases: Case[] = [
    ["schema 2 to OCI", "docker", "tag", [OCI_MANIFEST], "oci"],
    ["OCI to schema 2, annotations dropped", "oci", "tag", [DOCKER_MANIFEST], "docker"],
    ["no conversion when the stored format is accepted", "oci", "tag", [DOCKER_MANIFEST, OCI_MANIFEST], "stored"],
    ["none by digest", "docker", "digest", [OCI_MANIFEST], NOT_ACCEPTED(DOCKER_MANIFEST)],
    ["none to schema 1", "docker", "tag", [SCHEMA1], NOT_ACCEPTED(DOCKER_MANIFEST)],
    ["none for a zstd layer, which schema 2 cannot name", "oci-zstd", "tag", [DOCKER_MANIFEST], NOT_ACCEPTED(OCI_MANIFEST)],
    ["none for a manifest with a subject", "oci-subject", "tag", [DOCKER_MANIFEST], NOT_ACCEPTED(OCI_MANIFEST)],
  ];

  test.each(cases)("%s", async (_name, stored, by, accepted, want) => {
    const blobs = [randomBytes(10), randomBytes(100), randomBytes(100)];
    for (const b of blobs) await pushBlob(b);
    const [config, ...layers] = blobs.map((b) => sha256(b));
    const manifests = {
      docker: docker(config, layers),
      oci: oci(config, layers),
      "oci-zstd": oci(config, layers, "application/vnd.oci.image.layer.v1.tar+zstd"),
      "oci-subject": oci(config, layers, OCI_LAYER, { subject: { mediaType: OCI_MANIFEST, size: 10, digest: config } }),
    };
    const text = JSON.stringify(manifests[stored]);
    await client.send(new PutImageCommand({ repositoryName: "app", imageManifest: text, imageTag: "v1" }));
    const imageId = by === "tag" ? { imageTag: "v1" } : { imageDigest: sha256(text) };
    const got = await client.send(new BatchGetImageCommand({ repositoryName: "app", imageIds: [imageId], acceptedMediaTypes: accepted }));
    if (want !== "docker" && want !== "oci" && want !== "stored") {
      expect([got.images, got.failures]).toEqual([[], [{ imageId, failureCode: "ImageNotFound", failureReason: want }]]);
      return;
    }
    const expected = want === "stored" ? text : JSON.stringify(want === "oci" ? { ...docker(config, layers), mediaType: OCI_MANIFEST, config: { mediaType: OCI_CONFIG, size: 10, digest: config }, layers: layers.map((digest) => ({ mediaType: OCI_LAYER, size: 100, digest })) } : docker(config, layers));
    expect(got.failures).toEqual([]);
    expect(got.images).toEqual([
      {
        registryId: REGISTRY,
        repositoryName: "app",
        imageId: { imageTag: "v1", imageDigest: sha256(expected) },
        imageManifest: expected,
        imageManifestMediaType: JSON.parse(expected).mediaType,
      },
    ]);
  });
});

test("GetDownloadUrlForLayer: an unknown digest, and a layer no image references", async () => {
  const unknown = sha256("unknown");
  const err = await failure(client.send(new GetDownloadUrlForLayerCommand({ repositoryName: "app", layerDigest: unknown })));
  expect(err).toBeInstanceOf(LayersNotFoundException);
  // monken/aws-ecr-public#11 quotes real ECR's words.
  expect(err.message).toBe(`The layer with digest ${unknown} does not exist within the repository with name 'app' in the registry with id '${REGISTRY}'`);

  const loose = await pushBlob(randomBytes(10));
  const inaccessible = await failure(client.send(new GetDownloadUrlForLayerCommand({ repositoryName: "app", layerDigest: loose })));
  expect(inaccessible).toBeInstanceOf(LayerInaccessibleException);
  expect(inaccessible.message).toBe(`The layer with digest '${loose}' is not referenced by any image in the repository with name 'app' in the registry with id '${REGISTRY}'`);
});

test("a repository with images is not deleted unless forced; forced, its images and download URLs are gone", async () => {
  const { blobs, manifest } = await pushImageBlobs(1);
  await client.send(new PutImageCommand({ repositoryName: "app", imageManifest: manifest, imageTag: "v1" }));
  const { downloadUrl } = await client.send(new GetDownloadUrlForLayerCommand({ repositoryName: "app", layerDigest: sha256(blobs[1]) }));

  const err = await failure(client.send(new DeleteRepositoryCommand({ repositoryName: "app" })));
  expect(err).toBeInstanceOf(RepositoryNotEmptyException);
  // ECR's words, quoted in brentley/appmeshworkshop#31.
  expect(err.message).toBe(`The repository with name 'app' in registry with id '${REGISTRY}' cannot be deleted because it still contains images`);
  expect((await fetch(downloadUrl!)).status).toBe(200);

  await client.send(new DeleteRepositoryCommand({ repositoryName: "app", force: true }));
  const gone = await fetch(downloadUrl!);
  expect([gone.status, await gone.json()]).toEqual([404, { message: `The layer ${sha256(blobs[1])} no longer exists` }]);
  await client.send(new CreateRepositoryCommand({ repositoryName: "app" }));
  const after = await client.send(new BatchGetImageCommand({ repositoryName: "app", imageIds: [{ imageTag: "v1" }] }));
  expect(after.failures![0].failureCode).toBe("ImageNotFound");
});

test("images and tags survive a restart", async () => {
  const { manifest } = await pushImageBlobs(1);
  await client.send(new PutImageCommand({ repositoryName: "app", imageManifest: manifest, imageTag: "v1" }));
  await t.stop();
  t = await startEcr({ dataDir: t.dataDir, now: () => clock });
  client = t.client;
  const got = await client.send(new BatchGetImageCommand({ repositoryName: "app", imageIds: [{ imageTag: "v1" }] }));
  expect(got.images![0].imageManifest).toBe(manifest);
});
