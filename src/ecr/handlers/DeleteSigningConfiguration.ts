// DeleteSigningConfiguration: removes the caller's registry's signing rules; signatures already attached stay.
import type { DeleteSigningConfigurationRequest, DeleteSigningConfigurationResponse } from "../../../generated/types";
import { deleteSigningConfiguration } from "../signing";
import type { Context } from "./context";

export async function DeleteSigningConfiguration(_input: DeleteSigningConfigurationRequest, context: Context): Promise<DeleteSigningConfigurationResponse> {
  return { registryId: context.accountId, signingConfiguration: await deleteSigningConfiguration(context, context.accountId) };
}
