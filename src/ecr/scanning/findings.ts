// How a scan is shown: its status (an archived image's is IMAGE_ARCHIVED: its findings went with the archiving), the
// summary DescribeImages gives, and its findings a page at a time: as basic findings, or for a scan made under
// ENHANCED scanning in the enhanced shape Inspector's findings have, built from the same scanner report.
import { createHash } from "node:crypto";
import type { EnhancedImageScanFinding, ImageScanFinding, ImageScanFindingsSummary, ImageScanStatus } from "../../../generated/types";
import type { ImageScanRecord, ImageSummary } from "../../storage/types";
import { repositoryArn } from "../arns";
import type { Context } from "../handlers/context";
import { imageStatus } from "../storage-classes";
import type { ScanFinding } from "./scanner";

/** The scan's status as the API shows it; undefined when the image has none. */
export function scanStatus(image: ImageSummary, scan: ImageScanRecord | undefined, now: number): ImageScanStatus | undefined {
  if (imageStatus(image, now) !== "ACTIVE") return { status: "IMAGE_ARCHIVED", description: "The image is archived; its findings were dropped when it was archived" };
  return scan && { status: scan.status as ImageScanStatus["status"], ...(scan.description ? { description: scan.description } : {}) };
}

/** What a completed scan found, in counts. */
export function scanSummary(scan: ImageScanRecord): ImageScanFindingsSummary | undefined {
  if (scan.status !== "COMPLETE") return undefined;
  return {
    ...(scan.completedAt !== undefined ? { imageScanCompletedAt: new Date(scan.completedAt) } : {}),
    ...(scan.vulnerabilitySourceUpdatedAt !== undefined ? { vulnerabilitySourceUpdatedAt: new Date(scan.vulnerabilitySourceUpdatedAt) } : {}),
    findingSeverityCounts: scan.severityCounts ?? {},
  };
}

/** A page of the scan's findings after position `after`, and the position to go on from when more follow. */
export async function findingsPage(
  ctx: Context,
  registryId: string,
  repository: string,
  image: ImageSummary,
  scan: ImageScanRecord,
  page: { after: number; limit: number },
): Promise<{ findings?: ImageScanFinding[]; enhancedFindings?: EnhancedImageScanFinding[]; next?: number }> {
  const rows = await ctx.store.listImageScanFindings(registryId, repository, image.digest, { after: page.after, limit: page.limit + 1 });
  const shown = rows.slice(0, page.limit);
  const next = rows.length > page.limit ? shown[shown.length - 1].index : undefined;
  const found = shown.map((r) => JSON.parse(r.finding) as ScanFinding);
  const more = next === undefined ? {} : { next };
  if (scan.scanType !== "ENHANCED") return { findings: found, ...more };
  const tags = await ctx.store.listImageTags(registryId, repository, image.digest);
  return { enhancedFindings: found.map((f, i) => enhanced(ctx, registryId, repository, image, tags, scan, f, shown[i].index)), ...more };
}

function enhanced(ctx: Context, registryId: string, repository: string, image: ImageSummary, tags: string[], scan: ImageScanRecord, f: ScanFinding, position: number): EnhancedImageScanFinding {
  const at = new Date(scan.completedAt ?? scan.startedAt);
  // Stable across pages and describes, and distinct for one vulnerability found in several packages.
  const id = createHash("sha256").update(`${registryId}/${repository}@${image.digest}#${scan.startedAt}#${position}`).digest("hex").slice(0, 32);
  const attribute = (key: string) => f.attributes?.find((a) => a.key === key)?.value;
  const pkg = attribute("package_name");
  const version = attribute("package_version");
  return {
    awsAccountId: registryId,
    ...(f.description ? { description: f.description } : {}),
    findingArn: `arn:aws:inspector2:${ctx.region}:${registryId}:finding/${id}`,
    firstObservedAt: at,
    lastObservedAt: at,
    updatedAt: at,
    packageVulnerabilityDetails: {
      vulnerabilityId: f.name,
      ...(f.uri ? { sourceUrl: f.uri, referenceUrls: [f.uri] } : {}),
      // Basic findings name the package in attributes (package_name, package_version), as ECR's do.
      ...(pkg ? { vulnerablePackages: [{ name: pkg, ...(version ? { version } : {}) }] } : {}),
    },
    resources: [
      {
        type: "AWS_ECR_CONTAINER_IMAGE",
        id: `${repositoryArn(ctx.region, registryId, repository)}/${image.digest}`,
        details: { awsEcrContainerImage: { registry: registryId, repositoryName: repository, imageHash: image.digest, imageTags: tags, pushedAt: new Date(image.pushedAt) } },
      },
    ],
    // Inspector's word for a severity not yet known.
    severity: f.severity === "UNDEFINED" ? "UNTRIAGED" : f.severity,
    status: "ACTIVE",
    title: f.name,
    type: "PACKAGE_VULNERABILITY",
  };
}
