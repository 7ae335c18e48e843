// DeregisterPullTimeUpdateExclusion: the principal's pulls of the caller's registry update pull times again.
import type { DeregisterPullTimeUpdateExclusionRequest, DeregisterPullTimeUpdateExclusionResponse } from "../../../generated/types";
import { deregisterExclusion } from "../pull-time-exclusions";
import type { Context } from "./context";

export async function DeregisterPullTimeUpdateExclusion(
  input: DeregisterPullTimeUpdateExclusionRequest,
  context: Context,
): Promise<DeregisterPullTimeUpdateExclusionResponse> {
  await deregisterExclusion(context, context.accountId, input.principalArn);
  return { principalArn: input.principalArn };
}
