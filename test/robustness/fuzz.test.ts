// Hostile input: thousands of mutated requests at a live server while real pushes run beside it. The server stays up,
// every answer is a success or a 4xx error the operation declares (or one of AWS's common errors), never a 5xx, and what
// was committed before (a layer, an image, an upload's parts) does not change. A second test proves the judge by
// injecting faults into the store.
import { randomBytes } from "node:crypto";
import { request } from "node:http";
import {
  BatchCheckLayerAvailabilityCommand,
  BatchGetImageCommand,
  CompleteLayerUploadCommand,
  CreateRepositoryCommand,
  InitiateLayerUploadCommand,
  PutImageCommand,
  UploadLayerPartCommand,
  type ECRClient,
} from "@aws-sdk/client-ecr";
import fc from "fast-check";
import { LayersNotFoundException } from "../../generated/errors";
import { operations } from "../../generated/operations";
import { EmbeddedStore } from "../../src/storage/embedded/store";
import type { RegistryStore } from "../../src/storage/types";
import { sha256 } from "../helpers/digests";
import { failure, startEcr, tempDataDir, type TestEcr } from "../helpers/ecr-server";

const TARGET = "AmazonEC2ContainerRegistry_V20150921.";
// Every served operation, each from a valid template below (the first test checks none is missing).
const OPS = Object.keys(operations);
const LIMIT = 256 * 1024;
const ARN = "arn:aws:ecr:us-east-1:123456789012:repository/fuzz";
const SEED = 20261124;

let t: TestEcr;
afterEach(() => t?.close());

interface Sent {
  headers: Record<string, string>;
  body: Buffer;
  /** Send only this much, then drop the connection. */
  cutAt?: number;
  /** Pause between pieces of the body. */
  slowMs?: number;
}

/** Sends one raw request; resolves with the answer, or with "dropped" when the client itself dropped it. */
function send(s: Sent): Promise<Answer | "dropped"> {
  return new Promise((resolve) => {
    const req = request(`${t.url}/`, { method: "POST", headers: { ...s.headers, "content-length": s.body.byteLength } }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
      res.on("error", () => resolve("dropped"));
    });
    req.on("error", () => resolve("dropped"));
    if (s.cutAt !== undefined) {
      req.write(s.body.subarray(0, s.cutAt), () => setTimeout(() => req.destroy(), 5));
    } else if (s.slowMs) {
      const pieces = [0, 1, 2, 3].map((i) => s.body.subarray((i * s.body.byteLength) >> 2, ((i + 1) * s.body.byteLength) >> 2));
      const next = (i: number) => (i === pieces.length ? req.end() : req.write(pieces[i], () => setTimeout(() => next(i + 1), s.slowMs)));
      next(0);
    } else req.end(s.body);
  });
}

/** AWS's errors common to every operation of an awsJson service, which no operation declares. */
const COMMON_ERRORS = new Set([
  "SerializationException", "UnknownOperationException", "ThrottlingException", "RequestEntityTooLargeException",
  "RequestTimeoutException", "RequestAbortedException", "UnsupportedMediaTypeException",
]);

type Answer = { status: number; headers: Record<string, unknown>; body: string };

/** Why an answer is wrong for the request it answers, or undefined when it is right. */
function judge(sent: Sent, res: Answer): string | undefined {
  let body: { __type?: unknown; message?: unknown } | undefined;
  try {
    body = JSON.parse(res.body);
  } catch {
    return "the body is not JSON";
  }
  if (typeof res.headers["x-amzn-requestid"] !== "string") return "no request id";
  if (res.status === 200) return undefined;
  if (res.status < 400 || res.status >= 500) return `status ${res.status}`;
  if (typeof body?.__type !== "string" || typeof body.message !== "string") return "no __type and message";
  const target = sent.headers["x-amz-target"] ?? "";
  const op = Object.values(operations).find((o) => o.target === target);
  const declared = op ? op.errors.filter((e) => e !== "ServerException") : [];
  if (!declared.includes(body.__type) && !COMMON_ERRORS.has(body.__type)) return `${body.__type} is not an error of ${op?.name ?? "an unknown operation"}`;
  return undefined;
}

