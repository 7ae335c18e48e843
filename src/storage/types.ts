// What the ECR handlers need from storage. The embedded store implements it with SQLite records and local files; a
// networked one (PostgreSQL for records, sharing the schema in sql/, and S3 for bytes) can implement it without
// touching the handlers. Every method is a whole change or a whole read: limits are checked in the same transaction
// that would break them.
import type { Hash } from "node:crypto";

export interface RepositoryRecord {
  name: string;
  /** Epoch milliseconds. */
  createdAt: number;
  imageTagMutability: string;
  imageTagMutabilityExclusionFilters?: { filterType: string; filter: string }[];
  scanOnPush: boolean;
  encryptionType: string;
  kmsKey?: string;
}

/** A resource tag (on a repository), as the API spells it. */
export interface ResourceTag {
  Key: string;
  Value: string;
}

export interface UploadRecord {
  id: string;
  repository: string;
  createdAt: number;
  /** Last accepted part, or creation: expiry counts from here. */
  touchedAt: number;
  /** Bytes committed so far; the next part starts here. */
  length: number;
  parts: number;
  /** The byte range of the last accepted part, to recognise a resend of it. */
  lastPart?: { first: number; last: number };
  /** The smallest part before the last one (only the last part may be small). */
  smallestEarlierPart?: number;
}

export interface LayerRecord {
  digest: string;
  size: number;
  mediaType?: string;
}

/** What is known of an image without its manifest: what DescribeImages shows. */
export interface ImageSummary {
  digest: string;
  mediaType: string;
  pushedAt: number;
  /** Undefined only for images imported from the journal format: the reader computes it. */
  sizeInBytes?: number;
  artifactMediaType?: string;
  /** The manifest its `subject` names, for a referrer. */
  subjectDigest?: string;
  lastRecordedPullTime?: number;
  storageClass: StorageClass;
  /** Epoch ms of the last move to archive. */
  lastArchivedAt?: number;
  /** Epoch ms at which the last restore from archive completed, or will complete. */
  lastActivatedAt?: number;
}

export type StorageClass = "STANDARD" | "ARCHIVE";
/** An image's status at a moment: archived, being restored, or pullable. */
export type ImageStatus = "ACTIVE" | "ARCHIVED" | "ACTIVATING";

export interface ImageRecord extends ImageSummary {
  /** The manifest exactly as it was put. */
  manifest: string;
  /** Digests of the blobs and manifests it references. */
  references: string[];
  /** Stored with a new image: the signing profiles whose rules covered it when it was pushed. */
  signingProfiles?: string[];
  /** Stored with a new image that is a signature: the signing profile version that made it. */
  signedBy?: string;
}

export type TagStatus = "TAGGED" | "UNTAGGED" | "ANY";

/** Which images a listing shows: those with one status at the moment `at` (epoch ms), or all. */
export type StatusFilter = { status: ImageStatus; at: number } | "ANY";

/** What deleting an image did: its tags went with it; or why it did not happen. */
export type DeleteImageResult = { deleted: true; tags: string[] } | { deleted: false; reason: "not-found" } | { deleted: false; reason: "referenced"; by: string };

/** An image's latest vulnerability scan. */
export interface ImageScanRecord {
  /** The registry's scanning type when the scan started (BASIC or ENHANCED). */
  scanType: string;
  /** IN_PROGRESS until it ends: COMPLETE, FAILED or UNSUPPORTED_IMAGE. */
  status: string;
  description?: string;
  /** Epoch ms; also the scan's identity, so that a finished scan is recorded only on the scan it finishes. */
  startedAt: number;
  completedAt?: number;
  vulnerabilitySourceUpdatedAt?: number;
  /** Findings by severity, for a completed scan. */
  severityCounts?: Record<string, number>;
}

/** How a scan ended, recorded with its findings (each a JSON document, in the scanner's order). */
export interface ScanOutcome {
  status: string;
  description?: string;
  completedAt: number;
  vulnerabilitySourceUpdatedAt?: number;
  severityCounts?: Record<string, number>;
  findings: string[];
}

export interface ScanKey {
  registryId: string;
  repository: string;
  digest: string;
}

