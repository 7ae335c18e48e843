// GetRegistryScanningConfiguration: the registry's scanning type and rules (BASIC and none until put).
import type { GetRegistryScanningConfigurationRequest, GetRegistryScanningConfigurationResponse } from "../../../generated/types";
import { getRegistryScanning } from "../scanning/configuration";
import type { Context } from "./context";

export async function GetRegistryScanningConfiguration(_input: GetRegistryScanningConfigurationRequest, context: Context): Promise<GetRegistryScanningConfigurationResponse> {
  const registryId = context.accountId;
  const { scanType, rules } = await getRegistryScanning(context, registryId);
  return { registryId, scanningConfiguration: { scanType, rules } };
}
