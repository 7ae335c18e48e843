// GetAccountSetting: one of the caller's registry settings, as set or by default.
import type { GetAccountSettingRequest, GetAccountSettingResponse } from "../../../generated/types";
import { accountSetting } from "../account-settings";
import type { Context } from "./context";

export async function GetAccountSetting(input: GetAccountSettingRequest, context: Context): Promise<GetAccountSettingResponse> {
  return { name: input.name, value: await accountSetting(context, context.accountId, input.name) };
}