/** Sends each case, 16 at a time; the problems found, each with its kind. */
async function judgeAll(cases: { kind: string; sent: Sent }[], counts = new Map<string, number>()): Promise<string[]> {
  const bad: string[] = [];
  for (let i = 0; i < cases.length; i += 16) {
    await Promise.all(
      cases.slice(i, i + 16).map(async ({ kind, sent }) => {
        counts.set(kind, (counts.get(kind) ?? 0) + 1);
        const res = await send(sent);
        const problem = res === "dropped" ? undefined : judge(sent, res);
        if (problem) bad.push(`${kind}: ${problem}: ${res !== "dropped" ? `${res.status} ${res.body.slice(0, 200)}` : ""}`);
      }),
    );
  }
  return bad;
}

const headersFor = (op: string) => ({ "content-type": "application/x-amz-json-1.1", "x-amz-target": TARGET + op });

const LIFECYCLE = JSON.stringify({
  rules: [{ rulePriority: 1, description: "untagged images go after a day", selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 1 }, action: { type: "expire" } }],
});

/** Valid request bodies for the "fuzz" repository, to mutate. */
function templates(uploadId: string): Record<string, object> {
  const digest = sha256("fuzz");
  return {
    InitiateLayerUpload: { repositoryName: "fuzz" },
    UploadLayerPart: { repositoryName: "fuzz", uploadId, partFirstByte: 0, partLastByte: 3, layerPartBlob: "QUJDRA==" },
    CompleteLayerUpload: { repositoryName: "fuzz", uploadId, layerDigests: [digest] },
    BatchCheckLayerAvailability: { repositoryName: "fuzz", layerDigests: [digest] },
    GetDownloadUrlForLayer: { repositoryName: "fuzz", layerDigest: digest },
    PutImage: { repositoryName: "fuzz", imageManifest: JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [] }), imageTag: "t" },
    BatchGetImage: { repositoryName: "fuzz", imageIds: [{ imageTag: "t" }] },
    CreateRepository: { repositoryName: "fuzz2" },
    DescribeRepositories: { repositoryNames: ["fuzz"] },
    DeleteRepository: { repositoryName: "fuzz2" },
    DescribeImages: { repositoryName: "fuzz", imageIds: [{ imageTag: "t" }], filter: { tagStatus: "TAGGED" } },
    ListImages: { repositoryName: "fuzz", maxResults: 2, nextToken: Buffer.from('{"after":["a","b"]}').toString("base64url") },
    BatchDeleteImage: { repositoryName: "fuzz", imageIds: [{ imageTag: "t" }, { imageDigest: digest }] },
    PutImageTagMutability: { repositoryName: "fuzz", imageTagMutability: "MUTABLE_WITH_EXCLUSION", imageTagMutabilityExclusionFilters: [{ filterType: "WILDCARD", filter: "v*" }] },
    TagResource: { resourceArn: ARN, tags: [{ Key: "k", Value: "v" }] },
    UntagResource: { resourceArn: ARN, tagKeys: ["k"] },
    ListTagsForResource: { resourceArn: ARN },
    PutImageScanningConfiguration: { repositoryName: "fuzz", imageScanningConfiguration: { scanOnPush: true } },
    DescribeRegistry: {},
    GetAuthorizationToken: { registryIds: ["123456789012"] },
    SetRepositoryPolicy: { repositoryName: "fuzz", policyText: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "ecr:BatchGetImage" }] }) },
    GetRepositoryPolicy: { repositoryName: "fuzz" },
    ListImageReferrers: { repositoryName: "fuzz", subjectId: { imageDigest: digest }, filter: { artifactTypes: ["application/x"] }, maxResults: 3 },
    DeleteRepositoryPolicy: { repositoryName: "fuzz" },
    PutRegistryPolicy: { policyText: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { AWS: "222222222222" }, Action: "ecr:ReplicateImage" }] }) },
    GetRegistryPolicy: {},
    DeleteRegistryPolicy: {},
    PutLifecyclePolicy: { repositoryName: "fuzz", lifecyclePolicyText: LIFECYCLE },
    GetLifecyclePolicy: { repositoryName: "fuzz" },
    DeleteLifecyclePolicy: { repositoryName: "fuzz" },
    StartLifecyclePolicyPreview: { repositoryName: "fuzz", lifecyclePolicyText: LIFECYCLE },
    GetLifecyclePolicyPreview: { repositoryName: "fuzz", maxResults: 5, filter: { tagStatus: "UNTAGGED" } },
    GetAccountSetting: { name: "BLOB_MOUNTING" },
    PutAccountSetting: { name: "REGISTRY_POLICY_SCOPE", value: "V2" },
    RegisterPullTimeUpdateExclusion: { principalArn: "arn:aws:iam::123456789012:user/fuzz" },
    DeregisterPullTimeUpdateExclusion: { principalArn: "arn:aws:iam::123456789012:user/fuzz" },
    ListPullTimeUpdateExclusions: { maxResults: 2, nextToken: Buffer.from('{"after":"arn"}').toString("base64url") },
    PutSigningConfiguration: { signingConfiguration: { rules: [{ signingProfileArn: "arn:aws:signer:us-east-1:123456789012:/signing-profiles/fuzz_profile", repositoryFilters: [{ filter: "fuzz*", filterType: "WILDCARD_MATCH" }] }] } },
    GetSigningConfiguration: {},
    DeleteSigningConfiguration: {},
    DescribeImageSigningStatus: { repositoryName: "fuzz", imageId: { imageTag: "t" } },
    UpdateImageStorageClass: { repositoryName: "fuzz", imageId: { imageTag: "t" }, targetStorageClass: "ARCHIVE" },
    GetRegistryScanningConfiguration: {},
    PutRegistryScanningConfiguration: { scanType: "BASIC", rules: [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [{ filter: "fuzz*", filterType: "WILDCARD" }] }] },
    BatchGetRepositoryScanningConfiguration: { repositoryNames: ["fuzz", "other"] },
    StartImageScan: { repositoryName: "fuzz", imageId: { imageTag: "t" } },
    DescribeImageScanFindings: { repositoryName: "fuzz", imageId: { imageTag: "t" }, maxResults: 10 },
    CreateRepositoryCreationTemplate: { prefix: "fuzz", appliedFor: ["CREATE_ON_PUSH"], imageTagMutability: "IMMUTABLE", resourceTags: [{ Key: "k", Value: "v" }] },
    DescribeRepositoryCreationTemplates: { prefixes: ["fuzz"], maxResults: 5 },
    UpdateRepositoryCreationTemplate: { prefix: "fuzz", description: "d", appliedFor: ["REPLICATION"] },
    DeleteRepositoryCreationTemplate: { prefix: "fuzz" },
    PutReplicationConfiguration: { replicationConfiguration: { rules: [{ destinations: [{ region: "eu-west-1", registryId: "123456789012" }], repositoryFilters: [{ filter: "fuzz", filterType: "PREFIX_MATCH" }] }] } },
    DescribeImageReplicationStatus: { repositoryName: "fuzz", imageId: { imageTag: "t" } },
    CreatePullThroughCacheRule: { ecrRepositoryPrefix: "fuzz-cache", upstreamRegistryUrl: "public.ecr.aws" },
    DescribePullThroughCacheRules: { ecrRepositoryPrefixes: ["fuzz-cache"], maxResults: 5 },
    UpdatePullThroughCacheRule: { ecrRepositoryPrefix: "fuzz-cache", customRoleArn: "arn:aws:iam::123456789012:role/fuzz" },
    DeletePullThroughCacheRule: { ecrRepositoryPrefix: "fuzz-cache" },
    ValidatePullThroughCacheRule: { ecrRepositoryPrefix: "fuzz-cache" },
  };
}

