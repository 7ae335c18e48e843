// Image scanning with the real SDK and a real scanner process (test/fixtures/scanner.mjs, through the --scanner command
// interface): without a scanner scans fail saying so; with one, StartImageScan and scan on push run it on the image
// (written out as an OCI layout) and its findings are paged, summarised, limited to a scan a day, and resumed after a
// restart.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import {
  BatchGetRepositoryScanningConfigurationCommand,
  CreateRepositoryCommand,
  DescribeImageScanFindingsCommand,
  DescribeImagesCommand,
  GetRegistryScanningConfigurationCommand,
  PutRegistryScanningConfigurationCommand,
  StartImageScanCommand,
  UpdateImageStorageClassCommand,
  waitUntilImageScanComplete,
  type ImageScanFinding,
  type RegistryScanningRule,
} from "@aws-sdk/client-ecr";
import { commandScanner } from "../../src/ecr/scanning/scanner";
import { sha256 } from "../helpers/digests";
import { failure, REGISTRY, startEcr, tempDataDir, type TestEcr } from "../helpers/ecr-server";
import { ociManifest, pushBlob, putImage } from "../helpers/push";

const SCANNER = join(__dirname, "..", "fixtures", "scanner.mjs");
const scanner = (mode = "report") => commandScanner([process.execPath, SCANNER, mode]);
const SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNDEFINED"];
const DAY = 24 * 60 * 60 * 1000;

let clock = Date.UTC(2026, 0, 1);
const servers: TestEcr[] = [];
async function server(options: { mode?: string; none?: boolean; dataDir?: string; timeoutMs?: number } = {}): Promise<TestEcr> {
  const t = await startEcr({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    repositories: ["app"],
    now: () => clock,
    settings: { minPartSize: 1, ...(options.timeoutMs ? { scanTimeoutMs: options.timeoutMs } : {}) },
    ...(options.none ? {} : { scanner: scanner(options.mode) }),
  });
  servers.push(t);
  return t;
}
afterAll(async () => {
  for (const t of servers) await t.close().catch(() => undefined);
});

/** Pushes an image whose config asks the test scanner for `findings` findings; its digest and manifest. */
async function image(t: TestEcr, findings: number, tag?: string, repositoryName = "app"): Promise<{ digest: string; layer: string }> {
  const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", config: { Labels: { "test.findings": String(findings) } }, rootfs: { type: "layers", diff_ids: [] }, nonce: randomBytes(8).toString("hex") }));
  const layer = randomBytes(300);
  await pushBlob(t.client, config, repositoryName);
  const layerDigest = await pushBlob(t.client, layer, repositoryName);
  return { digest: await putImage(t.client, ociManifest(config, [layer]), tag, repositoryName), layer: layerDigest };
}

const start = (t: TestEcr, imageDigest: string, repositoryName = "app") => t.client.send(new StartImageScanCommand({ repositoryName, imageId: { imageDigest } }));
const findings = (t: TestEcr, imageDigest: string, more: { maxResults?: number; nextToken?: string } = {}, repositoryName = "app") =>
  t.client.send(new DescribeImageScanFindingsCommand({ repositoryName, imageId: { imageDigest }, ...more }));

function expected(n: number, repository: string, digest: string, layer: string): ImageScanFinding[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `CVE-2026-${String(i).padStart(4, "0")}`,
    severity: SEVERITIES[i % 6] as ImageScanFinding["severity"],
    description: `finding ${i} of ${repository}@${digest}`,
    uri: `https://example.com/CVE-2026-${i}`,
    attributes: [{ key: "package_name", value: `pkg${i}` }, { key: "layer", value: layer }],
  }));
}

