// BatchCheckLayerAvailability: which of up to 100 digests the repository holds.
import type { BatchCheckLayerAvailabilityRequest, BatchCheckLayerAvailabilityResponse, Layer, LayerFailure } from "../../../generated/types";
import { registryOf, requireRepository } from "../repositories";
import { SHA256_DIGEST } from "../uploads";
import type { Context } from "./context";

export async function BatchCheckLayerAvailability(
  input: BatchCheckLayerAvailabilityRequest,
  context: Context,
): Promise<BatchCheckLayerAvailabilityResponse> {
  const registryId = registryOf(input, context);
  await requireRepository(context, registryId, input.repositoryName);
  const layers: Layer[] = [];
  const failures: LayerFailure[] = [];
  for (const layerDigest of input.layerDigests) {
    if (layerDigest === "") {
      failures.push({ layerDigest, failureCode: "MissingLayerDigest", failureReason: "The layer digest is empty" });
    } else if (!SHA256_DIGEST.test(layerDigest)) {
      failures.push({ layerDigest, failureCode: "InvalidLayerDigest", failureReason: `'${layerDigest}' is not a sha256 digest (sha256: and 64 hex digits)` });
    } else {
      const layer = await context.store.getLayer(registryId, input.repositoryName, layerDigest.toLowerCase());
      layers.push(
        layer
          ? { layerDigest, layerAvailability: "AVAILABLE", layerSize: layer.size, mediaType: layer.mediaType ?? context.settings.defaultLayerMediaType }
          : { layerDigest, layerAvailability: "UNAVAILABLE" },
      );
    }
  }
  return { layers, failures };
}
