// Image scans: started by StartImageScan or by a push the scanning configuration covers, run one at a time by the
// configured scanner in the background, and recorded with their findings. A scan is IN_PROGRESS until it ends
// COMPLETE, FAILED (with the reason) or UNSUPPORTED_IMAGE; scans a stopped server left under way resume when it
// starts again. Without a scanner, a scan fails at once saying so: no finding is ever invented.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import type { ImageScanStatus } from "../../../generated/types";
import type { ImageRecord, RegistryStore, RepositoryRecord, ScanKey } from "../../storage/types";
import type { Context } from "../handlers/context";
import { parseManifest } from "../manifests";
import { getRegistryScanning, repositoryScanning } from "./configuration";
import { writeOciLayout } from "./oci-layout";
import { checkReport, ScanFailure, type Scanner } from "./scanner";
import { BackgroundQueue } from "../background-queue";

export const NO_SCANNER = "No scanner is configured on this server (start it with --scanner), so images cannot be scanned";

/** The config media types of container images; anything else (artifacts, lists) is not scanned. */
const IMAGE_CONFIGS = new Set(["application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json"]);

/** Whether the image is a container image, which a scanner can read. */
export function scannable(image: ImageRecord): boolean {
  const parsed = parseManifest(image.manifest, image.mediaType);
  return parsed.kind === "image" && IMAGE_CONFIGS.has(parsed.artifactMediaType ?? "");
}

/**
 * Starts a scan of the image: "too-soon" when a scan that did not fail started within the scan interval (asked for
 * by hand; a push always scans its new image). The status the scan starts in otherwise.
 */
export async function startScan(ctx: Context, registryId: string, repository: string, image: ImageRecord, manual: boolean): Promise<ImageScanStatus | "too-soon" | "no-image" | "archived"> {
  const now = ctx.now();
  const { scanType } = await getRegistryScanning(ctx, registryId);
  const scan: ImageScanStatus & { status: string } = ctx.scans.available ? { status: "IN_PROGRESS" } : { status: "FAILED", description: NO_SCANNER };
  const notBefore = manual ? now - ctx.settings.imageScanIntervalMs : Number.MAX_SAFE_INTEGER;
  const started = await ctx.store.startImageScan(registryId, repository, image.digest, { scanType, ...scan, startedAt: now }, notBefore);
  if (started !== "started") return started;
  if (ctx.scans.available) ctx.scans.kick();
  return scan;
}

/** Scans a new (or restored) image when the scanning configuration says its repository's images are scanned on push. */
export async function scanOnPush(ctx: Context, registryId: string, repo: RepositoryRecord, image: ImageRecord): Promise<void> {
  if (!(await repositoryScanning(ctx, registryId, repo)).scanOnPush || !scannable(image)) return;
  await startScan(ctx, registryId, repo.name, image, false);
}

type QueuedScan = ScanKey & { startedAt: number };

/** The background scanning: the queue is the store's scans in progress. */
export class ImageScans {
  private readonly queue: BackgroundQueue<QueuedScan>;
  private readonly timeoutMs: number;

  constructor(
    private readonly store: RegistryStore,
    private readonly scanner: Scanner | undefined,
    /** Where image layouts are written for the scanner; emptied at start-up (a crash may have left some). */
    private readonly workDir: string,
    timeoutMs: number,
    private readonly now: () => number,
    private readonly log?: (fields: object, msg: string) => void,
  ) {
    // Node's timers hold at most 2^31-1 ms; a longer timeout would fire at once.
    this.timeoutMs = Math.min(timeoutMs, 2 ** 31 - 1);
    this.queue = new BackgroundQueue(
      (after, limit) => store.listScansInProgress({ after, limit }),
      (scan) => this.runRecorded(scan),
      (e) => this.log?.({ err: e }, "the scan queue could not be read"),
    );
  }

  /** Whether scans can run at all. */
  get available(): boolean {
    return this.scanner !== undefined;
  }

  /** Runs the scans in progress. */
  kick(): void {
    this.queue.kick();
  }