test("without a scanner a scan fails at once, saying so, with no findings; a failed scan does not count against the day", async () => {
  const t = await server({ none: true });
  const { digest } = await image(t, 3, "none");
  const NO_SCANNER = { status: "FAILED", description: "No scanner is configured on this server (start it with --scanner), so images cannot be scanned" };
  const started = await start(t, digest);
  expect([started.registryId, started.repositoryName, started.imageId, started.imageScanStatus]).toEqual([REGISTRY, "app", { imageDigest: digest }, NO_SCANNER]);
  const described = await findings(t, digest);
  expect([described.imageScanStatus, described.imageScanFindings]).toEqual([NO_SCANNER, undefined]);
  expect((await start(t, digest)).imageScanStatus).toEqual(NO_SCANNER);
  const detail = (await t.client.send(new DescribeImagesCommand({ repositoryName: "app", imageIds: [{ imageDigest: digest }] }))).imageDetails![0];
  expect([detail.imageScanStatus, detail.imageScanFindingsSummary]).toEqual([NO_SCANNER, undefined]);
});

test("StartImageScan runs the scanner on the image; findings are paged, counted and summarised; one scan a day", async () => {
  const t = await server();
  const { digest, layer } = await image(t, 250, "v1");
  expect((await t.client.send(new StartImageScanCommand({ repositoryName: "app", imageId: { imageTag: "v1" } }))).imageScanStatus).toEqual({ status: "IN_PROGRESS" });
  expect((await findings(t, digest)).imageScanStatus).toEqual({ status: "IN_PROGRESS" });
  await t.ecr.scansIdle();
  // The SDK's own waiter sees it complete.
  const waited = await waitUntilImageScanComplete({ client: t.client, maxWaitTime: 30 }, { repositoryName: "app", imageId: { imageDigest: digest } });
  expect(waited.state).toBe("SUCCESS");

  const pages: ImageScanFinding[][] = [];
  let token: string | undefined;
  do {
    const page = await findings(t, digest, { maxResults: 100, ...(token ? { nextToken: token } : {}) });
    expect(page.imageScanStatus).toEqual({ status: "COMPLETE", description: "The scan was completed successfully." });
    expect(page.imageScanFindings).toEqual(
      expect.objectContaining({
        imageScanCompletedAt: new Date(clock),
        vulnerabilitySourceUpdatedAt: new Date("2026-01-02T03:04:05Z"),
        findingSeverityCounts: { CRITICAL: 42, HIGH: 42, MEDIUM: 42, LOW: 42, INFORMATIONAL: 41, UNDEFINED: 41 },
      }),
    );
    pages.push(page.imageScanFindings!.findings!);
    token = page.nextToken;
  } while (token);
  expect(pages.map((p) => p.length)).toEqual([100, 100, 50]);
  const firstPage = await findings(t, digest, { maxResults: 100 });
  expect(pages.flat()).toEqual(expected(250, "app", digest, layer));
  expect((await findings(t, digest)).imageScanFindings!.findings!.length).toBe(100);

  const detail = (await t.client.send(new DescribeImagesCommand({ repositoryName: "app", imageIds: [{ imageTag: "v1" }] }))).imageDetails![0];
  expect(detail.imageScanStatus).toEqual({ status: "COMPLETE", description: "The scan was completed successfully." });
  expect(detail.imageScanFindingsSummary!.findingSeverityCounts).toEqual({ CRITICAL: 42, HIGH: 42, MEDIUM: 42, LOW: 42, INFORMATIONAL: 41, UNDEFINED: 41 });

  const again = await failure(start(t, digest));
  expect([again.name, again.message]).toEqual(["LimitExceededException", "The scan quota per image has been exceeded. Wait and try again."]);
  clock += DAY;
  expect((await start(t, digest)).imageScanStatus).toEqual({ status: "IN_PROGRESS" });
  await t.ecr.scansIdle();
  expect((await findings(t, digest)).imageScanFindings!.imageScanCompletedAt).toEqual(new Date(clock));
  // A page token belongs to its scan: after a rescan it is refused, not spliced into the new findings.
  const stale = await failure(findings(t, digest, { nextToken: firstPage.nextToken! }));
  expect([stale.name, stale.message]).toEqual([
    "InvalidParameterException",
    "Invalid parameter at 'nextToken': the token is for another scan (the image was scanned again, or it names another image)",
  ]);
});

