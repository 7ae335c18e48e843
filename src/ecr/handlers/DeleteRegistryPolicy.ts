// DeleteRegistryPolicy: removes the caller's registry's permissions policy and answers with it.
import type { DeleteRegistryPolicyRequest, DeleteRegistryPolicyResponse } from "../../../generated/types";
import { registryPolicyNotFound } from "../errors";
import type { Context } from "./context";

export async function DeleteRegistryPolicy(_input: DeleteRegistryPolicyRequest, context: Context): Promise<DeleteRegistryPolicyResponse> {
  const registryId = context.accountId;
  const policyText = await context.store.deleteRegistryPolicy(registryId);
  if (policyText === undefined) throw registryPolicyNotFound(registryId);
  return { registryId, policyText };
}
