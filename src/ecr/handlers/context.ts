// What every ECR handler receives besides its input: the request, storage, upload sessions and settings.
import type { RequestContext } from "../../framework/definition";
import type { RegistryStore } from "../../storage/types";
import type { DownloadUrls } from "../download-urls";
import type { KeyedLock } from "../keyed-lock";
import type { LifecyclePreviews } from "../lifecycle/previews";
import type { PolicyCache } from "../policies/access";
import type { RegistryPasswords } from "../registry-passwords";
import type { ImageScans } from "../scanning/scans";
import type { Replications } from "../replication/replications";
import type { EcrSettings } from "../settings";
import type { UploadSessions } from "../upload-sessions";

export interface Context extends RequestContext {
  store: RegistryStore;
  sessions: UploadSessions;
  /** Serializes changes to a repository's images and tags. */
  repositoryLocks: KeyedLock;
  downloads: DownloadUrls;
  registryPasswords: RegistryPasswords;
  settings: EcrSettings;
  lifecyclePreviews: LifecyclePreviews;
  policies: PolicyCache;
  scans: ImageScans;
  replications: Replications;
  /** Another account's registry whose repository policy allows this request (set by the authorize stage). */
  grantedRegistryId?: string;
  /** Epoch milliseconds; a parameter so that expiry can be tested. */
  now(): number;
}