/** Where an image is copied: a region and a registry in it. */
export interface ReplicationDestination {
  region: string;
  registryId: string;
}

/** One image's copy to one destination; `attempt` counts the requests, so that only the latest one's outcome lands. */
export interface ImageReplicationRecord extends ScanKey {
  destination: ReplicationDestination;
  status: "IN_PROGRESS" | "COMPLETE" | "FAILED";
  failureCode?: string;
  attempt: number;
}

/** A pull through cache rule: the upstream registry the repositories under its prefix mirror, and how it is reached. */
export interface PullThroughCacheRuleRecord {
  prefix: string;
  upstreamRegistryUrl: string;
  upstreamRegistry?: string;
  upstreamRepositoryPrefix?: string;
  credentialArn?: string;
  customRoleArn?: string;
  createdAt: number;
  updatedAt: number;
}

/** A repository creation template: its settings as JSON (the API's shape, checked), and when it was made and changed. */
export interface CreationTemplateRecord {
  prefix: string;
  settings: string;
  createdAt: number;
  updatedAt: number;
}

export interface LifecyclePolicyRecord {
  registryId: string;
  repository: string;
  text: string;
  /** Epoch milliseconds of the last evaluation; none since the policy was put. */
  lastEvaluatedAt?: number;
}

export interface BlobReader {
  size: number;
  /** The bytes [start, end], end inclusive. */
  stream(start: number, end: number): NodeJS.ReadableStream;
}

/** Quotas a change is checked against, in the transaction that makes it. */
export interface Quotas {
  maxRepositoriesPerRegistry: number;
  maxImagesPerRepository: number;
  /** Uploads a repository may have open at once. */
  maxUploadsPerRepository: number;
}

export type CreateRepositoryResult = "created" | "exists" | "limit";
export type CreateUploadResult = "created" | "no-repository" | "limit";
export type PutImageResult = "stored" | "no-repository" | "limit";

export interface RegistryStore {
  getRepository(registryId: string, name: string): Promise<RepositoryRecord | undefined>;
  /** Up to `limit` repositories whose names sort after `after`, by name. */
  listRepositories(registryId: string, page: { after?: string; limit: number }): Promise<RepositoryRecord[]>;
  /** Creates a repository with its tags and, when given (from a creation template), its policies, all at once. */
  createRepository(
    registryId: string,
    record: RepositoryRecord,
    tags: ResourceTag[],
    quotas: Quotas,
    policies?: { repositoryPolicy?: string; lifecyclePolicy?: string },
  ): Promise<CreateRepositoryResult>;
  getRepositoryTags(registryId: string, name: string): Promise<ResourceTag[]>;
  /** Adds or replaces resource tags, unless the repository would then have more than `max`; false when it is gone. */
  putRepositoryTags(registryId: string, name: string, tags: ResourceTag[], max: number): Promise<"stored" | "no-repository" | "limit">;
  /** Removes resource tags by key (missing keys are no error); false when the repository is gone. */
  deleteRepositoryTags(registryId: string, name: string, keys: string[]): Promise<boolean>;
  /** Changes a repository's tag mutability and scanning settings; false when it is gone. */
  updateRepository(
    registryId: string,
    name: string,
    settings: Pick<RepositoryRecord, "imageTagMutability" | "imageTagMutabilityExclusionFilters" | "scanOnPush">,
  ): Promise<boolean>;
  /** Deletes the repository with its images, uploads and layer references; blobs no repository uses any more go too. */
  deleteRepository(registryId: string, name: string): Promise<RepositoryRecord | undefined>;

