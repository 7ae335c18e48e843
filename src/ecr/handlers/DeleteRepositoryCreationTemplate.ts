// DeleteRepositoryCreationTemplate: removes a template, answering what it held; repositories it created stay as they are.
import type { DeleteRepositoryCreationTemplateRequest, DeleteRepositoryCreationTemplateResponse } from "../../../generated/types";
import { deleteTemplate } from "../creation-templates";
import type { Context } from "./context";

export async function DeleteRepositoryCreationTemplate(input: DeleteRepositoryCreationTemplateRequest, context: Context): Promise<DeleteRepositoryCreationTemplateResponse> {
  const registryId = context.accountId;
  return { registryId, repositoryCreationTemplate: await deleteTemplate(context, registryId, input.prefix) };
}
