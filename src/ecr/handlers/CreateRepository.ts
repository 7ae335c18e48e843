// CreateRepository: a new, empty repository with AWS's defaults for what the request leaves out.
import { InvalidParameterException, LimitExceededException } from "../../../generated/errors";
import type { CreateRepositoryRequest, CreateRepositoryResponse } from "../../../generated/types";
import { repositoryAlreadyExists } from "../errors";
import { registryOf, toRepository } from "../repositories";
import { checkTags } from "../tags";
import type { Context } from "./context";

export async function CreateRepository(input: CreateRepositoryRequest, context: Context): Promise<CreateRepositoryResponse> {
  const registryId = registryOf(input, context);
  const mutability = input.imageTagMutability ?? "MUTABLE";
  const filters = input.imageTagMutabilityExclusionFilters;
  const withExclusions = mutability.endsWith("_WITH_EXCLUSION");
  if (withExclusions && !filters?.length) {
    throw new InvalidParameterException({ message: `imageTagMutabilityExclusionFilters are required when imageTagMutability is ${mutability}` });
  }
  if (!withExclusions && filters?.length) {
    throw new InvalidParameterException({ message: `imageTagMutabilityExclusionFilters are only allowed with MUTABLE_WITH_EXCLUSION or IMMUTABLE_WITH_EXCLUSION` });
  }
  const encryption = input.encryptionConfiguration ?? { encryptionType: "AES256" };
  if (encryption.encryptionType === "AES256" && encryption.kmsKey) {
    throw new InvalidParameterException({ message: "A kmsKey can only be given with KMS or KMS_DSSE encryption" });
  }
  const tags = checkTags(input.tags ?? []);
  const record = {
    name: input.repositoryName,
    createdAt: context.now(),
    imageTagMutability: mutability,
    ...(withExclusions ? { imageTagMutabilityExclusionFilters: filters } : {}),
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
