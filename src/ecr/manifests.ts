// Image manifests PutImage accepts: Docker v2 schema 2 manifests and manifest lists, OCI image manifests and indexes.
import { createHash } from "node:crypto";
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

/** A manifest's digest: over its bytes exactly as sent (UTF-8), never a re-serialization. */
export const manifestDigest = (text: string) => `sha256:${createHash("sha256").update(text, "utf8").digest("hex")}`;

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
  /** The manifest this one refers to (OCI 1.1 referrers). */
  subject?: Descriptor;
  /** What the image is, as DescribeImages' artifactMediaType says: the artifactType, else the config's media type. */
  artifactMediaType?: string;
}

// ECR names the member 'ImageManifest' here, capitalised, as quoted from real ECR in openai/tart#890 ("Invalid parameter
// at 'ImageManifest' failed to satisfy constraint: 'Limit on number of layers per image exceeded'") and moto #5753.
const invalid = (why: string) => new InvalidParameterException({ message: `Invalid parameter at 'ImageManifest' failed to satisfy constraint: '${why}'` });

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
  // ECR gives no reason of its own for a manifest whose kind it cannot tell or does not take: it answers 'Invalid JSON
  // syntax' (aws/aws-sdk#193, aws/aws-cli#8620, boto/boto3#3295).
  if (!mediaType) throw invalid("Invalid JSON syntax");
  if (own && requestMediaType && own !== requestMediaType) {
    throw invalid(`imageManifestMediaType ${requestMediaType} differs from the manifest's mediaType ${own}`);
  }
  if (!IMAGE_TYPES.has(mediaType) && !INDEX_TYPES.has(mediaType)) {
    throw invalid("Invalid JSON syntax");
  }
  if (doc.schemaVersion !== 2) throw invalid("schemaVersion must be 2");
  if (doc.artifactType !== undefined && typeof doc.artifactType !== "string") throw invalid("artifactType must be a string");
  const artifactType = doc.artifactType as string | undefined;
  const subject = doc.subject === undefined ? {} : { subject: descriptor(doc.subject, "subject") };
  if (IMAGE_TYPES.has(mediaType)) {
    if (!Array.isArray(doc.layers)) throw invalid("An image manifest must have a layers array");
    const config = descriptor(doc.config, "config");
    const layers = doc.layers.map((d, i) => descriptor(d, `layers[${i}]`));
    const artifactMediaType = artifactType ?? config.mediaType;
    return { mediaType, kind: "image", blobs: [config, ...layers], manifests: [], ...subject, ...(artifactMediaType ? { artifactMediaType } : {}) };
  }
  if (!Array.isArray(doc.manifests)) throw invalid("A manifest list or index must have a manifests array");
  const manifests = doc.manifests.map((d, i) => descriptor(d, `manifests[${i}]`));
  return { mediaType, kind: "index", blobs: [], manifests, ...subject, ...(artifactType ? { artifactMediaType: artifactType } : {}) };
}

function descriptor(value: unknown, where: string): Descriptor {
  const d = value as Record<string, unknown> | null;
  if (typeof d !== "object" || d === null || Array.isArray(d)) throw invalid(`${where} must be a descriptor object`);
  if (typeof d.digest !== "string" || !DIGEST.test(d.digest)) throw invalid(`${where}.digest must be a sha256 digest`);
  if (typeof d.size !== "number" || !Number.isSafeInteger(d.size) || d.size < 0) throw invalid(`${where}.size must be a non-negative integer`);
  if (d.mediaType !== undefined && typeof d.mediaType !== "string") throw invalid(`${where}.mediaType must be a string`);
  return { digest: d.digest, size: d.size, ...(typeof d.mediaType === "string" ? { mediaType: d.mediaType } : {}) };
}

/**
 * An image's size as DescribeImages reports it: the stored bytes of its layers (compressed, as pushed; not its config),
 * or for a list or index the largest of the images it names.
 */
export async function imageSize(parsed: ParsedManifest, sizeOf: (digest: string, kind: "layer" | "manifest") => Promise<number | undefined>): Promise<number> {
  if (parsed.kind === "image") {
    let total = 0;
    for (const layer of parsed.blobs.slice(1)) total += (await sizeOf(layer.digest, "layer")) ?? layer.size;
    return total;
  }
  let largest = 0;
  for (const m of parsed.manifests) largest = Math.max(largest, (await sizeOf(m.digest, "manifest")) ?? 0);
  return largest;
}

// Layer and config media types with an equivalent in the other format, Docker's first.
const EQUIVALENT_TYPES: [docker: string, oci: string][] = [
  ["application/vnd.docker.container.image.v1+json", "application/vnd.oci.image.config.v1+json"],
  ["application/vnd.docker.image.rootfs.diff.tar.gzip", "application/vnd.oci.image.layer.v1.tar+gzip"],
  ["application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"],
  ["application/vnd.docker.image.rootfs.diff.tar", "application/vnd.oci.image.layer.v1.tar"],
];
const TO_OCI = new Map(EQUIVALENT_TYPES);
const TO_DOCKER = new Map(EQUIVALENT_TYPES.map(([d, o]) => [o, d]));

/**
 * An image manifest in the first accepted format ECR converts it to, as it does on a pull by tag: a Docker v2 schema 2
 * manifest to OCI and back. Undefined when none applies: lists and indexes, schema 1 (which Docker itself no longer
 * pulls), an OCI manifest with what Docker's format cannot say (a subject, an artifactType, a layer type with no
 * Docker equivalent such as zstd). Annotations have no place in Docker's format and are dropped.
 */
export function convertManifest(text: string, mediaType: string, accepted: readonly string[]): { manifest: string; mediaType: string } | undefined {
  const to = mediaType === MediaTypes.dockerManifest ? MediaTypes.ociManifest : mediaType === MediaTypes.ociManifest ? MediaTypes.dockerManifest : undefined;
  if (!to || !accepted.includes(to)) return undefined;
  const types = to === MediaTypes.ociManifest ? TO_OCI : TO_DOCKER;
  const doc = JSON.parse(text) as { config?: Record<string, unknown>; layers?: Record<string, unknown>[]; subject?: unknown; artifactType?: unknown };
  if (to === MediaTypes.dockerManifest && (doc.subject !== undefined || doc.artifactType !== undefined)) return undefined;
  const convert = (d: Record<string, unknown> | undefined) => {
    const type = d && typeof d.mediaType === "string" ? types.get(d.mediaType) : undefined;
    if (!type) return undefined;
    return { mediaType: type, size: d!.size, digest: d!.digest, ...(Array.isArray(d!.urls) ? { urls: d!.urls } : {}) };
  };
  const config = convert(doc.config);
  const layers = (doc.layers ?? []).map(convert);
  if (!config || layers.some((l) => l === undefined)) return undefined;
  return { manifest: JSON.stringify({ schemaVersion: 2, mediaType: to, config, layers }), mediaType: to };
}