test("a scanner that fails, answers garbage, cannot scan the image, or hangs: the scan's status says which", async () => {
  for (const [mode, status, description] of [
    ["fail", "FAILED", "The scanner exited with status 2: vulnerability database unavailable"],
    ["garbage", "FAILED", "The scanner's report is not JSON"],
    ["unsupported", "UNSUPPORTED_IMAGE", "The operating system of the image is not supported"],
    ["hang", "FAILED", "The scanner did not finish within 1 seconds"],
  ]) {
    const t = await server({ mode, timeoutMs: 1000 });
    const { digest } = await image(t, 1);
    await start(t, digest);
    await t.ecr.scansIdle();
    const described = await findings(t, digest);
    expect([mode, described.imageScanStatus, described.imageScanFindings]).toEqual([mode, { status, description }, undefined]);
    await t.close();
  }
});

test("the registry's rules decide scan on push (continuous before on-push); before any, a repository's own flag does", async () => {
  const t = await server();
  for (const name of ["prod-api", "dev-api", "flagged"]) {
    await t.client.send(new CreateRepositoryCommand({ repositoryName: name, ...(name === "flagged" ? { imageScanningConfiguration: { scanOnPush: true } } : {}) }));
  }
  expect((await t.client.send(new GetRegistryScanningConfigurationCommand({})))).toEqual(expect.objectContaining({ registryId: REGISTRY, scanningConfiguration: { scanType: "BASIC", rules: [] } }));
  const flagged = await image(t, 2, undefined, "flagged");
  await t.ecr.scansIdle();
  expect((await findings(t, flagged.digest, {}, "flagged")).imageScanStatus!.status).toBe("COMPLETE");

  const rules: RegistryScanningRule[] = [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [{ filter: "prod-*", filterType: "WILDCARD" }] }];
  const put = await t.client.send(new PutRegistryScanningConfigurationCommand({ scanType: "BASIC", rules }));
  expect(put.registryScanningConfiguration).toEqual({ scanType: "BASIC", rules });
  expect((await t.client.send(new GetRegistryScanningConfigurationCommand({}))).scanningConfiguration).toEqual({ scanType: "BASIC", rules });

  const batch = await t.client.send(new BatchGetRepositoryScanningConfigurationCommand({ repositoryNames: ["prod-api", "dev-api", "flagged", "missing"] }));
  const arn = (name: string) => `arn:aws:ecr:us-east-1:${REGISTRY}:repository/${name}`;
  expect(batch.scanningConfigurations).toEqual([
    { repositoryArn: arn("prod-api"), repositoryName: "prod-api", scanOnPush: true, scanFrequency: "SCAN_ON_PUSH", appliedScanFilters: [{ filter: "prod-*", filterType: "WILDCARD" }] },
    { repositoryArn: arn("dev-api"), repositoryName: "dev-api", scanOnPush: false, scanFrequency: "MANUAL", appliedScanFilters: [] },
    // The registry's rules now decide, over the repository's own flag.
    { repositoryArn: arn("flagged"), repositoryName: "flagged", scanOnPush: false, scanFrequency: "MANUAL", appliedScanFilters: [] },
  ]);
  expect(batch.failures).toEqual([{ repositoryName: "missing", failureCode: "REPOSITORY_NOT_FOUND", failureReason: `The repository with name 'missing' does not exist in the registry with id '${REGISTRY}'` }]);

  const prod = await image(t, 4, "v1", "prod-api");
  const dev = await image(t, 4, "v1", "dev-api");
  await t.ecr.scansIdle();
  expect((await findings(t, prod.digest, {}, "prod-api")).imageScanFindings!.findings).toEqual(expected(4, "prod-api", prod.digest, prod.layer));
  const none = await failure(findings(t, dev.digest, {}, "dev-api"));
  expect([none.name, none.message]).toEqual([
    "ScanNotFoundException",
    `Image scan does not exist for the image with '{imageDigest:'${dev.digest}', imageTag:'null'}' in the repository with name 'dev-api' in the registry with id '${REGISTRY}'`,
  ]);

  // Continuous scanning is ENHANCED's: its findings come in the enhanced shape.
  await t.client.send(new PutRegistryScanningConfigurationCommand({ scanType: "ENHANCED", rules: [{ scanFrequency: "CONTINUOUS_SCAN", repositoryFilters: [{ filter: "dev-*", filterType: "WILDCARD" }] }, ...rules] }));
  const enhanced = await image(t, 1, "v2", "dev-api");
  await t.ecr.scansIdle();
  const scanned = await findings(t, enhanced.digest, {}, "dev-api");
  expect(scanned.imageScanFindings!.findings).toBeUndefined();
  const [finding] = scanned.imageScanFindings!.enhancedFindings!;
  expect(finding).toEqual(
    expect.objectContaining({
      awsAccountId: REGISTRY,
      title: "CVE-2026-0000",
      severity: "CRITICAL",
      status: "ACTIVE",
      type: "PACKAGE_VULNERABILITY",
      packageVulnerabilityDetails: {
        vulnerabilityId: "CVE-2026-0000",
        sourceUrl: "https://example.com/CVE-2026-0",
        referenceUrls: ["https://example.com/CVE-2026-0"],
        vulnerablePackages: [{ name: "pkg0" }],
      },
    }),
  );
  expect(finding.findingArn).toMatch(new RegExp(`^arn:aws:inspector2:us-east-1:${REGISTRY}:finding/[0-9a-f]{32}$`));
  expect(finding.resources![0].details!.awsEcrContainerImage).toEqual(expect.objectContaining({ repositoryName: "dev-api", imageHash: enhanced.digest, imageTags: ["v2"] }));
});

