// Shared by the handlers: which registry a request addresses, the repository it names, and how one is shown.
import type { Repository } from "../../generated/types";
import type { RepositoryRecord } from "../storage/types";
import { repositoryArn } from "./arns";
import { accessDenied, repositoryNotFound } from "./errors";
import type { Context } from "./handlers/context";

/** The registry a request addresses: the caller's, or another account's that a repository policy shares with it. */
export function registryOf(input: { registryId?: string; repositoryName?: string }, ctx: Context): string {
  const id = input.registryId ?? ctx.accountId;
  if (id !== ctx.accountId && id !== ctx.grantedRegistryId) {
    const resource = repositoryArn(ctx.region, id, input.repositoryName ?? "*");
    throw accessDenied(ctx.principal, `ecr:${ctx.operation}`, resource, "no-allow");
  }
  return id;
}

export async function requireRepository(ctx: Context, registryId: string, name: string): Promise<RepositoryRecord> {
  const repo = await ctx.store.getRepository(registryId, name);
  if (!repo) throw repositoryNotFound(registryId, name);
  return repo;
}

/**
 * The registry's host as repository URIs name it: AWS's `<registryId>.dkr.ecr.<region>.amazonaws.com` (tools parse
 * the account and region out of it), or the configured host that reaches this server's registry protocol.
 */
export function registryHost(registryId: string, ctx: Context): string {
  if (ctx.settings.registryHost) return ctx.settings.registryHost;
  return `${registryId}.dkr.ecr.${ctx.region}.amazonaws.com${ctx.region.startsWith("cn-") ? ".cn" : ""}`;
}

export function toRepository(r: RepositoryRecord, registryId: string, ctx: Context): Repository {
  return {
    repositoryArn: repositoryArn(ctx.region, registryId, r.name),
    registryId,
    repositoryName: r.name,
    repositoryUri: `${registryHost(registryId, ctx)}/${r.name}`,
    createdAt: new Date(r.createdAt),
    imageTagMutability: r.imageTagMutability as Repository["imageTagMutability"],
    ...(r.imageTagMutabilityExclusionFilters ? { imageTagMutabilityExclusionFilters: r.imageTagMutabilityExclusionFilters as Repository["imageTagMutabilityExclusionFilters"] } : {}),
    imageScanningConfiguration: { scanOnPush: r.scanOnPush },
    encryptionConfiguration: { encryptionType: r.encryptionType as "AES256", ...(r.kmsKey ? { kmsKey: r.kmsKey } : {}) },
  };
}
