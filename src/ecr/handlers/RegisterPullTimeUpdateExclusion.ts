// RegisterPullTimeUpdateExclusion: the principal's pulls of the caller's registry stop updating pull times.
import type { RegisterPullTimeUpdateExclusionRequest, RegisterPullTimeUpdateExclusionResponse } from "../../../generated/types";
import { registerExclusion } from "../pull-time-exclusions";
import type { Context } from "./context";

export async function RegisterPullTimeUpdateExclusion(
  input: RegisterPullTimeUpdateExclusionRequest,
  context: Context,
): Promise<RegisterPullTimeUpdateExclusionResponse> {
  const at = await registerExclusion(context, context.accountId, input.principalArn);
  return { principalArn: input.principalArn, createdAt: new Date(at) };
}