/** Every kind of hostile request, generated reproducibly from the seed. */
function hostile(uploadId: string): { kind: string; sent: Sent }[] {
  const tpl = templates(uploadId);
  const op = fc.constantFrom(...OPS);
  const json = (o: unknown) => Buffer.from(JSON.stringify(o));
  const sample = <T>(arb: fc.Arbitrary<T>, n: number, salt: number) => fc.sample(arb, { numRuns: n, seed: SEED + salt });
  const out: { kind: string; sent: Sent }[] = [];
  const add = (kind: string, sents: Sent[]) => out.push(...sents.map((sent) => ({ kind, sent })));

  add("random bytes", sample(fc.tuple(op, fc.uint8Array({ maxLength: 300 })), 300, 1).map(([o, b]) => ({ headers: headersFor(o), body: Buffer.from(b) })));
  add("truncated JSON", sample(fc.tuple(op, fc.nat()), 300, 2).map(([o, n]) => {
    const body = json(tpl[o]);
    return { headers: headersFor(o), body: body.subarray(0, n % body.byteLength) };
  }));
  add("wrong types", sample(fc.tuple(op, fc.nat(), fc.jsonValue()), 500, 3).map(([o, n, v]) => {
    const body = { ...tpl[o] } as Record<string, unknown>;
    const keys = Object.keys(body);
    body[keys[n % keys.length]] = v;
    return { headers: headersFor(o), body: json(body) };
  }));
  const numbers = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(-1, 2 ** 53, 2 ** 63, -(2 ** 63), 1e308, 0.5, -0));
  add("huge and negative numbers", sample(fc.tuple(numbers, numbers), 300, 4).map(([a, b]) => ({
    headers: headersFor("UploadLayerPart"),
    body: Buffer.from(JSON.stringify({ ...tpl.UploadLayerPart, partFirstByte: 0, partLastByte: 0 }).replace('"partFirstByte":0', `"partFirstByte":${a}`).replace('"partLastByte":0', `"partLastByte":${b}`)),
  })));
  add("invalid base64", sample(fc.string({ maxLength: 200 }), 300, 5).map((s) => ({
    headers: headersFor("UploadLayerPart"),
    body: json({ ...tpl.UploadLayerPart, partLastByte: 2, layerPartBlob: `QUJD${s}` }),
  })));
  add("wrong headers and targets", sample(fc.tuple(fc.string({ maxLength: 40 }), fc.string({ maxLength: 60 }), op), 300, 6).map(([ct, target, o]) => ({
    headers: { "content-type": ct.replace(/[^\x20-\x7e]/g, ""), "x-amz-target": target.replace(/[^\x20-\x7e]/g, "") || TARGET + o },
    body: json(tpl[o]),
  })));
  add("oversized bodies", Array.from({ length: 10 }, () => ({ headers: headersFor("BatchCheckLayerAvailability"), body: Buffer.alloc(LIMIT + 1000, 0x20) })));
  add("bodies cut off mid-way", sample(fc.tuple(op, fc.nat()), 100, 7).map(([o, n]) => {
    const body = json({ ...tpl[o], padding: "x".repeat(2000) });
    return { headers: headersFor(o), body, cutAt: n % body.byteLength };
  }));
  add("very slow bodies", Array.from({ length: 6 }, (_, i) => ({ headers: headersFor(OPS[i]), body: json(tpl[OPS[i]]), slowMs: 40 })));
  return out;
}

