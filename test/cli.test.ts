// The command line: flags and environment, the printed URL, one structured log line per request, a clean stop.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import {
  CreatePullThroughCacheRuleCommand,
  CreateRepositoryCommand,
  DescribeImageScanFindingsCommand,
  DescribeRepositoriesCommand,
  InitiateLayerUploadCommand,
  StartImageScanCommand,
  ValidatePullThroughCacheRuleCommand,
} from "@aws-sdk/client-ecr";
import { ecrClient } from "./helpers/ecr-client";
import { sha256 } from "./helpers/digests";
import { ociManifest, putImage } from "./helpers/push";
import { pushBlobV2 } from "./helpers/registry";
import { startServerProcess, type ServerProcess } from "./helpers/server-process";

let proc: ServerProcess | undefined;
afterEach(async () => {
  await proc?.stop("SIGKILL");
  proc = undefined;
});

test("serves on an ephemeral port, logs each request as JSON, and stops cleanly on SIGTERM", async () => {
  proc = await startServerProcess(["--port", "0", "--registry-id", "123456789012"]);
  expect(proc.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const err = await ecrClient(proc.url).send(new CreateRepositoryCommand({ repositoryName: "A" })).catch((e) => e);
  expect(err.name).toBe("InvalidParameterException");

  expect(await proc.stop("SIGTERM")).toBe(0);
  const lines = proc.output().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
  const requests = lines.filter((l) => l.msg === "request");
  expect(requests).toHaveLength(1);
  expect(requests[0]).toMatchObject({ operation: "CreateRepository", status: 400, error: "InvalidParameterException", requestBytes: 22 });
  expect(typeof requests[0].durationMs).toBe("number");
  expect(requests[0].responseBytes).toBeGreaterThan(100);
  expect(lines.some((l) => l.msg === "stopping: finishing requests in flight" && l.signal === "SIGTERM")).toBe(true);
});

test("takes its settings from the environment", async () => {
  proc = await startServerProcess([], { ECR_PORT: "0", ECR_HOST: "127.0.0.1" });
  expect(proc.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
});

test("refuses a bad flag with a usage message", async () => {
  await expect(startServerProcess(["--port", "0", "--registry-id", "42"])).rejects.toThrow(/--registry-id must be 12 digits, not 42/);
});

test("--part-size, --repository and --registry-host reach the service", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "ecr-cli-"));
  try {
    proc = await startServerProcess(["--port", "0", "--data-dir", dataDir, "--repository", "app", "--part-size", "5242880", "--no-fsync", "--registry-host", "localhost:5000"]);
    const out = await ecrClient(proc.url).send(new InitiateLayerUploadCommand({ repositoryName: "app" }));
    expect(out.partSize).toBe(5242880);
    const [repo] = (await ecrClient(proc.url).send(new DescribeRepositoriesCommand({}))).repositories!;
    expect(repo.repositoryUri).toBe("localhost:5000/app");
  } finally {
    await proc?.stop("SIGKILL");
    proc = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("--replica-region, --upstream and --upstream-secrets: a second region's registry, and rules that reach a mapped upstream", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "ecr-cli-"));
  const secret = "arn:aws:secretsmanager:us-east-1:000000000000:secret:ecr-pullthroughcache/local-AbCdEf";
  const secrets = join(dataDir, "secrets.json");
  writeFileSync(secrets, JSON.stringify({ [secret]: { username: "u", accessToken: "p" } }));
  // A port nothing listens on, as an upstream that is down.
  const closed = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
  try {
    proc = await startServerProcess(["--port", "0", "--data-dir", join(dataDir, "data"), "--no-fsync", "--replica-region", "eu-west-1", "--upstream", `registry-1.docker.io=http://127.0.0.1:${closed}`, "--upstream-secrets", secrets]);
    const west = ecrClient(proc.url, { region: "eu-west-1" });
    await west.send(new CreateRepositoryCommand({ repositoryName: "only-west" }));
    const names = async (client: typeof west) => (await client.send(new DescribeRepositoriesCommand({}))).repositories!.map((r) => r.repositoryArn);
    expect(await names(west)).toEqual(["arn:aws:ecr:eu-west-1:000000000000:repository/only-west"]);
    expect(await names(ecrClient(proc.url))).toEqual([]);
    const client = ecrClient(proc.url);
    await client.send(new CreatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: "hub", upstreamRegistryUrl: "registry-1.docker.io", credentialArn: secret }));
    const checked = await client.send(new ValidatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: "hub" }));
    expect([checked.isValid, checked.failure]).toEqual([false, `The upstream registry could not be reached at http://127.0.0.1:${closed}: ECONNREFUSED`]);
  } finally {
    await proc?.stop("SIGKILL");
    proc = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("--scanner runs the command on each scanned image", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "ecr-cli-"));
  try {
    const scanner = `${process.execPath} ${join(__dirname, "fixtures", "scanner.mjs")} report`;
    proc = await startServerProcess(["--port", "0", "--data-dir", dataDir, "--repository", "app", "--no-fsync", "--scanner", scanner, "--scan-timeout", "30"]);
    const client = ecrClient(proc.url);
    const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", config: { Labels: { "test.findings": "2" } }, rootfs: { type: "layers", diff_ids: [] } }));
    const layer = randomBytes(1024);
    // In one request each, through the registry protocol: the API's parts must be 5 MiB here.
    for (const blob of [config, layer]) expect((await pushBlobV2(proc.url, "app", blob, sha256(blob))).status).toBe(201);
    const imageDigest = await putImage(client, ociManifest(config, [layer]), "v1");
    await client.send(new StartImageScanCommand({ repositoryName: "app", imageId: { imageDigest } }));
    let status: string | undefined;
    for (let i = 0; i < 100 && status !== "COMPLETE"; i++) {
      if (i) await new Promise((r) => setTimeout(r, 100));
      const found = await client.send(new DescribeImageScanFindingsCommand({ repositoryName: "app", imageId: { imageDigest } }));
      status = found.imageScanStatus?.status;
      if (status === "COMPLETE") expect(found.imageScanFindings!.findings!.map((f) => [f.name, f.severity])).toEqual([["CVE-2026-0000", "CRITICAL"], ["CVE-2026-0001", "HIGH"]]);
    }
    expect(status).toBe("COMPLETE");
  } finally {
    await proc?.stop("SIGKILL");
    proc = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  }
});
