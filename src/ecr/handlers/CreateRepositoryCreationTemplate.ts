// CreateRepositoryCreationTemplate: a template of settings for the repositories the registry creates under a prefix.
import type { CreateRepositoryCreationTemplateRequest, CreateRepositoryCreationTemplateResponse } from "../../../generated/types";
import { createTemplate } from "../creation-templates";
import type { Context } from "./context";

export async function CreateRepositoryCreationTemplate(input: CreateRepositoryCreationTemplateRequest, context: Context): Promise<CreateRepositoryCreationTemplateResponse> {
  const registryId = context.accountId;
  return { registryId, repositoryCreationTemplate: await createTemplate(context, registryId, input) };
}