async function push(client: ECRClient, repositoryName: string, bytes: Buffer): Promise<string> {
  const { uploadId } = await client.send(new InitiateLayerUploadCommand({ repositoryName }));
  await client.send(new UploadLayerPartCommand({ repositoryName, uploadId, partFirstByte: 0, partLastByte: bytes.byteLength - 1, layerPartBlob: bytes }));
  return (await client.send(new CompleteLayerUploadCommand({ repositoryName, uploadId, layerDigests: [sha256(bytes)] }))).layerDigest!;
}

test("thousands of hostile requests beside real pushes change nothing committed and never take the server down", async () => {
  // The pull through cache upstream is a closed local port: nothing leaves the machine.
  t = await startEcr({ repositories: ["keep", "fuzz", "busy"], maxBodyBytes: LIMIT, settings: { minPartSize: 1, upstreams: { "public.ecr.aws": "http://127.0.0.1:9" } }, listen: { requestTimeoutMs: 5000 } });
  const client = t.client;
  expect(Object.keys(templates("u")).sort()).toEqual([...OPS].sort());

  // What is committed before: a layer and an image in "keep", and an upload with one part.
  const layer = randomBytes(5000);
  await push(client, "keep", layer);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", size: 5000, digest: sha256(layer) },
    layers: [],
  });
  await client.send(new PutImageCommand({ repositoryName: "keep", imageManifest: manifest, imageTag: "v1" }));
  const { uploadId: kept } = await client.send(new InitiateLayerUploadCommand({ repositoryName: "keep" }));
  await client.send(new UploadLayerPartCommand({ repositoryName: "keep", uploadId: kept, partFirstByte: 0, partLastByte: 999, layerPartBlob: layer.subarray(0, 1000) }));
  const { uploadId: fuzzUpload } = await client.send(new InitiateLayerUploadCommand({ repositoryName: "fuzz" }));

  // Real pushes run beside the fuzzing and must all succeed with the right digests.
  let pushes = 0;
  let fuzzing = true;
  const pusher = (async () => {
    while (fuzzing) {
      const bytes = randomBytes(50_000 + pushes);
      expect(await push(client, "busy", bytes)).toBe(sha256(bytes));
      pushes++;
    }
  })();

  const cases = hostile(fuzzUpload!);
  const counts = new Map<string, number>();
  const bad = await judgeAll(cases, counts);
  fuzzing = false;
  await pusher;

  console.log(
    `fuzzed ${cases.length} requests (${[...counts].map(([k, n]) => `${n} ${k}`).join(", ")}) beside ${pushes} real pushes`,
  );
  expect(bad).toEqual([]);
  expect(pushes).toBeGreaterThan(0);

  // Nothing committed changed.
  const check = await client.send(new BatchCheckLayerAvailabilityCommand({ repositoryName: "keep", layerDigests: [sha256(layer)] }));
  expect(check.layers![0]).toMatchObject({ layerAvailability: "AVAILABLE", layerSize: 5000 });
  const image = await client.send(new BatchGetImageCommand({ repositoryName: "keep", imageIds: [{ imageTag: "v1" }] }));
  expect(image.images![0].imageManifest).toBe(manifest);
  const probe = await failure(
    client.send(new UploadLayerPartCommand({ repositoryName: "keep", uploadId: kept, partFirstByte: 99_999, partLastByte: 99_999, layerPartBlob: new Uint8Array(1) })),
  );
  expect(probe.lastValidByteReceived).toBe(999);
  await client.send(new CreateRepositoryCommand({ repositoryName: "still-serving" }));
}, 180_000);

