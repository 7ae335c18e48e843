// DescribeImageScanFindings: the image's latest scan, its status, and once complete its findings a page at a time.
import { InvalidParameterException, ScanNotFoundException } from "../../../generated/errors";
import type { DescribeImageScanFindingsRequest, DescribeImageScanFindingsResponse } from "../../../generated/types";
import { requireImage } from "../images";
import { DEFAULT_PAGE, decodeToken, encodeToken } from "../pagination";
import { registryOf, requireRepository } from "../repositories";
import { findingsPage, scanStatus, scanSummary } from "../scanning/findings";
import type { Context } from "./context";

/** A token names the scan (image and start) and the position of the last finding shown. */
type Position = [digest: string, startedAt: number, index: number];
const isPosition = (v: unknown): v is Position =>
  Array.isArray(v) && v.length === 3 && typeof v[0] === "string" && Number.isSafeInteger(v[1]) && Number.isSafeInteger(v[2]) && v[2] >= 0;

export async function DescribeImageScanFindings(input: DescribeImageScanFindingsRequest, context: Context): Promise<DescribeImageScanFindingsResponse> {
  const registryId = registryOf(input, context);
  const name = input.repositoryName;
  await requireRepository(context, registryId, name);
  const image = await requireImage(context, registryId, name, input.imageId);
  const imageId = { imageDigest: image.digest, ...(input.imageId.imageTag !== undefined ? { imageTag: input.imageId.imageTag } : {}) };
  const scan = await context.store.getImageScan(registryId, name, image.digest);
  const status = scanStatus(image, scan, context.now());
  if (!status) {
    throw new ScanNotFoundException({
      message: `Image scan does not exist for the image with '{imageDigest:'${image.digest}', imageTag:'${input.imageId.imageTag ?? "null"}'}' in the repository with name '${name}' in the registry with id '${registryId}'`,
    });
  }
  const base = { registryId, repositoryName: name, imageId, imageScanStatus: status };
  const summary = scan && status.status === "COMPLETE" ? scanSummary(scan) : undefined;
  if (!scan || !summary) return base;
  let after = -1;
  if (input.nextToken !== undefined) {
    const [digest, startedAt, index] = decodeToken(input.nextToken, isPosition);
    if (digest !== image.digest || startedAt !== scan.startedAt) {
      throw new InvalidParameterException({ message: "Invalid parameter at 'nextToken': the token is for another scan (the image was scanned again, or it names another image)" });
    }
    after = index;
  }
  const page = await findingsPage(context, registryId, name, image, scan, { after, limit: input.maxResults ?? DEFAULT_PAGE });
  return {
    ...base,
    imageScanFindings: { ...summary, ...(page.findings ? { findings: page.findings } : {}), ...(page.enhancedFindings ? { enhancedFindings: page.enhancedFindings } : {}) },
    ...(page.next !== undefined ? { nextToken: encodeToken([image.digest, scan.startedAt, page.next]) } : {}),
  };
}
