// GetDownloadUrlForLayer: a signed, expiring URL on this server from which a layer an image uses can be downloaded.
import { LayerInaccessibleException } from "../../../generated/errors";
import type { GetDownloadUrlForLayerRequest, GetDownloadUrlForLayerResponse } from "../../../generated/types";
import { layerNotFound } from "../errors";
import { registryOf, requireRepository } from "../repositories";
import type { Context } from "./context";

export async function GetDownloadUrlForLayer(input: GetDownloadUrlForLayerRequest, context: Context): Promise<GetDownloadUrlForLayerResponse> {
  const registryId = registryOf(input, context);
  const { repositoryName: name, layerDigest } = input;
  await requireRepository(context, registryId, name);
  const where = `the repository with name '${name}' in the registry with id '${registryId}'`;
  const digest = layerDigest.toLowerCase();
  if (!(await context.store.getLayer(registryId, name, digest))) {
    throw layerNotFound(registryId, name, layerDigest);
  }
  if (!(await context.store.isReferenced(registryId, name, digest))) {
    throw new LayerInaccessibleException({ message: `The layer with digest '${layerDigest}' is not referenced by any image in ${where}` });
  }
  const origin = `http://${context.headers.host ?? "localhost"}`;
  return { downloadUrl: context.downloads.sign(origin, registryId, name, digest), layerDigest };
}
