// DeleteRepository: takes the repository's uploads and layer references with it.
// (RepositoryNotEmptyException needs images, which PutImage brings.)
import type { DeleteRepositoryRequest, DeleteRepositoryResponse } from "../../../generated/types";
import { repositoryNotFound } from "../errors";
import { registryOf, toRepository } from "../repositories";
import type { Context } from "./context";

export async function DeleteRepository(input: DeleteRepositoryRequest, context: Context): Promise<DeleteRepositoryResponse> {
  const registryId = registryOf(input, context);
  const deleted = await context.store.deleteRepository(registryId, input.repositoryName);
  if (!deleted) throw repositoryNotFound(registryId, input.repositoryName);
  return { repository: toRepository(deleted, registryId, context) };
}
