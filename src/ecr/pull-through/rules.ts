// Pull through cache rules: per repository prefix (ROOT: every name), the upstream registry whose images the
// repositories under it mirror, the secret holding the upstream credentials (Secrets Manager's stand-in is the
// server's upstream secrets), and the upstream repository prefix names map to.
import {
  InvalidParameterException,
  LimitExceededException,
  PullThroughCacheRuleAlreadyExistsException,
  PullThroughCacheRuleNotFoundException,
  SecretNotFoundException,
  UnableToAccessSecretException,
  UnsupportedUpstreamRegistryException,
} from "../../../generated/errors";
import type { CreatePullThroughCacheRuleRequest, PullThroughCacheRule, UpstreamRegistry } from "../../../generated/types";
import type { PullThroughCacheRuleRecord } from "../../storage/types";
import type { Context } from "../handlers/context";
import { coveringPrefixes, ROOT } from "../repository-prefixes";
import { Upstream } from "./upstream";

/** ECR's quota of rules per registry. */
export const MAX_RULES = 50;

/** The upstream registries ECR supports, by host. */
const KNOWN_UPSTREAMS: [RegExp, UpstreamRegistry][] = [
  [/^public\.ecr\.aws$/, "ecr-public"],
  [/^registry\.k8s\.io$/, "k8s"],
  [/^quay\.io$/, "quay"],
  [/^registry-1\.docker\.io$/, "docker-hub"],
  [/^ghcr\.io$/, "github-container-registry"],
  [/^[a-z0-9-]+\.azurecr\.io$/, "azure-container-registry"],
  [/^registry\.gitlab\.com$/, "gitlab-container-registry"],
  [/^cgr\.dev$/, "chainguard"],
  [/^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com$/, "ecr"],
];
/** The upstreams ECR reaches only with credentials from a secret. */
const NEEDS_CREDENTIAL = new Set<string>(["docker-hub", "github-container-registry", "azure-container-registry", "gitlab-container-registry", "chainguard"]);
const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$/;

const invalid = (at: string, why: string) => new InvalidParameterException({ message: `Invalid parameter at '${at}' failed to satisfy constraint: '${why}'` });
const notFound = (registryId: string, prefix: string) =>
  new PullThroughCacheRuleNotFoundException({ message: `The pull through cache rule with prefix '${prefix}' does not exist in the registry with id '${registryId}'` });

function toRule(registryId: string, r: PullThroughCacheRuleRecord): PullThroughCacheRule {
  return {
    ecrRepositoryPrefix: r.prefix,
    upstreamRegistryUrl: r.upstreamRegistryUrl,
    createdAt: new Date(r.createdAt),
    registryId,
    ...(r.upstreamRegistry ? { upstreamRegistry: r.upstreamRegistry as UpstreamRegistry } : {}),
    ...(r.credentialArn ? { credentialArn: r.credentialArn } : {}),
    ...(r.customRoleArn ? { customRoleArn: r.customRoleArn } : {}),
    ...(r.upstreamRepositoryPrefix ? { upstreamRepositoryPrefix: r.upstreamRepositoryPrefix } : {}),
    updatedAt: new Date(r.updatedAt),
  };
}

function checkSecret(ctx: Context, registryId: string, credentialArn: string | undefined): void {
  if (credentialArn === undefined) return;
  // A rule reads only its own account's secrets, in its region.
  const [, , , region, account] = credentialArn.split(":");
  if (account !== registryId || region !== ctx.region) {
    throw new UnableToAccessSecretException({ message: `The secret '${credentialArn}' is not the registry's: a rule may use only secrets of account ${registryId} in ${ctx.region}` });
  }
  if (!Object.hasOwn(ctx.settings.upstreamSecrets, credentialArn)) {
    throw new SecretNotFoundException({ message: `The secret '${credentialArn}' does not exist (this server's upstream secrets stand in for Secrets Manager)` });
  }
}

function checkRole(registryId: string, customRoleArn: string | undefined): void {
  if (customRoleArn && !new RegExp(`^arn:aws[a-z-]*:iam::${registryId}:role/[\\w+=,.@/-]+$`).test(customRoleArn)) {
    throw invalid("customRoleArn", `must be the ARN of an IAM role of the account ${registryId}`);
  }
}

