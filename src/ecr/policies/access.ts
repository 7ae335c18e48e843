// The authorize stage for ECR: a repository policy shares a repository with other accounts (an Allow for the caller
// and action), and its explicit Deny refuses even the owner, as IAM decides for resource policies.
import type { OperationDescription } from "../../framework/definition";
import { accessDenied } from "../errors";
import type { Context } from "../handlers/context";
import { evaluatePolicy, parsePolicy, type PolicyDocument, type PolicyRules } from "./iam-policy";

export const REPOSITORY_POLICY: PolicyRules = { resourceAllowed: false };
/** Registry policies grant what replication and pull-through caching need, and nothing else (ECR's registry scope). */
export const REGISTRY_POLICY: PolicyRules = {
  resourceAllowed: true,
  actionsWithin: ["ecr:ReplicateImage", "ecr:CreateRepository", "ecr:BatchImportUpstreamImage", "ecr:CreateRepositoryCreationTemplate"],
};

/** Parsed repository policies by text: a request reads its repository's policy, never parses it again. */
export class PolicyCache {
  private readonly parsed = new Map<string, PolicyDocument>();
  constructor(private readonly max = 1000) {}

  get(text: string): PolicyDocument | undefined {
    let doc = this.parsed.get(text);
    if (doc) return doc;
    doc = parsePolicy(text, REPOSITORY_POLICY);
    if (!doc) return undefined;
    if (this.parsed.size >= this.max) this.parsed.delete(this.parsed.keys().next().value!);
    this.parsed.set(text, doc);
    return doc;
  }
}

export async function authorize(input: Record<string, unknown>, ctx: Context, op: OperationDescription): Promise<void> {
  const registryId = typeof input.registryId === "string" ? input.registryId : ctx.accountId;
  const repository = typeof input.repositoryName === "string" ? input.repositoryName : undefined;
  const own = registryId === ctx.accountId;
  if (repository === undefined) return; // registryOf refuses another account's registry
  const text = await ctx.store.getRepositoryPolicy(registryId, repository);
  const policy = text === undefined ? undefined : ctx.policies.get(text);
  const action = `ecr:${op.name}`;
  const verdict = policy && evaluatePolicy(policy, { principal: ctx.principal, accountId: ctx.accountId }, action);
  const resource = `arn:aws:ecr:${ctx.region}:${registryId}:repository/${repository}`;
  if (verdict === "Deny") throw accessDenied(ctx.principal, action, resource, "explicit-deny");
  if (own) return;
  if (verdict !== "Allow") throw accessDenied(ctx.principal, action, resource, "no-allow");
  ctx.grantedRegistryId = registryId;
}
