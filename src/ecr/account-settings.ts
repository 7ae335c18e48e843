// A registry's account settings: each name, the values it takes, its default, and what it changes here.
// BASIC_SCAN_TYPE_VERSION picks the basic scanning engine; REGISTRY_POLICY_SCOPE says what a registry policy may grant
// (V1: what replication and pull-through caching need; V2: any ECR action, and it counts in deciding another account's
// access to a repository); BLOB_MOUNTING lets the registry protocol
// mount a layer from another repository instead of taking its bytes again.
import { InvalidParameterException } from "../../generated/errors";
import type { Context } from "./handlers/context";
import type { EcrSettings } from "./settings";

interface AccountSetting {
  values: readonly string[];
  /** The value of a registry that never set it. */
  default(settings: EcrSettings): string;
}

const SETTINGS: Record<string, AccountSetting> = {
  BASIC_SCAN_TYPE_VERSION: { values: ["AWS_NATIVE"], default: () => "AWS_NATIVE" },
  BLOB_MOUNTING: { values: ["ENABLED", "DISABLED"], default: (s) => (s.blobMounting ? "ENABLED" : "DISABLED") },
  // New AWS registries get V2.
  REGISTRY_POLICY_SCOPE: { values: ["V1", "V2"], default: () => "V2" },
};

export type AccountSettingName = "BASIC_SCAN_TYPE_VERSION" | "BLOB_MOUNTING" | "REGISTRY_POLICY_SCOPE";

function settingNamed(name: string): AccountSetting {
  const setting = Object.hasOwn(SETTINGS, name) ? SETTINGS[name] : undefined;
  if (!setting) {
    throw new InvalidParameterException({
      message: `Invalid parameter at 'name' failed to satisfy constraint: 'must be one of ${Object.keys(SETTINGS).join(", ")}'`,
    });
  }
  return setting;
}

/** The setting's value in the registry: as set, or its default. */
export async function accountSetting(ctx: Context, registryId: string, name: string): Promise<string> {
  const setting = settingNamed(name);
  return (await ctx.store.getAccountSetting(registryId, name)) ?? setting.default(ctx.settings);
}

export async function putAccountSetting(ctx: Context, registryId: string, name: string, value: string): Promise<void> {
  const setting = settingNamed(name);
  if (!setting.values.includes(value)) {
    throw new InvalidParameterException({
      message: `Invalid parameter at 'value' failed to satisfy constraint: 'must be one of ${setting.values.join(", ")} for ${name}'`,
    });
  }
  await ctx.store.putAccountSetting(registryId, name, value);
}