  createUpload(registryId: string, record: UploadRecord, quotas: Quotas): Promise<CreateUploadResult>;
  getUpload(registryId: string, id: string): Promise<UploadRecord | undefined>;
  /**
   * Writes a part's bytes, as they arrive, after the upload's committed bytes, and makes them durable; nothing is
   * committed yet. Returns how many bytes were written, or undefined when the upload is gone or being completed.
   */
  writePart(registryId: string, id: string, bytes: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<number | undefined>;
  /** Commits the written part as `next`; false when the upload is gone (then nothing was committed). */
  commitPart(registryId: string, id: string, next: UploadRecord): Promise<boolean>;
  /** Drops bytes written after the committed length (a part that failed). */
  abortPart(registryId: string, id: string): Promise<void>;
  /** Committed bytes of an upload, [start, end). */
  readUpload(registryId: string, id: string, start: number, end: number): Promise<Buffer>;
  /** A sha256 of the upload's first `length` bytes, for when the running one was lost (a restart). */
  hashUpload(registryId: string, id: string, length: number): Promise<Hash>;
  /**
   * Stores the upload's bytes as `layer` of the upload's repository and forgets the upload. False when it is gone.
   * A completion cut short (a failed disk step) is resumed by the next call for the same upload.
   */
  completeUpload(registryId: string, id: string, layer: LayerRecord): Promise<boolean>;
  /** Forgets an upload and frees its bytes; false when it is gone or being completed. */
  cancelUpload(registryId: string, id: string): Promise<boolean>;
  /** Forgets uploads idle since before `cutoff` (epoch ms) and frees their space; returns how many. */
  expireUploads(cutoff: number): Promise<number>;

  getLayer(registryId: string, repository: string, digest: string): Promise<LayerRecord | undefined>;
  /**
   * Makes a blob the registry already stores a layer of the repository (a cross-repository mount); false when the
   * registry has no such blob or the repository is gone.
   */
  addLayer(registryId: string, repository: string, digest: string): Promise<boolean>;
  /** A stored layer's bytes, or undefined when the registry has no such layer. Missing or damaged bytes throw. */
  openBlob(registryId: string, digest: string): Promise<BlobReader | undefined>;

  /** Stores an image (if new), points `tag` at it, and records the media types it gives its blobs. */
  putImage(
    registryId: string,
    repository: string,
    image: ImageRecord,
    tag: string | undefined,
    blobMediaTypes: Record<string, string>,
    quotas: Quotas,
  ): Promise<PutImageResult>;
  getImage(registryId: string, repository: string, digest: string): Promise<ImageRecord | undefined>;
  /** The digest a tag points at. */
  resolveTag(registryId: string, repository: string, tag: string): Promise<string | undefined>;
  countImages(registryId: string, repository: string): Promise<number>;
  /** Up to `limit` images whose digests sort after `after`, by digest, with the given tag status and image status. */
  listImages(registryId: string, repository: string, page: { after?: string; limit: number; tagStatus: TagStatus; status: StatusFilter }): Promise<ImageSummary[]>;
  /**
   * Moves an image to archive storage at `at`, or back to standard storage with the restore completing at `at`
   * (epoch ms, possibly ahead); false when the image is gone.
   */
  setStorageClass(registryId: string, repository: string, digest: string, storageClass: StorageClass, at: number): Promise<boolean>;
  /** Up to `limit` digests of images whose subject is `subject`, after `after`, by digest. */
  listReferrers(registryId: string, repository: string, subject: string, page: { after?: string; limit: number }): Promise<string[]>;
  /** Up to `limit` of the repository's tags that sort after `after`, sorted. */
  listTags(registryId: string, repository: string, page: { after?: string; limit: number }): Promise<string[]>;
  /** An image's tags, sorted. */
  listImageTags(registryId: string, repository: string, digest: string): Promise<string[]>;
  /** Records a pull at `at` unless one was recorded less than `resolutionMs` before (the caller skips the call then). */
  recordPull(registryId: string, repository: string, digest: string, at: number, resolutionMs: number): Promise<void>;
  /** Removes a tag; the image stays. Whether the tag was there. */
  deleteTag(registryId: string, repository: string, tag: string): Promise<boolean>;
  /**
   * Removes an image and its tags, unless another image of the repository (a list or index) references it; layers no
   * image of the repository references any more go, and blobs no repository of the registry has are reclaimed.
   */
  deleteImage(registryId: string, repository: string, digest: string): Promise<DeleteImageResult>;
  /** The images of the repository (lists and indexes) that reference the digest. */
  listReferencingImages(registryId: string, repository: string, digest: string): Promise<string[]>;
  /** Whether any image of the repository references the digest. */
  isReferenced(registryId: string, repository: string, digest: string): Promise<boolean>;

  getRepositoryPolicy(registryId: string, repository: string): Promise<string | undefined>;
  /** Stores or replaces a repository's policy; false when the repository is gone. */
  putRepositoryPolicy(registryId: string, repository: string, text: string): Promise<boolean>;
  /** Removes a repository's policy and returns it; undefined when it had none. */
  deleteRepositoryPolicy(registryId: string, repository: string): Promise<string | undefined>;
  getRegistryPolicy(registryId: string): Promise<string | undefined>;
  putRegistryPolicy(registryId: string, text: string): Promise<void>;
  deleteRegistryPolicy(registryId: string): Promise<string | undefined>;
  getLifecyclePolicy(registryId: string, repository: string): Promise<LifecyclePolicyRecord | undefined>;
  /** Stores or replaces a repository's lifecycle policy, not yet evaluated; false when the repository is gone. */
  putLifecyclePolicy(registryId: string, repository: string, text: string): Promise<boolean>;
  deleteLifecyclePolicy(registryId: string, repository: string): Promise<LifecyclePolicyRecord | undefined>;
  /** Records an evaluation of `text` at `at`, unless the policy changed meanwhile. */
  markLifecycleEvaluated(registryId: string, repository: string, text: string, at: number): Promise<void>;
  /** Up to `limit` policies last evaluated at or before `cutoff` (or never), after `after`, by registry and repository. */
  listDueLifecyclePolicies(cutoff: number, page: { after?: { registryId: string; repository: string }; limit: number }): Promise<LifecyclePolicyRecord[]>;

  /** An account setting's stored value; undefined when it was never set (the service knows the default). */
  getAccountSetting(registryId: string, name: string): Promise<string | undefined>;
  putAccountSetting(registryId: string, name: string, value: string): Promise<void>;
  /** When the principal's pulls stopped updating pull times in the registry; undefined when they do update them. */
  getPullTimeUpdateExclusion(registryId: string, principalArn: string): Promise<number | undefined>;
  /** Adds an exclusion unless it exists or the registry would then have more than `max`. */
  addPullTimeUpdateExclusion(registryId: string, principalArn: string, at: number, max: number): Promise<"added" | "exists" | "limit">;
  /** Whether the exclusion was there. */
  removePullTimeUpdateExclusion(registryId: string, principalArn: string): Promise<boolean>;
  /** Up to `limit` excluded principals that sort after `after`, sorted. */
  listPullTimeUpdateExclusions(registryId: string, page: { after?: string; limit: number }): Promise<string[]>;

  /** The registry's signing rules as JSON, as the API gave them. */
  getSigningConfiguration(registryId: string): Promise<string | undefined>;
  /** The signing profiles whose rules covered the image when it was pushed, sorted. */
  listImageSigningProfiles(registryId: string, repository: string, digest: string): Promise<string[]>;
  /** The profile versions named by the signatures whose subject is the image. */
  listSignedBy(registryId: string, repository: string, subject: string): Promise<string[]>;
  putSigningConfiguration(registryId: string, rules: string): Promise<void>;
  /** Removes the registry's signing rules and returns them; undefined when it had none. */
  deleteSigningConfiguration(registryId: string): Promise<string | undefined>;

  /** The registry's scanning type and rules (JSON, as the API gave them); undefined when never put. */
  getRegistryScanningConfiguration(registryId: string): Promise<{ scanType: string; rules: string } | undefined>;
  putRegistryScanningConfiguration(registryId: string, scanType: string, rules: string): Promise<void>;
  getImageScan(registryId: string, repository: string, digest: string): Promise<ImageScanRecord | undefined>;
  /**
   * Starts a scan of the image, replacing its last scan and findings, unless the image is not in standard storage at
   * `startedAt`, or its last scan started after `notBefore` and did not fail (a scan a day per image). A scan that starts already ended (no scanner) passes its outcome.
   */
  startImageScan(
    registryId: string,
    repository: string,
    digest: string,
    scan: Pick<ImageScanRecord, "scanType" | "status" | "description" | "startedAt">,
    notBefore: number,
  ): Promise<"started" | "no-image" | "archived" | "too-soon">;
  /** Records how the scan that started at `startedAt` ended; false when it was replaced or the image is gone. */
  finishImageScan(registryId: string, repository: string, digest: string, startedAt: number, outcome: ScanOutcome): Promise<boolean>;
  /** Up to `limit` findings of the image's scan after the `after`th (0-based positions), in order. */
  listImageScanFindings(registryId: string, repository: string, digest: string, page: { after: number; limit: number }): Promise<{ index: number; finding: string }[]>;
  /** Up to `limit` scans under way (left by a stopped server), after `after`, by registry, repository and digest. */
  listScansInProgress(page: { after?: ScanKey; limit: number }): Promise<(ScanKey & { startedAt: number })[]>;

  getCreationTemplate(registryId: string, prefix: string): Promise<CreationTemplateRecord | undefined>;
  /** Adds a template unless its prefix has one or the registry would then have more than `max`. */
  addCreationTemplate(registryId: string, template: CreationTemplateRecord, max: number): Promise<"added" | "exists" | "limit">;
  /** Replaces a template's settings; false when there is none for the prefix. */
  updateCreationTemplate(registryId: string, prefix: string, settings: string, at: number): Promise<boolean>;
  /** Removes a template and returns it; undefined when there was none. */
  deleteCreationTemplate(registryId: string, prefix: string): Promise<CreationTemplateRecord | undefined>;
  /** Up to `limit` templates whose prefixes sort after `after`, by prefix. */
  listCreationTemplates(registryId: string, page: { after?: string; limit: number }): Promise<CreationTemplateRecord[]>;

  /** The registry's replication rules (JSON, as the API gave them); undefined when never put. */
  getReplicationConfiguration(registryId: string): Promise<string | undefined>;
  putReplicationConfiguration(registryId: string, rules: string): Promise<void>;
  /** Asks for the image's copy to each destination (IN_PROGRESS, another attempt when asked before); false when the image is gone. */
  requestReplications(key: ScanKey, destinations: ReplicationDestination[]): Promise<boolean>;
  /** Records how the attempt ended; false when a newer attempt was asked for meanwhile (or the image is gone). */
  finishReplication(record: ImageReplicationRecord, status: "COMPLETE" | "FAILED", failureCode?: string): Promise<boolean>;
  /** The image's copies, by destination region and registry. */
  listImageReplications(key: ScanKey): Promise<ImageReplicationRecord[]>;
  /** Up to `limit` copies under way after `after`, by image and destination. */
  listReplicationsInProgress(page: { after?: ImageReplicationRecord; limit: number }): Promise<ImageReplicationRecord[]>;

  getPullThroughCacheRule(registryId: string, prefix: string): Promise<PullThroughCacheRuleRecord | undefined>;
  /** Adds a rule unless its prefix has one, or the registry has `max`. */
  addPullThroughCacheRule(registryId: string, rule: PullThroughCacheRuleRecord, max: number): Promise<"added" | "exists" | "limit">;
  /** Sets how the rule reaches its upstream; false when there is no such rule. */
  updatePullThroughCacheRule(registryId: string, prefix: string, access: { credentialArn?: string; customRoleArn?: string }, at: number): Promise<boolean>;
  /** Removes a rule and returns it; undefined when there was none. */
  deletePullThroughCacheRule(registryId: string, prefix: string): Promise<PullThroughCacheRuleRecord | undefined>;
  /** Up to `limit` rules whose prefixes sort after `after`, by prefix. */
  listPullThroughCacheRules(registryId: string, page: { after?: string; limit: number }): Promise<PullThroughCacheRuleRecord[]>;
  /** When the cached tag was last checked against its upstream (epoch ms); undefined when never. */
  getUpstreamTagCheck(registryId: string, repository: string, tag: string): Promise<number | undefined>;
  putUpstreamTagCheck(registryId: string, repository: string, tag: string, at: number): Promise<void>;

  /** A secret that stays the same across restarts, for signing download URLs. */
  signingKey(): Promise<Buffer>;

  close(): Promise<void>;
}
