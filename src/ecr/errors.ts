// ECR's errors with AWS's wording, so that every handler says the same thing the same way.
import * as E from "../../generated/errors";
import { ProtocolError, type ConstraintViolation } from "../framework";

export const repositoryNotFound = (registryId: string, name: string) =>
  new E.RepositoryNotFoundException({ message: `The repository with name '${name}' does not exist in the registry with id '${registryId}'` });

export const repositoryAlreadyExists = (registryId: string, name: string) =>
  new E.RepositoryAlreadyExistsException({ message: `The repository with name '${name}' already exists in the registry with id '${registryId}'` });

export const repositoryNotEmpty = (registryId: string, name: string) =>
  new E.RepositoryNotEmptyException({
    message: `The repository with name '${name}' in registry with id '${registryId}' cannot be deleted because it still contains images`,
  });

export const uploadNotFound = (registryId: string, name: string, uploadId: string) =>
  new E.UploadNotFoundException({
    message: `The upload with id '${uploadId}' does not exist in the repository with name '${name}' in the registry with id '${registryId}'`,
  });

export const invalidLayerPart = (registryId: string, name: string, uploadId: string, committed: number, message: string) =>
  new E.InvalidLayerPartException({ registryId, repositoryName: name, uploadId, lastValidByteReceived: committed - 1, message });

/** Not in ECR's model: the common AWS error for a registry the caller may not use. */
export const accessDenied = (registryId: string, accountId: string) =>
  new ProtocolError("AccessDeniedException", 400, `Account ${accountId} is not authorized to access the registry with id '${registryId}'`);

/**
 * ECR answers an input that breaks the model's constraints with InvalidParameterException (never AWS's generic
 * ValidationException), naming the first violation, e.g.
 * `Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must have length greater than or equal to 2'`.
 */
export const invalidParameter = (violations: ConstraintViolation[]) =>
  new E.InvalidParameterException({ message: `Invalid parameter at '${violations[0].path}' failed to satisfy constraint: '${violations[0].constraint}'` });
