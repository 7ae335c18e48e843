// Assembles the ECR service: the generated definition, the hand-written handlers, and their settings.
import type { Logger } from "pino";
import { createServiceHandler } from "../../generated/service";
import type { ServiceHandler } from "../framework";
import { handlers } from "./handlers";

export interface EcrOptions {
  /** The registry (account) id requests belong to. */
  registryId?: string;
  region?: string;
  dataDir?: string;
  maxBodyBytes?: number;
  logger?: Logger;
}

export function createEcrHandler(options: EcrOptions = {}): ServiceHandler {
  return createServiceHandler(handlers, {
    accountId: options.registryId,
    region: options.region,
    maxBodyBytes: options.maxBodyBytes,
    logger: options.logger,
  });
}
