// PutRegistryScanningConfiguration: sets the registry's scanning type and rules, which from then on decide which
// repositories' images are scanned on push.
import type { PutRegistryScanningConfigurationRequest, PutRegistryScanningConfigurationResponse } from "../../../generated/types";
import { putRegistryScanning } from "../scanning/configuration";
import type { Context } from "./context";

export async function PutRegistryScanningConfiguration(input: PutRegistryScanningConfigurationRequest, context: Context): Promise<PutRegistryScanningConfigurationResponse> {
  const registryScanningConfiguration = await putRegistryScanning(context, context.accountId, input);
  return { registryScanningConfiguration };
}
