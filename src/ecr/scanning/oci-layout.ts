// One image written out as an OCI image layout (oci-layout, index.json, blobs/sha256/...), the form scanners read
// (trivy --input, grype oci-dir:, umoci). Blobs are copied, never linked: a scanner cannot touch the stored bytes.
import { mkdir, writeFile } from "node:fs/promises";
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import type { ImageRecord, RegistryStore } from "../../storage/types";
import { parseManifest } from "../manifests";

/** Writes the image (an image manifest, not a list) into `dir`, an empty directory; the tag names its digest. */
export async function writeOciLayout(store: RegistryStore, registryId: string, image: ImageRecord, dir: string, signal: AbortSignal): Promise<void> {
  const blobs = join(dir, "blobs", "sha256");
  await mkdir(blobs, { recursive: true });
  const parsed = parseManifest(image.manifest, image.mediaType);
  for (const digest of new Set(parsed.blobs.map((d) => d.digest))) {
    signal.throwIfAborted();
    const reader = await store.openBlob(registryId, digest);
    if (!reader) throw new Error(`blob ${digest} of the image is missing`);
    const file = join(blobs, hex(digest));
    if (reader.size === 0) await writeFile(file, "");
    else await pipeline(reader.stream(0, reader.size - 1), createWriteStream(file), { signal });
  }
  await writeFile(join(blobs, hex(image.digest)), image.manifest);
  await writeFile(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  const descriptor = {
    mediaType: image.mediaType,
    digest: image.digest,
    size: Buffer.byteLength(image.manifest),
    annotations: { "org.opencontainers.image.ref.name": image.digest.replace(":", "-") },
  };
  await writeFile(join(dir, "index.json"), JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [descriptor] }));
}

const hex = (digest: string) => digest.slice("sha256:".length);
