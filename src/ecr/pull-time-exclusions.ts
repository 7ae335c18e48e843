// Pull time update exclusions: principals (IAM users and roles) whose pulls leave an image's lastRecordedPullTime as it
// was, so that a scanner or a cache warmer does not keep unused images looking used to lifecycle rules.
import { ExclusionAlreadyExistsException, ExclusionNotFoundException, LimitExceededException } from "../../generated/errors";
import type { Context } from "./handlers/context";

/** The most principals a registry may exclude (the longest list the model allows). */
export const MAX_EXCLUSIONS = 100;

// An assumed role's session (arn:aws:sts::<account>:assumed-role/<role>/<session>) pulls as its role.
const ASSUMED_ROLE = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/(.+)\/[^/]+$/;

/** The IAM user or role a caller's principal is, as exclusions name it. */
export function excludableArn(principal: string): string {
  const m = ASSUMED_ROLE.exec(principal);
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : principal;
}

/** Whether the caller's pulls of the registry's images leave their pull time unchanged. */
export async function pullTimeExcluded(ctx: Context, registryId: string): Promise<boolean> {
  return (await ctx.store.getPullTimeUpdateExclusion(registryId, excludableArn(ctx.principal))) !== undefined;
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
