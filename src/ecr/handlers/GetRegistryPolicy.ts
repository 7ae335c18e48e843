// GetRegistryPolicy: the caller's registry's permissions policy.
import type { GetRegistryPolicyRequest, GetRegistryPolicyResponse } from "../../../generated/types";
import { registryPolicyNotFound } from "../errors";
import type { Context } from "./context";

export async function GetRegistryPolicy(_input: GetRegistryPolicyRequest, context: Context): Promise<GetRegistryPolicyResponse> {
  const registryId = context.accountId;
  const policyText = await context.store.getRegistryPolicy(registryId);
  if (policyText === undefined) throw registryPolicyNotFound(registryId);
  return { registryId, policyText };
}