test("configuration errors: a frequency the scan type does not run, a frequency given twice, a bad filter", async () => {
  const t = await server();
  const put = (scanType: "BASIC" | "ENHANCED", rules: RegistryScanningRule[]) => failure(t.client.send(new PutRegistryScanningConfigurationCommand({ scanType, rules })));
  const all = [{ filter: "*", filterType: "WILDCARD" as const }];
  for (const [err, message] of [
    [await put("BASIC", [{ scanFrequency: "CONTINUOUS_SCAN", repositoryFilters: all }]), "Invalid parameter at 'rules.1.member.scanFrequency' failed to satisfy constraint: 'scan frequency CONTINUOUS_SCAN is not supported for scan type BASIC; supported: [SCAN_ON_PUSH, MANUAL]'"],
    [await put("ENHANCED", [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: all }, { scanFrequency: "SCAN_ON_PUSH", repositoryFilters: all }]), "Invalid parameter at 'rules' failed to satisfy constraint: 'at most one rule per scan frequency; SCAN_ON_PUSH is given twice'"],
    [await put("BASIC", [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [{ filter: "Bad Filter", filterType: "WILDCARD" }] }]), "Invalid parameter at 'rules.1.member.repositoryFilters.1.member.filter' failed to satisfy constraint: 'must satisfy regular expression '^[a-z0-9*](?:[._\\-/a-z0-9*]?[a-z0-9*]+)*$''"],
  ] as const) {
    expect([err.name, err.message]).toEqual(["InvalidParameterException", message]);
  }
  expect((await t.client.send(new GetRegistryScanningConfigurationCommand({}))).scanningConfiguration).toEqual({ scanType: "BASIC", rules: [] });
});