test("the judge flags what a broken server answers: a 5xx, and an error the operation does not declare", async () => {
  // A store that fails as a buggy handler would: a TypeError (answered 500 ServerException) and an undeclared error.
  const dataDir = tempDataDir();
  const real = await EmbeddedStore.open({ dataDir, fsync: false });
  const broken: RegistryStore = Object.create(real, {
    getLayer: { value: async () => { throw new LayersNotFoundException({ message: "injected" }); } },
    putImage: { value: async () => { throw new TypeError("injected"); } },
  });
  t = await startEcr({ repositories: ["fuzz"], store: broken, dataDir });
  const tpl = templates("none");
  const problems = await judgeAll([
    { kind: "check", sent: { headers: headersFor("BatchCheckLayerAvailability"), body: Buffer.from(JSON.stringify(tpl.BatchCheckLayerAvailability)) } },
    { kind: "put", sent: { headers: headersFor("PutImage"), body: Buffer.from(JSON.stringify(tpl.PutImage)) } },
    { kind: "describe", sent: { headers: headersFor("DescribeRepositories"), body: Buffer.from(JSON.stringify(tpl.DescribeRepositories)) } },
  ]);
  expect(problems.map((p) => p.split(": ").slice(0, 2).join(": ")).sort()).toEqual([
    "check: LayersNotFoundException is not an error of BatchCheckLayerAvailability",
    "put: status 500",
  ]);
});
