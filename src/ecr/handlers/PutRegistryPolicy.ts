// PutRegistryPolicy: the registry's permissions policy, checked for IAM's grammar and the actions its scope allows.
import type { PutRegistryPolicyRequest, PutRegistryPolicyResponse } from "../../../generated/types";
import { accountSetting } from "../account-settings";
import { invalidPolicy } from "../errors";
import { REGISTRY_POLICY } from "../policies/access";
import { parsePolicy } from "../policies/iam-policy";
import type { Context } from "./context";

export async function PutRegistryPolicy(input: PutRegistryPolicyRequest, context: Context): Promise<PutRegistryPolicyResponse> {
  const registryId = context.accountId;
  const scope = await accountSetting(context, registryId, "REGISTRY_POLICY_SCOPE");
  if (!parsePolicy(input.policyText, scope === "V1" ? REGISTRY_POLICY.V1 : REGISTRY_POLICY.V2)) throw invalidPolicy("registry");
  await context.store.putRegistryPolicy(registryId, input.policyText);
  return { registryId, policyText: input.policyText };
}