test("what cannot be scanned: an index, an artifact, an archived image, an unknown one", async () => {
  const t = await server();
  const child = await image(t, 0);
  const index = JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", size: 1, digest: child.digest }] });
  const indexDigest = await putImage(t.client, index, "multi");
  const unsupported = await failure(start(t, indexDigest));
  expect([unsupported.name, unsupported.message]).toEqual(["UnsupportedImageTypeException", `The image with digest '${indexDigest}' is not a container image (a manifest list or an artifact) and cannot be scanned`]);
  const config = Buffer.from("{}");
  await pushBlob(t.client, config);
  const artifact = JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", artifactType: "application/example", config: { mediaType: "application/vnd.oci.empty.v1+json", size: 2, digest: sha256(config) }, layers: [] });
  const artifactDigest = await putImage(t.client, artifact);
  expect((await failure(start(t, artifactDigest))).name).toBe("UnsupportedImageTypeException");

  const old = await image(t, 1);
  await start(t, old.digest);
  await t.ecr.scansIdle();
  await t.client.send(new UpdateImageStorageClassCommand({ repositoryName: "app", imageId: { imageDigest: old.digest }, targetStorageClass: "ARCHIVE" }));
  const archived = await failure(start(t, old.digest));
  expect([archived.name, archived.message]).toEqual(["ImageArchivedException", `The image with digest '${old.digest}' is archived and cannot be scanned until it is restored`]);
  const shown = await findings(t, old.digest);
  expect([shown.imageScanStatus, shown.imageScanFindings]).toEqual([{ status: "IMAGE_ARCHIVED", description: "The image is archived; its findings were dropped when it was archived" }, undefined]);

  const missing = sha256("missing");
  for (const call of [start(t, missing), findings(t, missing)]) expect((await failure(call)).name).toBe("ImageNotFoundException");
  const noRepo = await failure(t.client.send(new StartImageScanCommand({ repositoryName: "gone", imageId: { imageTag: "x" } })));
  expect(noRepo.name).toBe("RepositoryNotFoundException");
});

test("a scan under way when the server stops is resumed when it starts again", async () => {
  const dataDir = tempDataDir();
  const slow = await server({ mode: "slow", dataDir });
  const { digest, layer } = await image(slow, 3);
  expect((await start(slow, digest)).imageScanStatus).toEqual({ status: "IN_PROGRESS" });
  await slow.stop();
  const t = await server({ dataDir });
  await t.ecr.scansIdle();
  const resumed = await findings(t, digest);
  expect([resumed.imageScanStatus!.status, resumed.imageScanFindings!.findings]).toEqual(["COMPLETE", expected(3, "app", digest, layer)]);

  // Left under way and restarted without a scanner, a scan fails saying so (it would otherwise never end).
  clock += DAY;
  await t.stop();
  const slowAgain = await server({ mode: "slow", dataDir });
  expect((await start(slowAgain, digest)).imageScanStatus).toEqual({ status: "IN_PROGRESS" });
  await slowAgain.stop();
  const none = await server({ dataDir, none: true });
  expect((await findings(none, digest)).imageScanStatus).toEqual({
    status: "FAILED",
    description: "No scanner is configured on this server (start it with --scanner), so images cannot be scanned",
  });
});

describe("scanners that misbehave are stopped, with all they started", () => {
  const pidFile = join(tempDataDir(), "pids");
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const pids = () => require("node:fs").readFileSync(pidFile, "utf8").trim().split("\n").map(Number) as number[];
  beforeEach(() => {
    require("node:fs").writeFileSync(pidFile, "");
    process.env.SCANNER_PID_FILE = pidFile;
  });
  afterAll(() => delete process.env.SCANNER_PID_FILE);
  const gone = async (list: number[]) => {
    for (let i = 0; i < 50 && list.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
    return list.filter(alive);
  };

  test("one that ignores SIGTERM and never ends: FAILED at the timeout, then killed", async () => {
    const t = await server({ mode: "stubborn", timeoutMs: 500 });
    const { digest } = await image(t, 1);
    await start(t, digest);
    await t.ecr.scansIdle();
    expect((await findings(t, digest)).imageScanStatus).toEqual({ status: "FAILED", description: "The scanner did not finish within 1 seconds" });
    await t.close();
    expect(await gone(pids())).toEqual([]);
  });

  test("one that reports but leaves a child holding its output: the scan completes, the child is killed", async () => {
    const t = await server({ mode: "daemon" });
    const { digest } = await image(t, 2);
    await start(t, digest);
    await t.ecr.scansIdle();
    expect((await findings(t, digest)).imageScanStatus!.status).toBe("COMPLETE");
    expect(pids().length).toBe(2);
    expect(await gone(pids())).toEqual([]);
    await t.close();
  });
});
