// Blobs over the registry protocol: HEAD answers from the records; GET redirects (307) to a signed download URL, as
// ECR redirects to S3 (open-policy-agent/opa#6580); ECR deletes layers with the images that use them, never by blob.
import type { Route } from "./routes";
import { isDigest } from "./routes";
import { blobUnknown, digestInvalid, unsupported } from "./errors";
import { empty, type RegistryRequest, type RegistryResponse } from "./exchange";
import { requireRepository } from "../ecr/repositories";

type Blob = RegistryRequest<Extract<Route, { kind: "blob" }>>;

async function findLayer(req: Blob) {
  const { context: ctx, registryId } = req;
  const { name, digest } = req.route;
  if (!isDigest(digest)) throw digestInvalid(`'${digest}' is not a sha256 digest`);
  await requireRepository(ctx, registryId, name);
  const layer = await ctx.store.getLayer(registryId, name, digest);
  if (!layer) throw blobUnknown(digest);
  return layer;
}

export async function headBlob(req: Blob): Promise<RegistryResponse> {
  const layer = await findLayer(req);
  return empty(200, { "content-type": "application/octet-stream", "content-length": String(layer.size), "docker-content-digest": layer.digest });
}

export async function getBlob(req: Blob): Promise<RegistryResponse> {
  const layer = await findLayer(req);
  const location = req.context.downloads.sign(req.origin, req.registryId, req.route.name, layer.digest);
  return empty(307, { location, "docker-content-digest": layer.digest, "content-length": "0" });
}

export async function deleteBlob(): Promise<RegistryResponse> {
  throw unsupported("Layers cannot be deleted one by one: a layer goes when no image in the repository references it (BatchDeleteImage)");
}
