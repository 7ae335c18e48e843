// Managed signing: a registry's signing rules say which signing profile signs the images pushed to which
// repositories. What covers an image is decided when it is pushed and kept with it, as AWS starts a signing job then:
// later changes to the rules, or their deletion, leave it. Nothing here signs (AWS Signer is not local); an image's
// signing status is read from the Notary Project signatures attached to it through the referrers relation. A
// signature is a profile's when it names the profile's version in `com.amazonaws.signer.signingProfileVersion`: in
// the JWS envelope's protected header, where Signer's notation plugin puts it, or as a manifest annotation.
import { SigningConfigurationNotFoundException } from "../../generated/errors";
import type { ImageSigningStatus, SigningConfiguration, SigningRule } from "../../generated/types";
import type { ImageRecord } from "../storage/types";
import type { Context } from "./handlers/context";
import { wildcardMatch } from "./images";
import type { ParsedManifest } from "./manifests";
import { storedRules } from "./stored-rules";

export const NOTARY_SIGNATURE = "application/vnd.cncf.notary.signature";
export const PROFILE_VERSION = "com.amazonaws.signer.signingProfileVersion";
const JWS_ENVELOPE = "application/jose+json";
/** Notation's envelopes are a few KiB; a bigger layer is not read. */
const MAX_ENVELOPE_BYTES = 64 * 1024;

// No public capture from AWS; worded like the registry policy's.
const notFound = (registryId: string) =>
  new SigningConfigurationNotFoundException({ message: `Signing configuration does not exist in the registry with id '${registryId}'` });

const rulesOf = (text: string) => storedRules<SigningRule>(text);

export async function putSigningConfiguration(ctx: Context, registryId: string, configuration: SigningConfiguration): Promise<void> {
  await ctx.store.putSigningConfiguration(registryId, JSON.stringify(configuration.rules));
}

export async function getSigningConfiguration(ctx: Context, registryId: string): Promise<SigningConfiguration> {
  const rules = await ctx.store.getSigningConfiguration(registryId);
  if (rules === undefined) throw notFound(registryId);
  return { rules: rulesOf(rules) };
}

export async function deleteSigningConfiguration(ctx: Context, registryId: string): Promise<SigningConfiguration> {
  const rules = await ctx.store.deleteSigningConfiguration(registryId);
  if (rules === undefined) throw notFound(registryId);
  return { rules: rulesOf(rules) };
}

const covers = (rule: SigningRule, repository: string) =>
  !rule.repositoryFilters?.length || rule.repositoryFilters.some((f) => wildcardMatch(f.filter, repository));

/**
 * What a new image records of signing when it is pushed: the profiles whose rules cover it (none for an artifact that
 * refers to another image, a signature above all: signatures are not signed), and for a Notary signature the profile
 * version that made it.
 */
export async function signingAtPush(
  ctx: Context,
  registryId: string,
  repository: string,
  parsed: ParsedManifest,
  manifest: string,
): Promise<Pick<ImageRecord, "signingProfiles" | "signedBy">> {
  if (parsed.subject) {
    const signedBy = parsed.artifactMediaType === NOTARY_SIGNATURE ? await profileVersionOf(ctx, registryId, parsed, manifest) : undefined;
    return signedBy === undefined ? {} : { signedBy };
  }
  const rules = await ctx.store.getSigningConfiguration(registryId);
  if (rules === undefined) return {};
  const profiles = [...new Set(rulesOf(rules).filter((r) => covers(r, repository)).map((r) => r.signingProfileArn))];
  return profiles.length ? { signingProfiles: profiles } : {};
}

/** The profile version a signature names: in its manifest's annotations, else in its JWS envelope's protected header. */
async function profileVersionOf(ctx: Context, registryId: string, parsed: ParsedManifest, manifest: string): Promise<string | undefined> {
  const annotated = (JSON.parse(manifest) as { annotations?: Record<string, unknown> }).annotations?.[PROFILE_VERSION];
  if (typeof annotated === "string") return annotated;
  const envelope = parsed.blobs.find((b) => b.mediaType === JWS_ENVELOPE && b.size <= MAX_ENVELOPE_BYTES);
  if (!envelope) return undefined;
  const blob = await ctx.store.openBlob(registryId, envelope.digest);
  if (!blob || blob.size > MAX_ENVELOPE_BYTES) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of blob.stream(0, blob.size - 1)) chunks.push(Buffer.from(chunk as Uint8Array));
  try {
    const { protected: header } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { protected?: unknown };
    if (typeof header !== "string") return undefined;
    const version = (JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as Record<string, unknown>)[PROFILE_VERSION];
    return typeof version === "string" ? version : undefined;
  } catch {
    return undefined;
  }
}

// A profile's version ARN is the profile's ARN and one more segment.
const isVersionOf = (version: string, profile: string) => version === profile || (version.startsWith(`${profile}/`) && !version.slice(profile.length + 1).includes("/"));

/** One status per profile that covered the image when pushed: COMPLETE once its signature is attached, else IN_PROGRESS. */
export async function signingStatuses(ctx: Context, registryId: string, repository: string, image: ImageRecord): Promise<ImageSigningStatus[]> {
  const profiles = await ctx.store.listImageSigningProfiles(registryId, repository, image.digest);
  if (!profiles.length) return [];
  const signedBy = await ctx.store.listSignedBy(registryId, repository, image.digest);
  return profiles.map((signingProfileArn) => ({
    signingProfileArn,
    status: signedBy.some((v) => isVersionOf(v, signingProfileArn)) ? "COMPLETE" : "IN_PROGRESS",
  }));
}
