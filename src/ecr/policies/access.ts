// The authorize stage for ECR: a repository policy shares a repository with other accounts (an Allow for the caller
// and action), and its explicit Deny refuses even the owner, as IAM decides for resource policies.
import { repositoryArn } from "../arns";
import type { OperationDescription } from "../../framework/definition";
import { accountSetting } from "../account-settings";
import { accessDenied } from "../errors";
import type { Context } from "../handlers/context";
import { evaluatePolicy, parsePolicy, type PolicyDocument, type PolicyRules } from "./iam-policy";

export const REPOSITORY_POLICY: PolicyRules = { resourceAllowed: false };
/**
 * What a registry policy may grant, by the registry's REGISTRY_POLICY_SCOPE: V1, what replication and pull-through
 * caching need, and nothing else; V2, any ECR action.
 */
export const REGISTRY_POLICY: Record<"V1" | "V2", PolicyRules> = {
  V1: {
    resourceAllowed: true,
    actionsWithin: ["ecr:ReplicateImage", "ecr:CreateRepository", "ecr:BatchImportUpstreamImage", "ecr:CreateRepositoryCreationTemplate"],
  },
  V2: { resourceAllowed: true, actionService: "ecr" },
};

/** Parsed policies by kind and text: a request reads its repository's policy, never parses it again. */
export class PolicyCache {
  private readonly parsed = new Map<string, PolicyDocument>();
  constructor(private readonly max = 1000) {}

  /** A repository policy; with `registry`, a registry policy (read with the widest scope's rules). */
  get(text: string, registry = false): PolicyDocument | undefined {
    const key = registry ? `registry\0${text}` : text;
    let doc = this.parsed.get(key);
    if (doc) return doc;
    doc = parsePolicy(text, registry ? REGISTRY_POLICY.V2 : REPOSITORY_POLICY);
    if (!doc) return undefined;
    if (this.parsed.size >= this.max) this.parsed.delete(this.parsed.keys().next().value!);
    this.parsed.set(key, doc);
    return doc;
  }
}

const REPOSITORY_ARN = /^arn:[^:]+:ecr:[^:]*:(\d{12}):repository\/(.+)$/;

/** The registry and repositories a request addresses: by name, by a list of names, or by a repository's ARN. */
function addressed(input: Record<string, unknown>, ctx: Context): { registryId: string; repositories: string[] } {
  const arn = typeof input.resourceArn === "string" ? REPOSITORY_ARN.exec(input.resourceArn) : null;
  if (arn) return { registryId: arn[1], repositories: [arn[2]] };
  const registryId = typeof input.registryId === "string" ? input.registryId : ctx.accountId;
  if (typeof input.repositoryName === "string") return { registryId, repositories: [input.repositoryName] };
  const names = Array.isArray(input.repositoryNames) ? input.repositoryNames.filter((n): n is string => typeof n === "string") : [];
  return { registryId, repositories: names };
}

export async function authorize(input: Record<string, unknown>, ctx: Context, op: OperationDescription): Promise<void> {
  const { registryId, repositories } = addressed(input, ctx);
  const own = registryId === ctx.accountId;
  // Without a named repository there is no repository policy: registryOf refuses another account's registry.
  if (repositories.length === 0) return;
  const action = `ecr:${op.name}`;
  const caller = { principal: ctx.principal, accountId: ctx.accountId };
  for (const repository of repositories) {
    const text = await ctx.store.getRepositoryPolicy(registryId, repository);
    const policy = text === undefined ? undefined : ctx.policies.get(text);
    const verdict = policy && evaluatePolicy(policy, caller, action);
    const resource = repositoryArn(ctx.region, registryId, repository);
    if (verdict === "Deny") throw accessDenied(ctx.principal, action, resource, "explicit-deny");
    if (own) continue;
    // Another account's caller: under REGISTRY_POLICY_SCOPE V2 the registry's policy counts beside the repository's.
    const registryVerdict = await registryPolicyVerdict(ctx, registryId, caller, action, resource);
    if (registryVerdict === "Deny") throw accessDenied(ctx.principal, action, resource, "explicit-deny");
    if (verdict !== "Allow" && registryVerdict !== "Allow") throw accessDenied(ctx.principal, action, resource, "no-allow");
  }
  if (!own) ctx.grantedRegistryId = registryId;
}

async function registryPolicyVerdict(ctx: Context, registryId: string, caller: { principal: string; accountId: string }, action: string, resource: string) {
  if ((await accountSetting(ctx, registryId, "REGISTRY_POLICY_SCOPE")) !== "V2") return undefined;
  const text = await ctx.store.getRegistryPolicy(registryId);
  const policy = text === undefined ? undefined : ctx.policies.get(text, true);
  return policy && evaluatePolicy(policy, caller, action, resource);
}
