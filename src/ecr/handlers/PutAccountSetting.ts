// PutAccountSetting: changes one of the caller's registry settings (the names and values account-settings.ts knows).
import type { PutAccountSettingRequest, PutAccountSettingResponse } from "../../../generated/types";
import { putAccountSetting } from "../account-settings";
import type { Context } from "./context";

export async function PutAccountSetting(input: PutAccountSettingRequest, context: Context): Promise<PutAccountSettingResponse> {
  await putAccountSetting(context, context.accountId, input.name, input.value);
  return { name: input.name, value: input.value };
}
