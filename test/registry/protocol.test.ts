// The registry protocol (/v2/) on the same store as the API: each route's answer in the distribution spec's form with
// ECR's codes and words, and what one protocol does seen at once through the other (@aws-sdk/client-ecr).
import { randomBytes } from "node:crypto";
import {
  PutAccountSettingCommand,
  BatchCheckLayerAvailabilityCommand,
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CompleteLayerUploadCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  InitiateLayerUploadCommand,
  UploadLayerPartCommand,
} from "@aws-sdk/client-ecr";
import { failure, REGISTRY, startEcr, type TestEcr } from "../helpers/ecr-server";
import { MiB, sha256 } from "../helpers/digests";
import { ociManifest, putImage } from "../helpers/push";
import { pushBlobV2, v2 } from "../helpers/registry";

const START = Date.UTC(2026, 10, 1);
let clock = START;
let t: TestEcr;
beforeAll(async () => {
  t = await startEcr({ repositories: ["app", "base/os", "fixed"], now: () => clock });
});
afterAll(() => t.close());
beforeEach(() => {
  clock += 3_600_000;
});

const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

/** Pushes a config and layers through /v2 and returns an OCI manifest naming them. */
async function blobsV2(name: string, sizes: number[]): Promise<{ manifest: string; blobs: Buffer[] }> {
  const blobs = sizes.map((n) => randomBytes(n));
  for (const b of blobs) expect((await pushBlobV2(t.url, name, b, sha256(b))).status).toBe(201);
  return { manifest: ociManifest(blobs[0], blobs.slice(1), 1000 + Math.floor(Math.random() * 1000)), blobs };
}

async function pushBlobInOnePart(bytes: Buffer): Promise<void> {
  const { uploadId } = await t.client.send(new InitiateLayerUploadCommand({ repositoryName: "app" }));
  await t.client.send(new UploadLayerPartCommand({ repositoryName: "app", uploadId, partFirstByte: 0, partLastByte: bytes.byteLength - 1, layerPartBlob: bytes }));
  await t.client.send(new CompleteLayerUploadCommand({ repositoryName: "app", uploadId, layerDigests: [sha256(bytes)] }));
}

const putManifest = (name: string, reference: string, manifest: string, mediaType = OCI_MANIFEST) =>
  v2(t.url, `/v2/${name}/manifests/${reference}`, { method: "PUT", body: manifest, headers: { "content-type": mediaType } });

describe("the version probe and routing", () => {
  test("GET /v2/ answers 200 {} with the API version header", async () => {
    const res = await v2(t.url, "/v2/");
    expect([res.status, res.text, res.headers["docker-distribution-api-version"]]).toEqual([200, "{}", "registry/2.0"]);
  });

  test("an unknown path is ECR's plain-text 404; a method a route lacks is 405 UNSUPPORTED with Allow", async () => {
    const unknown = await v2(t.url, "/v2/app/nothing/here");
    expect([unknown.status, unknown.text]).toEqual([404, "404 page not found\n"]);
    const wrong = await v2(t.url, "/v2/app/tags/list", { method: "DELETE" });
    expect([wrong.status, wrong.errors?.[0].code, wrong.headers.allow]).toEqual([405, "UNSUPPORTED", "GET"]);
  });
});

