// GetSigningConfiguration: the caller's registry's signing rules.
import type { GetSigningConfigurationRequest, GetSigningConfigurationResponse } from "../../../generated/types";
import { getSigningConfiguration } from "../signing";
import type { Context } from "./context";

export async function GetSigningConfiguration(_input: GetSigningConfigurationRequest, context: Context): Promise<GetSigningConfigurationResponse> {
  return { registryId: context.accountId, signingConfiguration: await getSigningConfiguration(context, context.accountId) };
}