export async function createRule(ctx: Context, registryId: string, input: CreatePullThroughCacheRuleRequest): Promise<PullThroughCacheRule> {
  const url = input.upstreamRegistryUrl;
  if (!HOST.test(url)) throw invalid("upstreamRegistryUrl", "must be a registry host, host or host:port, without a scheme or path");
  const host = url.toLowerCase();
  const known = KNOWN_UPSTREAMS.find(([pattern]) => pattern.test(host))?.[1];
  const mapped = Object.hasOwn(ctx.settings.upstreams, host);
  if (!known && !mapped) {
    throw new UnsupportedUpstreamRegistryException({ message: `The upstream registry '${url}' is not supported: it is none of ECR's, and this server maps no such host (--upstream)` });
  }
  const upstreamRegistry = input.upstreamRegistry ?? known;
  if (known && input.upstreamRegistry && input.upstreamRegistry !== known) {
    throw invalid("upstreamRegistry", `the upstream registry at '${url}' is ${known}, not ${input.upstreamRegistry}`);
  }
  if (upstreamRegistry && NEEDS_CREDENTIAL.has(upstreamRegistry) && !input.credentialArn) {
    throw invalid("credentialArn", `a secret with the upstream credentials is required for ${upstreamRegistry}`);
  }
  // Another account's ECR is reached through a role; the registry's own needs none.
  if (upstreamRegistry === "ecr" && !host.startsWith(`${registryId}.`) && !input.customRoleArn) throw invalid("customRoleArn", "a role is required to pull from another account's ECR");
  checkRole(registryId, input.customRoleArn);
  checkSecret(ctx, registryId, input.credentialArn);
  const now = ctx.now();
  const record: PullThroughCacheRuleRecord = {
    prefix: input.ecrRepositoryPrefix,
    upstreamRegistryUrl: url,
    ...(upstreamRegistry ? { upstreamRegistry } : {}),
    ...(input.upstreamRepositoryPrefix ? { upstreamRepositoryPrefix: input.upstreamRepositoryPrefix } : {}),
    ...(input.credentialArn ? { credentialArn: input.credentialArn } : {}),
    ...(input.customRoleArn ? { customRoleArn: input.customRoleArn } : {}),
    createdAt: now,
    updatedAt: now,
  };
  switch (await ctx.store.addPullThroughCacheRule(registryId, record, MAX_RULES)) {
    case "exists":
      throw new PullThroughCacheRuleAlreadyExistsException({ message: `A pull through cache rule with prefix '${record.prefix}' already exists in the registry with id '${registryId}'` });
    case "limit":
      throw new LimitExceededException({ message: `The registry with id '${registryId}' already has the maximum of ${MAX_RULES} pull through cache rules` });
  }
  return toRule(registryId, record);
}

export async function requireRule(ctx: Context, registryId: string, prefix: string): Promise<PullThroughCacheRuleRecord> {
  const rule = await ctx.store.getPullThroughCacheRule(registryId, prefix);
  if (!rule) throw notFound(registryId, prefix);
  return rule;
}

/** Sets the rule's secret and role; what the request leaves out stays. */
export async function updateRule(ctx: Context, registryId: string, prefix: string, access: { credentialArn?: string; customRoleArn?: string }): Promise<PullThroughCacheRule> {
  const rule = await requireRule(ctx, registryId, prefix);
  checkRole(registryId, access.customRoleArn);
  checkSecret(ctx, registryId, access.credentialArn);
  const next = { credentialArn: access.credentialArn ?? rule.credentialArn, customRoleArn: access.customRoleArn ?? rule.customRoleArn };
  const now = ctx.now();
  if (!(await ctx.store.updatePullThroughCacheRule(registryId, prefix, next, now))) throw notFound(registryId, prefix);
  return toRule(registryId, { ...rule, ...next, updatedAt: now });
}

export async function deleteRule(ctx: Context, registryId: string, prefix: string): Promise<PullThroughCacheRule> {
  const deleted = await ctx.store.deletePullThroughCacheRule(registryId, prefix);
  if (!deleted) throw notFound(registryId, prefix);
  return toRule(registryId, deleted);
}

/** The named rules (each must exist), or a page of all of them by prefix. */
export async function describeRules(ctx: Context, registryId: string, prefixes: string[] | undefined, page: { after?: string; limit: number }): Promise<{ rules: PullThroughCacheRule[]; more: boolean }> {
  if (prefixes?.length) {
    const rules = [];
    for (const prefix of [...new Set(prefixes)].sort()) rules.push(toRule(registryId, await requireRule(ctx, registryId, prefix)));
    return { rules, more: false };
  }
  const rows = await ctx.store.listPullThroughCacheRules(registryId, { after: page.after, limit: page.limit + 1 });
  return { rules: rows.slice(0, page.limit).map((r) => toRule(registryId, r)), more: rows.length > page.limit };
}

/** A client of the rule's upstream, with its credentials. */
export function upstreamOf(ctx: Context, rule: PullThroughCacheRuleRecord): Upstream {
  const host = rule.upstreamRegistryUrl.toLowerCase();
  const base = ctx.settings.upstreams[host] ?? `https://${host}`;
  const credential = rule.credentialArn ? ctx.settings.upstreamSecrets[rule.credentialArn] : undefined;
  return new Upstream(base.replace(/\/+$/, ""), credential, ctx.settings.upstreamTimeoutMs);
}

/** Whether the rule reaches its upstream with its credentials; why not, when it does not. */
export async function validateRule(ctx: Context, rule: PullThroughCacheRuleRecord): Promise<string | undefined> {
  if (rule.credentialArn && !Object.hasOwn(ctx.settings.upstreamSecrets, rule.credentialArn)) return `The secret '${rule.credentialArn}' no longer exists`;
  try {
    await upstreamOf(ctx, rule).check();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** The rule covering a repository name (the longest prefix, else ROOT's), and the upstream repository it mirrors. */
export async function ruleFor(ctx: Context, registryId: string, name: string): Promise<{ rule: PullThroughCacheRuleRecord; upstreamName: string } | undefined> {
  for (const prefix of coveringPrefixes(name)) {
    const rule = await ctx.store.getPullThroughCacheRule(registryId, prefix);
    if (!rule) continue;
    const rest = prefix === ROOT ? name : name.slice(prefix.replace(/\/$/, "").length + 1);
    const upstreamPrefix = rule.upstreamRepositoryPrefix && rule.upstreamRepositoryPrefix !== ROOT ? rule.upstreamRepositoryPrefix.replace(/\/$/, "") : undefined;
    return { rule, upstreamName: upstreamPrefix ? `${upstreamPrefix}/${rest}` : rest };
  }
  return undefined;
}
