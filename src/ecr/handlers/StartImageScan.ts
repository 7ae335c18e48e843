// StartImageScan: scans one container image, at most once per scan interval (a day) unless the last scan failed.
import { ImageArchivedException, LimitExceededException, UnsupportedImageTypeException } from "../../../generated/errors";
import type { StartImageScanRequest, StartImageScanResponse } from "../../../generated/types";
import { imageNotFound } from "../errors";
import { requireImage } from "../images";
import { registryOf, requireRepository } from "../repositories";
import { scannable, startScan } from "../scanning/scans";
import { imageStatus } from "../storage-classes";
import type { Context } from "./context";

export async function StartImageScan(input: StartImageScanRequest, context: Context): Promise<StartImageScanResponse> {
  const registryId = registryOf(input, context);
  const name = input.repositoryName;
  await requireRepository(context, registryId, name);
  const image = await requireImage(context, registryId, name, input.imageId);
  const archived = () => new ImageArchivedException({ message: `The image with digest '${image.digest}' is archived and cannot be scanned until it is restored` });
  if (imageStatus(image, context.now()) !== "ACTIVE") throw archived();
  if (!scannable(image)) {
    throw new UnsupportedImageTypeException({ message: `The image with digest '${image.digest}' is not a container image (a manifest list or an artifact) and cannot be scanned` });
  }
  const started = await startScan(context, registryId, name, image, true);
  if (started === "no-image") throw imageNotFound(registryId, name, input.imageId);
  // Archived since it was read: the check that counts is the one in the scan's transaction.
  if (started === "archived") throw archived();
  // AWS's words for its daily limit per image.
  if (started === "too-soon") throw new LimitExceededException({ message: "The scan quota per image has been exceeded. Wait and try again." });
  return {
    registryId,
    repositoryName: name,
    imageId: { imageDigest: image.digest, ...(input.imageId.imageTag !== undefined ? { imageTag: input.imageId.imageTag } : {}) },
    imageScanStatus: started,
  };
}
