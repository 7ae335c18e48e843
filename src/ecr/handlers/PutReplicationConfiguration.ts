// PutReplicationConfiguration: replaces the caller's registry's replication rules (checked: destinations distinct from
// the source, at most 25 of them); images pushed afterwards are copied.
import type { PutReplicationConfigurationRequest, PutReplicationConfigurationResponse } from "../../../generated/types";
import { putReplicationConfiguration } from "../replication/configuration";
import type { Context } from "./context";

export async function PutReplicationConfiguration(input: PutReplicationConfigurationRequest, context: Context): Promise<PutReplicationConfigurationResponse> {
  return { replicationConfiguration: await putReplicationConfiguration(context, context.accountId, input.replicationConfiguration) };
}
