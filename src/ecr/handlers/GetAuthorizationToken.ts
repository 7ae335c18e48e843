// GetAuthorizationToken: a 12-hour `AWS:<password>` credential for the registry protocol, for each registry asked
// about (only the caller's own may be), and the endpoint to log in to: the configured registry host, else the host the
// client reached this server by.
import type { AuthorizationData, GetAuthorizationTokenRequest, GetAuthorizationTokenResponse } from "../../../generated/types";
import { registryOf } from "../repositories";
import type { Context } from "./context";

export async function GetAuthorizationToken(input: GetAuthorizationTokenRequest, context: Context): Promise<GetAuthorizationTokenResponse> {
  const registries = input.registryIds?.length ? [...new Set(input.registryIds.map((registryId) => registryOf({ registryId }, context)))] : [context.accountId];
  const host = context.settings.registryHost ?? context.headers.host ?? "127.0.0.1";
  const authorizationData: AuthorizationData[] = registries.map((registryId) => {
    const { password, expiresAt } = context.registryPasswords.issue(registryId, context.principal, context.settings.authorizationTokenTtlMs);
    return {
      authorizationToken: Buffer.from(`AWS:${password}`).toString("base64"),
      expiresAt: new Date(expiresAt),
      proxyEndpoint: `http://${host}`,
    };
  });
  return { authorizationData };
}
