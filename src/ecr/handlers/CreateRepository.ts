// CreateRepository: a new, empty repository with AWS's defaults for what the request leaves out.
import { InvalidParameterException, LimitExceededException } from "../../../generated/errors";
import type { CreateRepositoryRequest, CreateRepositoryResponse } from "../../../generated/types";
import { repositoryAlreadyExists } from "../errors";
import { checkTagMutability } from "../images";
import { registryOf, toRepository } from "../repositories";
import { checkTags } from "../tags";
import type { Context } from "./context";

export async function CreateRepository(input: CreateRepositoryRequest, context: Context): Promise<CreateRepositoryResponse> {
  const registryId = registryOf(input, context);
  const { imageTagMutability, imageTagMutabilityExclusionFilters } = checkTagMutability(input.imageTagMutability ?? "MUTABLE", input.imageTagMutabilityExclusionFilters);
  const encryption = input.encryptionConfiguration ?? { encryptionType: "AES256" };
  if (encryption.encryptionType === "AES256" && encryption.kmsKey) {
    throw new InvalidParameterException({ message: "A kmsKey can only be given with KMS or KMS_DSSE encryption" });
  }
  const tags = checkTags(input.tags ?? []);
  const record = {
    name: input.repositoryName,
    createdAt: context.now(),
    imageTagMutability,
    ...(imageTagMutabilityExclusionFilters ? { imageTagMutabilityExclusionFilters } : {}),
    scanOnPush: input.imageScanningConfiguration?.scanOnPush ?? false,
    encryptionType: encryption.encryptionType,
    ...(encryption.kmsKey ? { kmsKey: encryption.kmsKey } : {}),
  };
  switch (await context.store.createRepository(registryId, record, tags, context.settings)) {
    case "exists":
      throw repositoryAlreadyExists(registryId, input.repositoryName);
    case "limit":
      throw new LimitExceededException({
        message: `The registry with id '${registryId}' already has the maximum of ${context.settings.maxRepositoriesPerRegistry} repositories`,
      });
  }
  return { repository: toRepository(record, registryId, context) };
}