  /** Runs the scans a stopped server left under way; without a scanner now, they fail saying so. */
  async resume(): Promise<void> {
    await rm(this.workDir, { recursive: true, force: true });
    // Owner-only, as the rest of the data dir; only when something will scan.
    if (this.scanner) {
      await mkdir(this.workDir, { recursive: true, mode: 0o700 });
      return this.kick();
    }
    for (let page = await this.inProgress(); page.length; page = await this.inProgress(page[page.length - 1])) {
      for (const scan of page) {
        await this.store.finishImageScan(scan.registryId, scan.repository, scan.digest, scan.startedAt, { status: "FAILED", description: NO_SCANNER, completedAt: this.now(), findings: [] });
      }
    }
  }

  private inProgress(after?: ScanKey): Promise<QueuedScan[]> {
    return this.store.listScansInProgress({ after, limit: 50 });
  }

  /** Resolves once the queue is empty. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Stops the scan under way (it stays IN_PROGRESS, to resume at the next start) and runs no more. */
  stop(): Promise<void> {
    return this.queue.stop();
  }

  /** Runs a scan; a failure the scan itself did not record is recorded FAILED when the store allows. */
  private async runRecorded(scan: QueuedScan): Promise<void> {
    try {
      await this.run(scan);
    } catch (e) {
      this.log?.({ ...scan, err: e }, "an image scan failed");
      // Said so, if the store lets us; otherwise the scan stays IN_PROGRESS and is resumed at the next start.
      const outcome = { status: "FAILED", description: `The scan could not be completed: ${(e as Error).message}`, completedAt: this.now(), findings: [] };
      await this.store.finishImageScan(scan.registryId, scan.repository, scan.digest, scan.startedAt, outcome).catch(() => undefined);
    }
  }

  private async run(scan: QueuedScan): Promise<void> {
    const { registryId, repository, digest, startedAt } = scan;
    const image = await this.store.getImage(registryId, repository, digest);
    if (!image) return; // Deleted: its scan went with it.
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = AbortSignal.any([this.queue.signal, timeout]);
    const dir = await mkdtemp(join(this.workDir, "layout-"));
    let outcome;
    try {
      try {
        await writeOciLayout(this.store, registryId, image, dir, signal);
      } catch (e) {
        if (signal.aborted) throw e;
        throw new ScanFailure(`The image could not be prepared for scanning: ${(e as Error).message}`);
      }
      let answer;
      try {
        answer = await this.scanner!({ registryId, repositoryName: repository, imageDigest: digest, layoutDir: dir }, signal);
      } catch (e) {
        if (signal.aborted || e instanceof ScanFailure) throw e;
        throw new ScanFailure(`The scanner failed: ${(e as Error).message}`);
      }
      const report = checkReport(answer);
      if ("unsupported" in report) outcome = { status: "UNSUPPORTED_IMAGE", description: report.unsupported, findings: [] };
      else {
        const severityCounts: Record<string, number> = {};
        for (const f of report.findings) severityCounts[f.severity] = (severityCounts[f.severity] ?? 0) + 1;
        outcome = {
          status: "COMPLETE",
          description: "The scan was completed successfully.",
          severityCounts,
          ...(report.vulnerabilitySourceUpdatedAt ? { vulnerabilitySourceUpdatedAt: Date.parse(report.vulnerabilitySourceUpdatedAt) } : {}),
          findings: report.findings.map((f) => JSON.stringify(f)),
        };
      }
    } catch (e) {
      if (this.queue.signal.aborted) return;
      if (!(e instanceof ScanFailure) && !timeout.aborted) throw e;
      const reason = e instanceof ScanFailure ? e.message : `The scanner did not finish within ${Math.round(this.timeoutMs / 1000)} seconds`;
      outcome = { status: "FAILED", description: reason, findings: [] };
    } finally {
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
    await this.store.finishImageScan(registryId, repository, digest, startedAt, { ...outcome, completedAt: this.now() });
    this.log?.({ registryId, repository, digest, status: outcome.status }, "image scan ended");
  }
}