describe("blob uploads are upload sessions of the API", () => {
  test("a monolithic POST ?digest= stores a layer that BatchCheckLayerAvailability sees, with its size", async () => {
    const bytes = randomBytes(3000);
    const res = await pushBlobV2(t.url, "app", bytes, sha256(bytes));
    expect([res.status, res.headers.location, res.headers["docker-content-digest"]]).toEqual([201, `${t.url}/v2/app/blobs/${sha256(bytes)}`, sha256(bytes)]);
    const { layers } = await t.client.send(new BatchCheckLayerAvailabilityCommand({ repositoryName: "app", layerDigests: [sha256(bytes)] }));
    expect(layers).toEqual([{ layerDigest: sha256(bytes), layerAvailability: "AVAILABLE", layerSize: 3000, mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip" }]);
  });

  test("POST, PATCH in chunks, GET the status, PUT ?digest=: ECR's statuses and headers; HEAD and GET (307) the blob", async () => {
    const bytes = randomBytes(6 * MiB + 100);
    const start = await v2(t.url, "/v2/app/blobs/uploads/", { method: "POST" });
    expect([start.status, start.headers.range, start.headers["docker-upload-uuid"]]).toEqual([202, "0-0", undefined]);
    const location = start.headers.location;
    expect(location).toMatch(new RegExp(`^${t.url}/v2/app/blobs/uploads/[0-9a-f-]{36}$`));
    const path = new URL(location).pathname;

    const first = await v2(t.url, path, { method: "PATCH", body: bytes.subarray(0, 6 * MiB), headers: { "content-range": `0-${6 * MiB - 1}` } });
    expect([first.status, first.headers.range, first.headers.location]).toEqual([201, `0-${6 * MiB - 1}`, location]);
    const status = await v2(t.url, path);
    expect([status.status, status.headers.range]).toEqual([204, `0-${6 * MiB - 1}`]);
    // Without Content-Range a chunk goes at the end.
    const second = await v2(t.url, path, { method: "PATCH", body: bytes.subarray(6 * MiB) });
    expect([second.status, second.headers.range]).toEqual([201, `0-${bytes.byteLength - 1}`]);
    const done = await v2(t.url, `${path}?digest=${sha256(bytes)}`, { method: "PUT" });
    expect([done.status, done.headers.location, done.headers["docker-content-digest"]]).toEqual([201, `${t.url}/v2/app/blobs/${sha256(bytes)}`, sha256(bytes)]);
    expect((await v2(t.url, path)).errors?.[0].code).toBe("BLOB_UPLOAD_UNKNOWN");

    const head = await v2(t.url, `/v2/app/blobs/${sha256(bytes)}`, { method: "HEAD" });
    expect([head.status, head.headers["content-length"], head.headers["docker-content-digest"]]).toEqual([200, String(bytes.byteLength), sha256(bytes)]);
    const get = await v2(t.url, `/v2/app/blobs/${sha256(bytes)}`);
    expect(get.status).toBe(307);
    const download = await fetch(get.headers.location);
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
    const ranged = await fetch(get.headers.location, { headers: { range: "bytes=10-19" } });
    expect([ranged.status, Buffer.from(await ranged.arrayBuffer()).equals(bytes.subarray(10, 20))]).toEqual([206, true]);
  });

  test("an upload begun with InitiateLayerUpload and UploadLayerPart is finished through /v2", async () => {
    const bytes = randomBytes(5 * MiB + 2000);
    const { uploadId } = await t.client.send(new InitiateLayerUploadCommand({ repositoryName: "app" }));
    await t.client.send(new UploadLayerPartCommand({ repositoryName: "app", uploadId, partFirstByte: 0, partLastByte: 5 * MiB - 1, layerPartBlob: bytes.subarray(0, 5 * MiB) }));
    expect((await v2(t.url, `/v2/app/blobs/uploads/${uploadId}`)).headers.range).toBe(`0-${5 * MiB - 1}`);
    const done = await v2(t.url, `/v2/app/blobs/uploads/${uploadId}?digest=${sha256(bytes)}`, { method: "PUT", body: bytes.subarray(5 * MiB) });
    expect(done.status).toBe(201);
    const { layers } = await t.client.send(new BatchCheckLayerAvailabilityCommand({ repositoryName: "app", layerDigests: [sha256(bytes)] }));
    expect(layers![0].layerAvailability).toBe("AVAILABLE");
  });

  test.each([
    ["a chunk at the wrong offset", 416, "BLOB_UPLOAD_INVALID", "First byte of the layer part is 5 instead of 0"],
  ])("%s: %i %s", async (_, status, code, message) => {
    const start = await v2(t.url, "/v2/app/blobs/uploads/", { method: "POST" });
    const res = await v2(t.url, new URL(start.headers.location).pathname, { method: "PATCH", body: "abc", headers: { "content-range": "5-7" } });
    expect([res.status, res.errors, res.headers.range]).toEqual([status, [{ code, message }], "0-0"]);
  });

  test("a chunk under 5 MiB before another is refused at completion in ECR's words; a digest mismatch too", async () => {
    const start = await v2(t.url, "/v2/app/blobs/uploads/", { method: "POST" });
    const path = new URL(start.headers.location).pathname;
    const bytes = randomBytes(2000);
    await v2(t.url, path, { method: "PATCH", body: bytes.subarray(0, 1000) });
    await v2(t.url, path, { method: "PATCH", body: bytes.subarray(1000) });
    const small = await v2(t.url, `${path}?digest=${sha256(bytes)}`, { method: "PUT" });
    expect([small.status, small.errors]).toEqual([400, [{ code: "BLOB_UPLOAD_INVALID", message: "All layer parts except the last part should be at least 5MB" }]]);

    const other = await v2(t.url, "/v2/app/blobs/uploads/", { method: "POST" });
    const mismatch = await v2(t.url, `${new URL(other.headers.location).pathname}?digest=${sha256("something else")}`, { method: "PUT", body: bytes });
    expect([mismatch.status, mismatch.errors]).toEqual([400, [{ code: "BLOB_UPLOAD_INVALID", message: "None of the provided layer digests match the calculated layer digest" }]]);
    const monolithic = await pushBlobV2(t.url, "app", bytes, sha256("not these bytes"));
    expect([monolithic.status, monolithic.errors?.[0].code]).toEqual([400, "BLOB_UPLOAD_INVALID"]);
  });

  test("DELETE cancels an upload; an unknown upload, repository, digest or blob DELETE each has its code", async () => {
    const start = await v2(t.url, "/v2/app/blobs/uploads/", { method: "POST" });
    const path = new URL(start.headers.location).pathname;
    expect((await v2(t.url, path, { method: "DELETE" })).status).toBe(204);
    const gone = await v2(t.url, path, { method: "PATCH", body: "abc" });
    expect([gone.status, gone.errors?.[0].code]).toEqual([404, "BLOB_UPLOAD_UNKNOWN"]);
    const noRepo = await v2(t.url, "/v2/nope/blobs/uploads/", { method: "POST" });
    expect([noRepo.status, noRepo.errors]).toEqual([404, [{ code: "NAME_UNKNOWN", message: `The repository with name 'nope' does not exist in the registry with id '${REGISTRY}'` }]]);
    const unknownBlob = await v2(t.url, `/v2/app/blobs/${sha256("never pushed")}`);
    expect([unknownBlob.status, unknownBlob.errors?.[0].code]).toEqual([404, "BLOB_UNKNOWN"]);
    const badDigest = await v2(t.url, "/v2/app/blobs/sha256:abc");
    expect([badDigest.status, badDigest.errors?.[0].code]).toEqual([400, "DIGEST_INVALID"]);
    const del = await v2(t.url, `/v2/app/blobs/${sha256("x")}`, { method: "DELETE" });
    expect([del.status, del.errors?.[0].code]).toEqual([405, "UNSUPPORTED"]);
  });
});

describe("manifests are the API's images", () => {
  test("PUT by tag: 201 with Location and digest; DescribeImages shows it with its push time; GET returns the bytes", async () => {
    const { manifest } = await blobsV2("app", [300, 4000]);
    const put = await putManifest("app", "v2-put", manifest);
    expect([put.status, put.headers.location, put.headers["docker-content-digest"]]).toEqual([201, `${t.url}/v2/app/manifests/${sha256(manifest)}`, sha256(manifest)]);
    const { imageDetails } = await t.client.send(new DescribeImagesCommand({ repositoryName: "app", imageIds: [{ imageTag: "v2-put" }] }));
    expect(imageDetails!.map((d) => [d.imageDigest, d.imageTags, d.imagePushedAt, d.imageSizeInBytes, d.imageManifestMediaType])).toEqual([
      // Its layers' bytes, as ECR counts them (the config is not a layer).
      [sha256(manifest), ["v2-put"], new Date(clock), 4000, OCI_MANIFEST],
    ]);
    for (const reference of ["v2-put", sha256(manifest)]) {
      const got = await v2(t.url, `/v2/app/manifests/${reference}`, { headers: { accept: `${OCI_MANIFEST}, ${DOCKER_MANIFEST}` } });
      expect([got.status, got.text, got.headers["content-type"], got.headers["docker-content-digest"]]).toEqual([200, manifest, OCI_MANIFEST, sha256(manifest)]);
    }
  });

  test("HEAD is no pull; GET records lastRecordedPullTime", async () => {
    const { manifest } = await blobsV2("app", [100, 200]);
    await putManifest("app", "pulled", manifest);
    const describe = async () => (await t.client.send(new DescribeImagesCommand({ repositoryName: "app", imageIds: [{ imageTag: "pulled" }] }))).imageDetails![0].lastRecordedPullTime;
    const head = await v2(t.url, "/v2/app/manifests/pulled", { method: "HEAD" });
    expect([head.status, head.text, head.headers["content-length"]]).toEqual([200, "", String(manifest.length)]);
    expect(await describe()).toBeUndefined();
    await v2(t.url, "/v2/app/manifests/pulled");
    expect(await describe()).toEqual(new Date(clock));
  });

  test("an image put with PutImage pulls through /v2, converted to Docker v2 by tag when Accept asks for it", async () => {
    const config = randomBytes(50);
    const layer = randomBytes(60);
    for (const b of [config, layer]) await pushBlobInOnePart(b);
    const manifest = ociManifest(config, [layer], 1500);
    await putImage(t.client, manifest, "from-api");
    const got = await v2(t.url, "/v2/app/manifests/from-api", { headers: { accept: DOCKER_MANIFEST } });
    expect([got.status, got.headers["content-type"], JSON.parse(got.text).mediaType]).toEqual([200, DOCKER_MANIFEST, DOCKER_MANIFEST]);
    expect(got.headers["docker-content-digest"]).toBe(sha256(got.text));
    const byDigest = await v2(t.url, `/v2/app/manifests/${sha256(manifest)}`, { headers: { accept: DOCKER_MANIFEST } });
    expect([byDigest.status, byDigest.errors?.[0].code]).toEqual([404, "MANIFEST_UNKNOWN"]);
  });

  test("refusals: layers missing, bad JSON, an unknown tag or repository, each in ECR's code and words", async () => {
    const missing = randomBytes(10);
    const config = randomBytes(10);
    await pushBlobV2(t.url, "app", config, sha256(config));
    const manifest = ociManifest(config, [missing]);
    const res = await putManifest("app", "broken", manifest);
    expect([res.status, res.errors]).toEqual([
      400,
      [
        {
          code: "BLOB_UPLOAD_UNKNOWN",
          message: `Layers with digests '[${sha256(missing)}]' required for pushing image into repository with name 'app' in the registry with id '${REGISTRY}' do not exist`,
          detail: { digests: [sha256(missing)] },
        },
      ],
    ]);
    const bad = await putManifest("app", "bad", "{not json");
    expect([bad.status, bad.errors]).toEqual([400, [{ code: "UNSUPPORTED", message: "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'" }]]);
    const unknown = await v2(t.url, "/v2/app/manifests/never");
    expect([unknown.status, unknown.errors]).toEqual([404, [{ code: "MANIFEST_UNKNOWN", message: "Requested image not found" }]]);
    const noRepo = await v2(t.url, "/v2/nope/manifests/latest");
    expect([noRepo.status, noRepo.errors?.[0].code]).toEqual([404, "NAME_UNKNOWN"]);
    const { imageDetails } = await t.client.send(new DescribeImagesCommand({ repositoryName: "app" }));
    expect(imageDetails!.some((d) => d.imageTags?.includes("broken") || d.imageTags?.includes("bad"))).toBe(false);
  });

  test("a re-push of the same image is accepted; onto an immutable tag, or another image there, it is TAG_INVALID", async () => {
    await t.client.send(new CreateRepositoryCommand({ repositoryName: "immutable", imageTagMutability: "IMMUTABLE" }));
    const { manifest } = await blobsV2("app", [10, 20]);
    expect((await putManifest("app", "again", manifest)).status).toBe(201);
    expect((await putManifest("app", "again", manifest)).status).toBe(201);

    const one = await blobsV2("immutable", [10, 20]);
    const two = await blobsV2("immutable", [30, 40]);
    expect((await putManifest("immutable", "v1", one.manifest)).status).toBe(201);
    const message = "The image tag 'v1' already exists in the 'immutable' repository and cannot be overwritten because the tag is immutable";
    for (const m of [one.manifest, two.manifest]) {
      const res = await putManifest("immutable", "v1", m);
      expect([res.status, res.errors]).toEqual([400, [{ code: "TAG_INVALID", message }]]);
    }
  });

  test("DELETE by tag removes the tag, by digest the image; BatchDeleteImage through the API is seen by tags/list", async () => {
    const { manifest } = await blobsV2("app", [11, 22]);
    await putManifest("app", "del-a", manifest);
    await putManifest("app", "del-b", manifest);
    expect((await v2(t.url, "/v2/app/manifests/del-a", { method: "DELETE" })).status).toBe(202);
    expect((await v2(t.url, "/v2/app/manifests/del-b")).status).toBe(200);
    await t.client.send(new BatchDeleteImageCommand({ repositoryName: "app", imageIds: [{ imageTag: "del-b" }] }));
    const tags = JSON.parse((await v2(t.url, "/v2/app/tags/list?n=1000")).text).tags as string[];
    expect(tags.filter((x) => x.startsWith("del-"))).toEqual([]);

    const { manifest: other } = await blobsV2("app", [33, 44]);
    await putManifest("app", "del-c", other);
    expect((await v2(t.url, `/v2/app/manifests/${sha256(other)}`, { method: "DELETE" })).status).toBe(202);
    const err = await failure(t.client.send(new BatchGetImageCommand({ repositoryName: "app", imageIds: [{ imageTag: "del-c" }] })).then((r) => {
      if (r.failures?.length) throw new Error(r.failures[0].failureCode);
    }));
    expect(err.message).toBe("ImageNotFound");
    const again = await v2(t.url, `/v2/app/manifests/${sha256(other)}`, { method: "DELETE" });
    expect([again.status, again.errors?.[0].code]).toEqual([404, "MANIFEST_UNKNOWN"]);
  });
});

describe("listings", () => {
  test("tags/list pages with n and last, a Link to the next page; n out of ECR's range is refused in its words", async () => {
    await t.client.send(new CreateRepositoryCommand({ repositoryName: "tagged" }));
    const { manifest } = await blobsV2("tagged", [5, 6]);
    for (const tag of ["e", "a", "d", "b", "c"]) await putManifest("tagged", tag, manifest);
    const first = await v2(t.url, "/v2/tagged/tags/list?n=2");
    expect([first.status, JSON.parse(first.text), first.headers.link]).toEqual([200, { name: "tagged", tags: ["a", "b"] }, `<${t.url}/v2/tagged/tags/list?n=2&last=b>; rel="next"`]);
    const second = await v2(t.url, new URL(first.headers.link.slice(1, first.headers.link.indexOf(">"))).pathname + "?n=2&last=b");
    expect(JSON.parse(second.text).tags).toEqual(["c", "d"]);
    const last = await v2(t.url, "/v2/tagged/tags/list?n=2&last=d");
    expect([JSON.parse(last.text).tags, last.headers.link]).toEqual([["e"], undefined]);
    const all = await v2(t.url, "/v2/tagged/tags/list");
    expect(JSON.parse(all.text).tags).toEqual(["a", "b", "c", "d", "e"]);
    for (const [n, why] of [["0", "greater than or equal to 1"], ["1001", "less than or equal to 1000"]]) {
      const res = await v2(t.url, `/v2/tagged/tags/list?n=${n}`);
      expect([res.status, res.errors]).toEqual([400, [{ code: "UNSUPPORTED", message: `Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value ${why}'` }]]);
    }
  });

  test("_catalog lists the registry's repositories a page at a time", async () => {
    const first = await v2(t.url, "/v2/_catalog?n=2");
    expect([JSON.parse(first.text), first.headers.link]).toEqual([{ repositories: ["app", "base/os"] }, `<${t.url}/v2/_catalog?n=2&last=base%2Fos>; rel="next"`]);
    const rest = await v2(t.url, "/v2/_catalog?n=2&last=base%2Fos");
    expect(JSON.parse(rest.text).repositories[0]).toBe("fixed");
  });

  test("referrers: an OCI index of the manifests whose subject is the image, filtered by artifactType; PUT answers OCI-Subject", async () => {
    const { manifest } = await blobsV2("app", [70, 80]);
    await putManifest("app", "signed", manifest);
    const empty = Buffer.from("{}");
    await pushBlobV2(t.url, "app", empty, sha256(empty));
    const referrer = (artifactType: string) =>
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType,
        config: { mediaType: "application/vnd.oci.empty.v1+json", size: 2, digest: sha256(empty) },
        layers: [],
        subject: { mediaType: OCI_MANIFEST, size: manifest.length, digest: sha256(manifest) },
        annotations: { kind: artifactType },
      });
    const sig = referrer("application/vnd.example.signature");
    const sbom = referrer("application/vnd.example.sbom");
    for (const r of [sig, sbom]) {
      const put = await putManifest("app", sha256(r), r);
      expect([put.status, put.headers["oci-subject"]]).toEqual([201, sha256(manifest)]);
    }
    const all = await v2(t.url, `/v2/app/referrers/${sha256(manifest)}`);
    expect([all.status, all.headers["content-type"], all.headers["oci-filters-applied"]]).toEqual([200, OCI_INDEX, undefined]);
    const entry = (r: string, artifactType: string) => ({ mediaType: OCI_MANIFEST, digest: sha256(r), size: r.length, artifactType, annotations: { kind: artifactType } });
    const want = [entry(sig, "application/vnd.example.signature"), entry(sbom, "application/vnd.example.sbom")].sort((a, b) => a.digest.localeCompare(b.digest));
    expect(JSON.parse(all.text)).toEqual({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: want });
    const filtered = await v2(t.url, `/v2/app/referrers/${sha256(manifest)}?artifactType=application/vnd.example.sbom`);
    expect([JSON.parse(filtered.text).manifests, filtered.headers["oci-filters-applied"]]).toEqual([[entry(sbom, "application/vnd.example.sbom")], "artifactType"]);
  });

  test("a referrers page ends past 4 MiB of annotations, with a Link to the rest", async () => {
    const { manifest } = await blobsV2("app", [90, 91]);
    await putManifest("app", "annotated", manifest);
    const empty = Buffer.from("{}");
    await pushBlobV2(t.url, "app", empty, sha256(empty));
    const big = (n: number) =>
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: "application/vnd.example.big",
        config: { mediaType: "application/vnd.oci.empty.v1+json", size: 2, digest: sha256(empty) },
        layers: [],
        subject: { mediaType: OCI_MANIFEST, size: manifest.length, digest: sha256(manifest) },
        annotations: { n: String(n), filler: "x".repeat(3 * MiB) },
      });
    const referrers = [big(1), big(2)].sort((a, b) => sha256(a).localeCompare(sha256(b)));
    for (const r of referrers) expect((await putManifest("app", sha256(r), r)).status).toBe(201);
    const first = await v2(t.url, `/v2/app/referrers/${sha256(manifest)}`);
    expect(JSON.parse(first.text).manifests.map((m: { digest: string }) => m.digest)).toEqual([sha256(referrers[0])]);
    expect(first.headers.link).toBe(`<${t.url}/v2/app/referrers/${sha256(manifest)}?last=${sha256(referrers[0]).replace(":", "%3A")}>; rel="next"`);
    const rest = await v2(t.url, `/v2/app/referrers/${sha256(manifest)}?last=${sha256(referrers[0])}`);
    expect([JSON.parse(rest.text).manifests.map((m: { digest: string }) => m.digest), rest.headers.link]).toEqual([[sha256(referrers[1])], undefined]);
  });
});

