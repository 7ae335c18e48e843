// Image manifests PutImage accepts: Docker v2 schema 2 manifests and manifest lists, OCI image manifests and indexes.
import { InvalidParameterException } from "../../generated/errors";

export const MediaTypes = {
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
} as const;

const IMAGE_TYPES = new Set<string>([MediaTypes.dockerManifest, MediaTypes.ociManifest]);
const INDEX_TYPES = new Set<string>([MediaTypes.dockerList, MediaTypes.ociIndex]);
export const DIGEST = /^sha256:[0-9a-f]{64}$/;

export interface Descriptor {
  mediaType?: string;
  digest: string;
  size: number;
}

export interface ParsedManifest {
  mediaType: string;
  /** An image manifest names blobs (config and layers); a list or index names other manifests. */
  kind: "image" | "index";
  blobs: Descriptor[];
  manifests: Descriptor[];
}

const invalid = (why: string) => new InvalidParameterException({ message: `Invalid parameter at 'imageManifest' failed to satisfy constraint: '${why}'` });

/** Parses and checks a manifest; the media type comes from the request or, failing that, the manifest itself. */
export function parseManifest(text: string, requestMediaType: string | undefined): ParsedManifest {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text);
  } catch {
    throw invalid("Invalid JSON syntax");
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw invalid("The manifest must be a JSON object");
  const own = typeof doc.mediaType === "string" ? doc.mediaType : undefined;
  const mediaType = requestMediaType ?? own;
  if (!mediaType) throw invalid("The manifest media type is not given, neither by imageManifestMediaType nor by the manifest's mediaType");
  if (own && requestMediaType && own !== requestMediaType) {
    throw invalid(`imageManifestMediaType ${requestMediaType} differs from the manifest's mediaType ${own}`);
  }
  if (!IMAGE_TYPES.has(mediaType) && !INDEX_TYPES.has(mediaType)) {
    throw invalid(`Unsupported manifest media type ${mediaType}; expected one of ${Object.values(MediaTypes).join(", ")}`);
  }
  if (doc.schemaVersion !== 2) throw invalid("schemaVersion must be 2");
  if (IMAGE_TYPES.has(mediaType)) {
    if (!Array.isArray(doc.layers)) throw invalid("An image manifest must have a layers array");
    const config = descriptor(doc.config, "config");
    const layers = doc.layers.map((d, i) => descriptor(d, `layers[${i}]`));
    return { mediaType, kind: "image", blobs: [config, ...layers], manifests: [] };
  }
  if (!Array.isArray(doc.manifests)) throw invalid("A manifest list or index must have a manifests array");
  return { mediaType, kind: "index", blobs: [], manifests: doc.manifests.map((d, i) => descriptor(d, `manifests[${i}]`)) };
}

function descriptor(value: unknown, where: string): Descriptor {
  const d = value as Record<string, unknown> | null;
  if (typeof d !== "object" || d === null || Array.isArray(d)) throw invalid(`${where} must be a descriptor object`);
  if (typeof d.digest !== "string" || !DIGEST.test(d.digest)) throw invalid(`${where}.digest must be a sha256 digest`);
  if (typeof d.size !== "number" || !Number.isSafeInteger(d.size) || d.size < 0) throw invalid(`${where}.size must be a non-negative integer`);
  if (d.mediaType !== undefined && typeof d.mediaType !== "string") throw invalid(`${where}.mediaType must be a string`);
  return { digest: d.digest, size: d.size, ...(typeof d.mediaType === "string" ? { mediaType: d.mediaType } : {}) };
}
