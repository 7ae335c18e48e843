// PutRegistryPolicy: the registry's permissions policy, checked for IAM's grammar and the registry-level actions.
import type { PutRegistryPolicyRequest, PutRegistryPolicyResponse } from "../../../generated/types";
import { invalidPolicy } from "../errors";
import { REGISTRY_POLICY } from "../policies/access";
import { parsePolicy } from "../policies/iam-policy";
import type { Context } from "./context";

export async function PutRegistryPolicy(input: PutRegistryPolicyRequest, context: Context): Promise<PutRegistryPolicyResponse> {
  const registryId = context.accountId;
  if (!parsePolicy(input.policyText, REGISTRY_POLICY)) throw invalidPolicy("registry");
  await context.store.putRegistryPolicy(registryId, input.policyText);
  return { registryId, policyText: input.policyText };
}
