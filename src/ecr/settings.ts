// The ECR service's limits and defaults; AWS's values unless configured otherwise.
import type { Quotas } from "../storage/types";

export interface EcrSettings extends Quotas {
  /** The partSize InitiateLayerUpload suggests. */
  partSize: number;
  /** Every part but the last must be at least this big. */
  minPartSize: number;
  maxPartsPerLayer: number;
  maxLayerBytes: number;
  /** An upload idle this long is gone. */
  uploadTtlMs: number;
  /** The media type a layer has until a manifest names another. */
  defaultLayerMediaType: string;
  /** How long a download URL stays valid. */
  downloadUrlTtlMs: number;
  /**
   * A pull updates an image's lastRecordedPullTime only when the recorded one is older than this, so that pulls are not
   * each a write. AWS documents a refresh at least once every 24 hours.
   */
  pullTimeResolutionMs: number;
  /** How often each repository's lifecycle policy is evaluated (AWS: within 24 hours of a change, then daily). */
  lifecycleIntervalMs: number;
  /** How long a GetAuthorizationToken credential is valid. */
  authorizationTokenTtlMs: number;
  /**
   * Whether the registry protocol mounts a layer from another repository of the registry (`?mount=&from=`) instead of
   * taking its bytes again: the default of AWS's BLOB_MOUNTING account setting for a registry that never set it
   * (PutAccountSetting changes it per registry). Off, as on AWS, unless configured.
   */
  blobMounting: boolean;
  /** How long restoring an archived image takes (AWS: up to 20 minutes); it is ACTIVATING meanwhile. */
  archiveRestoreMs: number;
  /** A scan started by hand waits this long after the image's last one (AWS: one a day per image). */
  imageScanIntervalMs: number;
  /** A scanner still running after this long is stopped and its scan FAILED. */
  scanTimeoutMs: number;
  /**
   * Where the pull through cache really reaches an upstream registry host a rule names: `host[:port]` → base URL
   * (e.g. `registry-1.docker.io` → `http://127.0.0.1:5000`, a local stand-in). A rule may name a host this maps, or
   * a registry ECR supports (reached over https).
   */
  upstreams: Record<string, string>;
  /** What stands in for Secrets Manager: a rule's credentialArn → the upstream credentials the secret holds. */
  upstreamSecrets: Record<string, { username: string; accessToken: string }>;
  /** A cached tag is checked against its upstream again when pulled this long after the last check (AWS: 24 hours). */
  upstreamRefreshMs: number;
  /** How long an upstream registry may take to answer (and a body between two chunks). */
  upstreamTimeoutMs: number;
  /** The host repository URIs name (`host[:port]`); AWS's `<registry>.dkr.ecr.<region>.amazonaws.com` when unset. */
  registryHost?: string;
}

export const MiB = 1024 * 1024;

export const DEFAULT_SETTINGS: EcrSettings = {
  partSize: 10 * MiB,
  minPartSize: 5 * MiB,
  maxPartsPerLayer: 4200,
  maxLayerBytes: 52000 * MiB,
  uploadTtlMs: 24 * 60 * 60 * 1000,
  defaultLayerMediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip",
  downloadUrlTtlMs: 60 * 60 * 1000,
  pullTimeResolutionMs: 60 * 1000,
  authorizationTokenTtlMs: 12 * 60 * 60 * 1000,
  lifecycleIntervalMs: 60 * 60 * 1000,
  blobMounting: false,
  archiveRestoreMs: 10 * 1000,
  imageScanIntervalMs: 24 * 60 * 60 * 1000,
  scanTimeoutMs: 10 * 60 * 1000,
  upstreams: {},
  upstreamSecrets: {},
  upstreamRefreshMs: 24 * 60 * 60 * 1000,
  upstreamTimeoutMs: 30 * 1000,
  // AWS's default service quotas ("Registered repositories" and "Images per repository", both adjustable there).
  maxRepositoriesPerRegistry: 100_000,
  maxImagesPerRepository: 100_000,
  maxUploadsPerRepository: 1000,
};
