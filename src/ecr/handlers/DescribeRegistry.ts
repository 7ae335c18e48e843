// DescribeRegistry: the caller's registry and its replication configuration (no rules until one is put).
import type { DescribeRegistryRequest, DescribeRegistryResponse } from "../../../generated/types";
import type { Context } from "./context";

export async function DescribeRegistry(_input: DescribeRegistryRequest, context: Context): Promise<DescribeRegistryResponse> {
  return { registryId: context.accountId, replicationConfiguration: { rules: [] } };
}
