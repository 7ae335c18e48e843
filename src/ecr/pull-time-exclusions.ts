// Pull time update exclusions: principals (IAM users and roles) whose pulls leave an image's lastRecordedPullTime as it
// was, so that a scanner or a cache warmer does not keep unused images looking used to lifecycle rules.
import { ExclusionAlreadyExistsException, ExclusionNotFoundException, LimitExceededException } from "../../generated/errors";
import type { Context } from "./handlers/context";

/** The most principals a registry may exclude (the longest list the model allows). */
export const MAX_EXCLUSIONS = 100;

// An assumed role's session (arn:aws:sts::<account>:assumed-role/<role>/<session>) pulls as its role, whose ARN may
// have a path the session's does not show: role names are unique in an account, so the name decides.
const ASSUMED_ROLE = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/;
const ROLE = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;

/** Whether the caller's pulls of the registry's images leave their pull time unchanged. */
export async function pullTimeExcluded(ctx: Context, registryId: string): Promise<boolean> {
  const session = ASSUMED_ROLE.exec(ctx.principal);
  if (!session) return (await ctx.store.getPullTimeUpdateExclusion(registryId, ctx.principal)) !== undefined;
  // At most MAX_EXCLUSIONS, read only when a pull would be recorded.
  const excluded = await ctx.store.listPullTimeUpdateExclusions(registryId, { limit: MAX_EXCLUSIONS });
  return excluded.some((arn) => {
    const role = ROLE.exec(arn);
    return role !== null && role[1] === session[1] && role[2] === session[2] && role[3] === session[3];
  });
}

export async function registerExclusion(ctx: Context, registryId: string, principalArn: string): Promise<number> {
  const at = ctx.now();
  const result = await ctx.store.addPullTimeUpdateExclusion(registryId, principalArn, at, MAX_EXCLUSIONS);
  if (result === "exists") {
    throw new ExclusionAlreadyExistsException({ message: `The principal '${principalArn}' is already excluded from pull time updates in the registry with id '${registryId}'` });
  }
  if (result === "limit") {
    throw new LimitExceededException({ message: `The registry with id '${registryId}' already has the maximum of ${MAX_EXCLUSIONS} pull time update exclusions` });
  }
  return at;
}

export async function deregisterExclusion(ctx: Context, registryId: string, principalArn: string): Promise<void> {
  if (!(await ctx.store.removePullTimeUpdateExclusion(registryId, principalArn))) {
    throw new ExclusionNotFoundException({ message: `The principal '${principalArn}' is not excluded from pull time updates in the registry with id '${registryId}'` });
  }
}
