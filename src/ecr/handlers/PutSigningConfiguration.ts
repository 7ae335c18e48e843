// PutSigningConfiguration: sets (replaces) the caller's registry's signing rules.
import type { PutSigningConfigurationRequest, PutSigningConfigurationResponse } from "../../../generated/types";
import { putSigningConfiguration } from "../signing";
import type { Context } from "./context";

export async function PutSigningConfiguration(input: PutSigningConfigurationRequest, context: Context): Promise<PutSigningConfigurationResponse> {
  await putSigningConfiguration(context, context.accountId, input.signingConfiguration);
  return { signingConfiguration: input.signingConfiguration };
}
