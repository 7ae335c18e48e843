// DescribeRegistry: the caller's registry and its replication rules (none until some are put).
import type { DescribeRegistryRequest, DescribeRegistryResponse } from "../../../generated/types";
import { getReplicationConfiguration } from "../replication/configuration";
import type { Context } from "./context";

export async function DescribeRegistry(_input: DescribeRegistryRequest, context: Context): Promise<DescribeRegistryResponse> {
  return { registryId: context.accountId, replicationConfiguration: await getReplicationConfiguration(context, context.accountId) };
}
