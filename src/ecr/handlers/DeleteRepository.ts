// DeleteRepository: refused while it holds images unless forced; takes its images, uploads and layers with it.
import type { DeleteRepositoryRequest, DeleteRepositoryResponse } from "../../../generated/types";
import { repositoryNotEmpty, repositoryNotFound } from "../errors";
import { registryOf, requireRepository, toRepository } from "../repositories";
import type { Context } from "./context";

export async function DeleteRepository(input: DeleteRepositoryRequest, context: Context): Promise<DeleteRepositoryResponse> {
  const registryId = registryOf(input, context);
  const name = input.repositoryName;
  return context.repositoryLocks.run(`${registryId}/${name}`, async () => {
    await requireRepository(context, registryId, name);
    if (!input.force && (await context.store.countImages(registryId, name)) > 0) throw repositoryNotEmpty(registryId, name);
    const deleted = await context.store.deleteRepository(registryId, name);
    if (!deleted) throw repositoryNotFound(registryId, name);
    return { repository: toRepository(deleted, registryId, context) };
  });
}
