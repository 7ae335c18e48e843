// UpdateRepositoryCreationTemplate: changes the settings given; the others stay.
import type { UpdateRepositoryCreationTemplateRequest, UpdateRepositoryCreationTemplateResponse } from "../../../generated/types";
import { updateTemplate } from "../creation-templates";
import type { Context } from "./context";

export async function UpdateRepositoryCreationTemplate(input: UpdateRepositoryCreationTemplateRequest, context: Context): Promise<UpdateRepositoryCreationTemplateResponse> {
  const registryId = context.accountId;
  const { prefix, ...changes } = input;
  return { registryId, repositoryCreationTemplate: await updateTemplate(context, registryId, prefix, changes) };
}
