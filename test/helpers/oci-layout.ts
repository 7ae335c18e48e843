// A small random image written as an OCI image layout, for skopeo to push (`oci:<path>:<tag>`).
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { sha256 } from "./digests";

export interface WrittenImage {
  path: string;
  /** The manifest's digest and text. */
  digest: string;
  manifest: string;
  layer: Buffer;
}

export function writeOciLayout(path: string, tag: string): WrittenImage {
  mkdirSync(join(path, "blobs", "sha256"), { recursive: true });
  const blob = (bytes: Buffer) => {
    writeFileSync(join(path, "blobs", "sha256", sha256(bytes).slice(7)), bytes);
    return { digest: sha256(bytes), size: bytes.byteLength };
  };
  const layer = gzipSync(randomBytes(200_000));
  const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [sha256(randomBytes(1))] } }));
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", ...blob(config) },
    layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", ...blob(layer) }],
  });
  const m = blob(Buffer.from(manifest));
  writeFileSync(join(path, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  writeFileSync(join(path, "index.json"), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", ...m, annotations: { "org.opencontainers.image.ref.name": tag } }] }));
  return { path, digest: m.digest, manifest, layer };
}
