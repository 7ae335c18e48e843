// What every ECR handler receives besides its input: the request, storage, upload sessions and settings.
import type { RequestContext } from "../../framework/definition";
import type { RegistryStore } from "../../storage/types";
import type { EcrSettings } from "../settings";
import type { UploadSessions } from "../upload-sessions";

export interface Context extends RequestContext {
  store: RegistryStore;
  sessions: UploadSessions;
  settings: EcrSettings;
  /** Epoch milliseconds; a parameter so that expiry can be tested. */
  now(): number;
}
