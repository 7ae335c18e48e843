// The registry protocol's errors: the distribution spec's `{"errors":[{"code","message","detail"}]}` with its
// status, and how the ECR domain's errors read there (the same causes as the API's, in the codes registry clients know).
import { ServiceException } from "@smithy/smithy-client";
import { ProtocolError } from "../framework";

export class RegistryError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly detail?: unknown,
  ) {
    super(message);
  }

  body(): string {
    return JSON.stringify({ errors: [{ code: this.code, message: this.message, ...(this.detail === undefined ? {} : { detail: this.detail }) }] });
  }
}

export const nameUnknown = (message: string) => new RegistryError(404, "NAME_UNKNOWN", message);
export const blobUnknown = (digest: string) => new RegistryError(404, "BLOB_UNKNOWN", `The blob with digest '${digest}' does not exist in the repository`, {}, { digest });
export const manifestUnknown = (message = "Requested image not found") => new RegistryError(404, "MANIFEST_UNKNOWN", message);
export const uploadUnknown = (message: string) => new RegistryError(404, "BLOB_UPLOAD_UNKNOWN", message);
export const digestInvalid = (message: string) => new RegistryError(400, "DIGEST_INVALID", message);
export const unsupported = (message: string, status = 405) => new RegistryError(status, "UNSUPPORTED", message);
export const denied = (message: string) => new RegistryError(403, "DENIED", message);
export const tooManyRequests = () =>
  new RegistryError(429, "TOOMANYREQUESTS", "Rate exceeded: too many requests are being received at once", { connection: "close", "retry-after": "1" });

/** A part that does not start where the upload ends: 416 with the Range that was committed. */
export const rangeInvalid = (message: string, committed: number) =>
  new RegistryError(416, "BLOB_UPLOAD_INVALID", message, { range: `0-${Math.max(0, committed - 1)}` });

/** The registry error an ECR domain error (or any other failure) answers as. */
export function toRegistryError(e: unknown): RegistryError | undefined {
  if (e instanceof RegistryError) return e;
  if (e instanceof ProtocolError) {
    if (e.type === "AccessDeniedException") return denied(e.message);
    if (e.type === "ThrottlingException") return new RegistryError(429, "TOOMANYREQUESTS", e.message, { "retry-after": "1" });
    if (e.type === "RequestTimeoutException" || e.type === "RequestAbortedException") return new RegistryError(400, "BLOB_UPLOAD_INVALID", e.message, { connection: "close" });
    return undefined;
  }
  if (!ServiceException.isInstance(e)) return undefined;
  const m = e.message;
  const digests = (e as { digests?: string[] }).digests;
  switch (e.name) {
    case "RepositoryNotFoundException":
      return nameUnknown(m);
    case "UploadNotFoundException":
      return uploadUnknown(m);
    case "InvalidLayerPartException":
      return rangeInvalid(m, (e as unknown as { lastValidByteReceived: number }).lastValidByteReceived + 1);
    case "InvalidLayerException":
    case "EmptyUploadException":
    case "LayerPartTooSmallException":
      return new RegistryError(400, "BLOB_UPLOAD_INVALID", m);
    // ECR's codes: BLOB_UPLOAD_UNKNOWN for an image's layers (oras-project/oras-py#54), MANIFEST_BLOB_UNKNOWN for an
    // index's images (int128/docker-manifest-create-action#63).
    case "LayersNotFoundException":
      return new RegistryError(400, "BLOB_UPLOAD_UNKNOWN", m, {}, digests && { digests });
    case "ReferencedImagesNotFoundException":
      return new RegistryError(400, "MANIFEST_BLOB_UNKNOWN", m, {}, digests && { digests });
    case "ImageTagAlreadyExistsException":
      return new RegistryError(400, "TAG_INVALID", m);
    case "ImageDigestDoesNotMatchException":
      return digestInvalid(m);
    // ECR answers a manifest it refuses as UNSUPPORTED (chainguard-dev/apko#450, containers/image).
    case "InvalidParameterException":
      return new RegistryError(400, /'imageTag'/.test(m) ? "TAG_INVALID" : "UNSUPPORTED", m);
    case "LimitExceededException":
      return new RegistryError(400, "DENIED", m);
    case "ServerException":
      return new RegistryError(500, "UNKNOWN", m);
    default:
      return undefined;
  }
}
