// Pushing through the real SDK, as the tests do it: a blob in two parts, an image of a config and layers.
import { CompleteLayerUploadCommand, InitiateLayerUploadCommand, PutImageCommand, UploadLayerPartCommand, type ECRClient } from "@aws-sdk/client-ecr";
import { sha256 } from "./digests";

/** Pushes `bytes` as a layer in two parts (the server must allow small parts) and returns its digest. */
export async function pushBlob(client: ECRClient, bytes: Buffer, repositoryName = "app"): Promise<string> {
  const { uploadId } = await client.send(new InitiateLayerUploadCommand({ repositoryName }));
  const half = Math.ceil(bytes.byteLength / 2);
  for (const [first, chunk] of [[0, bytes.subarray(0, half)], [half, bytes.subarray(half)]] as const) {
    if (chunk.byteLength) await client.send(new UploadLayerPartCommand({ repositoryName, uploadId, partFirstByte: first, partLastByte: first + chunk.byteLength - 1, layerPartBlob: chunk }));
  }
  return (await client.send(new CompleteLayerUploadCommand({ repositoryName, uploadId, layerDigests: [sha256(bytes)] }))).layerDigest!;
}

/** An OCI image manifest naming `config` and `layers` (already pushed), padded with an annotation to about `size` characters. */
export function ociManifest(config: Buffer, layers: Buffer[], size = 0): string {
  const doc = {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", size: config.byteLength, digest: sha256(config) },
    layers: layers.map((l) => ({ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", size: l.byteLength, digest: sha256(l) })),
    annotations: { padding: "" },
  };
  const base = JSON.stringify(doc).length;
  doc.annotations.padding = "x".repeat(Math.max(0, size - base));
  return JSON.stringify(doc);
}

/** Puts an image (manifest and optional tag) and returns its digest. */
export async function putImage(client: ECRClient, manifest: string, imageTag?: string, repositoryName = "app"): Promise<string> {
  const out = await client.send(new PutImageCommand({ repositoryName, imageManifest: manifest, ...(imageTag ? { imageTag } : {}) }));
  return out.image!.imageId!.imageDigest!;
}