describe("blob mounting", () => {
  test("off (AWS's default): a mount request starts an upload (202); BLOB_MOUNTING ENABLED: a referenced layer is mounted (201)", async () => {
    const { manifest, blobs } = await blobsV2("base/os", [10, 500]);
    await putManifest("base/os", "v1", manifest);
    const layer = sha256(blobs[1]);
    const off = await v2(t.url, `/v2/app/blobs/uploads/?mount=${layer}&from=base/os`, { method: "POST" });
    expect(off.status).toBe(202);
    await v2(t.url, new URL(off.headers.location).pathname, { method: "DELETE" });

    const blobMounting = (value: string) => t.client.send(new PutAccountSettingCommand({ name: "BLOB_MOUNTING", value }));
    expect(await blobMounting("ENABLED")).toEqual(expect.objectContaining({ name: "BLOB_MOUNTING", value: "ENABLED" }));
    try {
      const on = await v2(t.url, `/v2/fixed/blobs/uploads/?mount=${layer}&from=base/os`, { method: "POST" });
      expect([on.status, on.headers.location, on.headers["docker-content-digest"]]).toEqual([201, `${t.url}/v2/fixed/blobs/${layer}`, layer]);
      const { layers } = await t.client.send(new BatchCheckLayerAvailabilityCommand({ repositoryName: "fixed", layerDigests: [layer] }));
      expect([layers![0].layerAvailability, layers![0].layerSize]).toEqual(["AVAILABLE", 500]);
      // A blob no image of the source references is uploaded instead, as ECR does.
      const loose = randomBytes(30);
      await pushBlobV2(t.url, "base/os", loose, sha256(loose));
      expect((await v2(t.url, `/v2/fixed/blobs/uploads/?mount=${sha256(loose)}&from=base/os`, { method: "POST" })).status).toBe(202);
      // Only between repositories encrypted alike.
      await t.client.send(new CreateRepositoryCommand({ repositoryName: "sealed", encryptionConfiguration: { encryptionType: "KMS" } }));
      const sealed = await v2(t.url, `/v2/sealed/blobs/uploads/?mount=${layer}&from=base/os`, { method: "POST" });
      expect(sealed.status).toBe(202);
      await v2(t.url, new URL(sealed.headers.location).pathname, { method: "DELETE" });
      await blobMounting("DISABLED");
      const again = await v2(t.url, `/v2/app/blobs/uploads/?mount=${layer}&from=base/os`, { method: "POST" });
      expect(again.status).toBe(202);
      await v2(t.url, new URL(again.headers.location).pathname, { method: "DELETE" });
    } finally {
      await blobMounting("DISABLED");
    }
  });
});
