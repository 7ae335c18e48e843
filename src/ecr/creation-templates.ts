// Repository creation templates: per namespace prefix (a repository `prod/api` is under `prod`, `ROOT` covers every
// repository no other template does), the settings a repository receives when the registry creates it itself. Here
// that is create-on-push: a push (either protocol) by the registry's own account to a repository that does not exist
// creates it when a CREATE_ON_PUSH template covers its name.
import { InvalidParameterException, LimitExceededException, TemplateAlreadyExistsException, TemplateNotFoundException } from "../../generated/errors";
import type { CreateRepositoryCreationTemplateRequest, RCTAppliedFor, RepositoryCreationTemplate } from "../../generated/types";
import type { CreationTemplateRecord, RepositoryRecord } from "../storage/types";
import { invalidPolicy } from "./errors";
import type { Context } from "./handlers/context";
import { checkTagMutability } from "./images";
import { parseLifecyclePolicy } from "./lifecycle/policy";
import { REPOSITORY_POLICY } from "./policies/access";
import { parsePolicy } from "./policies/iam-policy";
import { checkTags } from "./tags";
import { coveringPrefixes } from "./repository-prefixes";

/** Templates a registry may have. */
export const MAX_TEMPLATES = 100;
// The model's RepositoryName: a name pushed over /v2 is checked as CreateRepository's would be.
const REPOSITORY_NAME = /^(?=.{2,256}$)[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/;

type Settings = Omit<RepositoryCreationTemplate, "prefix" | "createdAt" | "updatedAt">;

// No public capture of AWS's wording; in the style of its other not-found messages.
const notFound = (registryId: string, prefix: string) =>
  new TemplateNotFoundException({ message: `The repository creation template with prefix '${prefix}' does not exist in the registry with id '${registryId}'` });

/** The settings of a create or update request, checked as CreateRepository and the policy operations check them. */
function checkSettings(registryId: string, s: Settings): Settings {
  if (s.appliedFor !== undefined && !s.appliedFor.length) {
    throw new InvalidParameterException({ message: "Invalid parameter at 'appliedFor' failed to satisfy constraint: 'must name at least one of [REPLICATION, PULL_THROUGH_CACHE, CREATE_ON_PUSH]'" });
  }
  if (s.imageTagMutability !== undefined || s.imageTagMutabilityExclusionFilters !== undefined) {
    checkTagMutability(s.imageTagMutability ?? "MUTABLE", s.imageTagMutabilityExclusionFilters);
  }
  if (s.encryptionConfiguration?.encryptionType === "AES256" && s.encryptionConfiguration.kmsKey) {
    throw new InvalidParameterException({ message: "A kmsKey can only be given with KMS or KMS_DSSE encryption" });
  }
  if (s.resourceTags) checkTags(s.resourceTags);
  if (s.repositoryPolicy && !parsePolicy(s.repositoryPolicy, REPOSITORY_POLICY)) throw invalidPolicy("repository");
  if (s.lifecyclePolicy) parseLifecyclePolicy(s.lifecyclePolicy);
  if (s.customRoleArn && !new RegExp(`^arn:aws[a-z-]*:iam::${registryId}:role/[\\w+=,.@/-]+$`).test(s.customRoleArn)) {
    throw new InvalidParameterException({ message: `Invalid parameter at 'customRoleArn' failed to satisfy constraint: 'must be the ARN of an IAM role of the account ${registryId}'` });
  }
  const picked: Settings = {};
  for (const key of ["description", "encryptionConfiguration", "resourceTags", "imageTagMutability", "imageTagMutabilityExclusionFilters", "repositoryPolicy", "lifecyclePolicy", "appliedFor", "customRoleArn"] as const) {
    if (s[key] !== undefined) (picked as Record<string, unknown>)[key] = s[key];
  }
  return picked;
}

function toTemplate(r: CreationTemplateRecord): RepositoryCreationTemplate {
  let settings: Settings = {};
  try {
    settings = JSON.parse(r.settings) as Settings;
  } catch {
    // A record this service did not write reads as empty settings.
  }
  return { prefix: r.prefix, ...settings, createdAt: new Date(r.createdAt), updatedAt: new Date(r.updatedAt) };
}

export async function createTemplate(ctx: Context, registryId: string, input: CreateRepositoryCreationTemplateRequest): Promise<RepositoryCreationTemplate> {
  const { prefix, ...rest } = input;
  const settings = checkSettings(registryId, rest);
  const now = ctx.now();
  const record = { prefix, settings: JSON.stringify(settings), createdAt: now, updatedAt: now };
  switch (await ctx.store.addCreationTemplate(registryId, record, MAX_TEMPLATES)) {
    case "exists":
      throw new TemplateAlreadyExistsException({ message: `The repository creation template with prefix '${prefix}' already exists in the registry with id '${registryId}'` });
    case "limit":
      throw new LimitExceededException({ message: `The registry with id '${registryId}' already has the maximum of ${MAX_TEMPLATES} repository creation templates` });
  }
  return toTemplate(record);
}

/** Changes the settings given; those left out stay as they were. */
export async function updateTemplate(ctx: Context, registryId: string, prefix: string, changes: Settings): Promise<RepositoryCreationTemplate> {
  const current = await ctx.store.getCreationTemplate(registryId, prefix);
  if (!current) throw notFound(registryId, prefix);
  const { prefix: _, createdAt: __, updatedAt: ___, ...settings } = toTemplate(current);
  // A new mutability setting comes with its own exclusion filters, or none.
  if (changes.imageTagMutability !== undefined) delete settings.imageTagMutabilityExclusionFilters;
  const merged = checkSettings(registryId, { ...settings, ...checkSettings(registryId, changes) });
  const now = ctx.now();
  if (!(await ctx.store.updateCreationTemplate(registryId, prefix, JSON.stringify(merged), now))) throw notFound(registryId, prefix);
  return { prefix, ...merged, createdAt: new Date(current.createdAt), updatedAt: new Date(now) };
}

export async function deleteTemplate(ctx: Context, registryId: string, prefix: string): Promise<RepositoryCreationTemplate> {
  const deleted = await ctx.store.deleteCreationTemplate(registryId, prefix);
  if (!deleted) throw notFound(registryId, prefix);
  return toTemplate(deleted);
}

/** The named templates (unknown prefixes left out), or a page of all of them by prefix. */
export async function describeTemplates(ctx: Context, registryId: string, prefixes: string[] | undefined, page: { after?: string; limit: number }): Promise<{ templates: RepositoryCreationTemplate[]; more: boolean }> {
  if (prefixes?.length) {
    const templates = [];
    for (const prefix of [...new Set(prefixes)].sort()) {
      const found = await ctx.store.getCreationTemplate(registryId, prefix);
      if (found) templates.push(toTemplate(found));
    }
    return { templates, more: false };
  }
  const rows = await ctx.store.listCreationTemplates(registryId, { after: page.after, limit: page.limit + 1 });
  return { templates: rows.slice(0, page.limit).map(toTemplate), more: rows.length > page.limit };
}

/**
 * The template that applies when the registry creates `name` for `scenario`: the one of the longest prefix the name
 * is under (a prefix stands for itself followed by `/`), else ROOT's. Lookups by key, as many as the name has parts.
 */
export async function templateFor(ctx: Context, registryId: string, name: string, scenario: RCTAppliedFor): Promise<RepositoryCreationTemplate | undefined> {
  for (const prefix of coveringPrefixes(name)) {
    const found = await ctx.store.getCreationTemplate(registryId, prefix);
    if (!found) continue;
    const template = toTemplate(found);
    // The most specific template decides; ROOT serves only names no other template covers.
    return template.appliedFor?.includes(scenario) ? template : undefined;
  }
  return undefined;
}

/** Creates `name` with the template's settings (and AWS's defaults for what it leaves out), with its policies. */
export async function createFromTemplate(ctx: Context, registryId: string, name: string, template: RepositoryCreationTemplate): Promise<"created" | "exists" | "limit"> {
  const record: RepositoryRecord = {
    name,
    createdAt: ctx.now(),
    imageTagMutability: template.imageTagMutability ?? "MUTABLE",
    ...(template.imageTagMutabilityExclusionFilters ? { imageTagMutabilityExclusionFilters: template.imageTagMutabilityExclusionFilters } : {}),
    scanOnPush: false,
    encryptionType: template.encryptionConfiguration?.encryptionType ?? "AES256",
    ...(template.encryptionConfiguration?.kmsKey ? { kmsKey: template.encryptionConfiguration.kmsKey } : {}),
  };
  return ctx.store.createRepository(registryId, record, template.resourceTags ?? [], ctx.settings, {
    ...(template.repositoryPolicy ? { repositoryPolicy: template.repositoryPolicy } : {}),
    ...(template.lifecyclePolicy ? { lifecyclePolicy: template.lifecyclePolicy } : {}),
  });
}

/**
 * Whether a push may go on after finding no repository `name`: true once a CREATE_ON_PUSH template created it (or a
 * concurrent push did). Only the registry's own account creates; another account's push finds no repository.
 */
export async function createOnPush(ctx: Context, registryId: string, name: string): Promise<boolean> {
  if (registryId !== ctx.accountId || !REPOSITORY_NAME.test(name)) return false;
  const template = await templateFor(ctx, registryId, name, "CREATE_ON_PUSH");
  if (!template) return false;
  const created = await createFromTemplate(ctx, registryId, name, template);
  if (created === "limit") {
    throw new LimitExceededException({ message: `The registry with id '${registryId}' already has the maximum of ${ctx.settings.maxRepositoriesPerRegistry} repositories` });
  }
  return true;
}
