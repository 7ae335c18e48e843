// Managed signing: a registry's signing rules say which signing profile signs the images pushed to which
// repositories. Nothing here signs (AWS Signer is not local); an image's signing status is read from the signatures
// actually attached to it through the referrers relation: a Notary Project signature whose manifest names the profile
// in the `com.amazonaws.signer.signingProfileVersion` annotation (the attribute Signer records; its value is the
// profile's ARN with a version) is that profile's signature.
import type { ImageSigningStatus, SigningConfiguration, SigningRule } from "../../generated/types";
import { SigningConfigurationNotFoundException } from "../../generated/errors";
import type { ImageRecord } from "../storage/types";
import type { Context } from "./handlers/context";
import { wildcardMatch } from "./images";

export const NOTARY_SIGNATURE = "application/vnd.cncf.notary.signature";
export const PROFILE_ANNOTATION = "com.amazonaws.signer.signingProfileVersion";

// No public capture from AWS; worded like the registry policy's.
const notFound = (registryId: string) =>
  new SigningConfigurationNotFoundException({ message: `Signing configuration does not exist in the registry with id '${registryId}'` });

export async function putSigningConfiguration(ctx: Context, registryId: string, configuration: SigningConfiguration): Promise<void> {
  await ctx.store.putSigningConfiguration(registryId, { rules: JSON.stringify(configuration.rules), updatedAt: ctx.now() });
}

export async function getSigningConfiguration(ctx: Context, registryId: string): Promise<SigningConfiguration> {
  const record = await ctx.store.getSigningConfiguration(registryId);
  if (!record) throw notFound(registryId);
  return { rules: JSON.parse(record.rules) as SigningRule[] };
}

export async function deleteSigningConfiguration(ctx: Context, registryId: string): Promise<SigningConfiguration> {
  const record = await ctx.store.deleteSigningConfiguration(registryId);
  if (!record) throw notFound(registryId);
  return { rules: JSON.parse(record.rules) as SigningRule[] };
}

const covers = (rule: SigningRule, repository: string) =>
  !rule.repositoryFilters?.length || rule.repositoryFilters.some((f) => wildcardMatch(f.filter, repository));

/**
 * One status per signing profile whose rule covers the repository, for an image pushed while the rules were in place:
 * COMPLETE once a signature by that profile is attached, IN_PROGRESS until then.
 */
export async function signingStatuses(ctx: Context, registryId: string, repository: string, image: ImageRecord): Promise<ImageSigningStatus[]> {
  const record = await ctx.store.getSigningConfiguration(registryId);
  if (!record || image.pushedAt < record.updatedAt) return [];
  const profiles = [...new Set((JSON.parse(record.rules) as SigningRule[]).filter((r) => covers(r, repository)).map((r) => r.signingProfileArn))];
  if (!profiles.length) return [];
  const signedBy = await signatureProfiles(ctx, registryId, repository, image.digest);
  return profiles.map((signingProfileArn) => ({
    signingProfileArn,
    status: [...signedBy].some((version) => version === signingProfileArn || version.startsWith(`${signingProfileArn}/`)) ? "COMPLETE" : "IN_PROGRESS",
  }));
}

/** The profile versions named by the Notary signatures attached to the image. */
async function signatureProfiles(ctx: Context, registryId: string, repository: string, digest: string): Promise<Set<string>> {
  const out = new Set<string>();
  for (let after: string | undefined; ; ) {
    const digests = await ctx.store.listReferrers(registryId, repository, digest, { after, limit: 100 });
    for (const d of digests) {
      const referrer = await ctx.store.getImage(registryId, repository, d);
      if (referrer?.artifactMediaType !== NOTARY_SIGNATURE) continue;
      const { annotations } = JSON.parse(referrer.manifest) as { annotations?: Record<string, unknown> };
      const version = annotations?.[PROFILE_ANNOTATION];
      if (typeof version === "string") out.add(version);
    }
    if (digests.length < 100) return out;
    after = digests[digests.length - 1];
  }
}
