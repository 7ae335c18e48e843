// ECR's errors with AWS's wording, so that every handler says the same thing the same way. Where a public source
// quotes real ECR, the comment names it (all of them: docs/aws-error-wording.md) and the message follows it exactly.
import * as E from "../../generated/errors";
import { ProtocolError, type ConstraintViolation } from "../framework";

// turbot/steampipe-plugin-aws#1938
export const repositoryNotFound = (registryId: string, name: string) =>
  new E.RepositoryNotFoundException({ message: `The repository with name '${name}' does not exist in the registry with id '${registryId}'` });

// aws/amazon-sagemaker-examples#1539
export const repositoryAlreadyExists = (registryId: string, name: string) =>
  new E.RepositoryAlreadyExistsException({ message: `The repository with name '${name}' already exists in the registry with id '${registryId}'` });

// brentley/appmeshworkshop#31
export const repositoryNotEmpty = (registryId: string, name: string) =>
  new E.RepositoryNotEmptyException({
    message: `The repository with name '${name}' in registry with id '${registryId}' cannot be deleted because it still contains images`,
  });

// No public quote; worded like its neighbours.
export const uploadNotFound = (registryId: string, name: string, uploadId: string) =>
  new E.UploadNotFoundException({
    message: `The upload with id '${uploadId}' does not exist in the repository with name '${name}' in the registry with id '${registryId}'`,
  });

// devcontainers/cli#814
export const emptyUpload = (registryId: string, name: string, uploadId: string) =>
  new E.EmptyUploadException({
    message: `The upload with id '${uploadId}' in the repository with name '${name}' in registry with id '${registryId}' cannot be completed because it does not have any parts`,
  });

// dotnet/sdk-container-builds#424 quotes the 5 MiB default; another configured minimum is named the same way.
export const layerPartTooSmall = (minPartSize: number) =>
  new E.LayerPartTooSmallException({ message: `All layer parts except the last part should be at least ${sizeInWords(minPartSize)}` });

const MiB = 1024 * 1024;
const sizeInWords = (bytes: number) => (bytes % MiB === 0 ? `${bytes / MiB}MB` : `${bytes} bytes`);

// dotnet/sdk-container-builds#424
export const invalidLayer = () => new E.InvalidLayerException({ message: "None of the provided layer digests match the calculated layer digest" });

// No public quote; worded like ImageAlreadyExistsException.
export const layerAlreadyExists = (registryId: string, name: string, digest: string) =>
  new E.LayerAlreadyExistsException({
    message: `The layer with digest '${digest}' already exists in the repository with name '${name}' in registry with id '${registryId}'`,
  });

// monken/aws-ecr-public#11 (GetDownloadUrlForLayer)
export const layerNotFound = (registryId: string, name: string, digest: string) =>
  new E.LayersNotFoundException({
    message: `The layer with digest ${digest} does not exist within the repository with name '${name}' in the registry with id '${registryId}'`,
  });

// buildkite-plugins/ecr-buildkite-plugin#111, CircleCI-Public/aws-ecr-orb#261. Without a tag (no public quote) the same
// sentence drops the tag.
export const imageAlreadyExists = (registryId: string, name: string, digest: string, tag?: string) =>
  new E.ImageAlreadyExistsException({
    message: `Image with digest '${digest}'${tag === undefined ? "" : ` and tag '${tag}'`} already exists in the repository with name '${name}' in registry with id '${registryId}'`,
  });

// hashicorp/terraform-provider-aws#35268 (DescribeImages): ECR prints the id as a Java-style map with 'null' for a
// missing member.
export const imageNotFound = (registryId: string, name: string, imageId: { imageDigest?: string; imageTag?: string }) =>
  new E.ImageNotFoundException({
    message: `The image with imageId {imageDigest:'${imageId.imageDigest ?? "null"}', imageTag:'${imageId.imageTag ?? "null"}'} does not exist within the repository with name '${name}' in the registry with id '${registryId}'`,
  });

export const invalidLayerPart = (registryId: string, name: string, uploadId: string, committed: number, message: string) =>
  new E.InvalidLayerPartException({ registryId, repositoryName: name, uploadId, lastValidByteReceived: committed - 1, message });

/**
 * Not in ECR's model: AWS's common error for a caller that IAM refuses, in IAM's words (aws-actions/amazon-ecr-login#232
 * quotes it for a cross-account push). `why` says which policy decided.
 */
export const accessDenied = (principal: string, action: string, resource: string, why: "no-allow" | "explicit-deny") =>
  new ProtocolError(
    "AccessDeniedException",
    400,
    `User: ${principal} is not authorized to perform: ${action} on resource: ${resource} ` +
      (why === "explicit-deny" ? "with an explicit deny in a resource-based policy" : `because no resource-based policy allows the ${action} action`),
  );

// snyk/driftctl#1549
export const repositoryPolicyNotFound = (registryId: string, name: string) =>
  new E.RepositoryPolicyNotFoundException({
    message: `Repository policy does not exist for the repository with name '${name}' in the registry with id '${registryId}'`,
  });

// No public capture from AWS; moto's wording.
export const registryPolicyNotFound = (registryId: string) =>
  new E.RegistryPolicyNotFoundException({ message: `Registry policy does not exist in the registry with id '${registryId}'` });

// cloudquery/cloudquery#14730, iann0036/former2#16
export const lifecyclePolicyNotFound = (registryId: string, name: string) =>
  new E.LifecyclePolicyNotFoundException({
    message: `Lifecycle policy does not exist for the repository with name '${name}' in the registry with id '${registryId}'`,
  });

// No public capture of either; worded like the not-found errors above.
export const lifecyclePreviewNotFound = (registryId: string, name: string) =>
  new E.LifecyclePolicyPreviewNotFoundException({
    message: `Lifecycle policy preview does not exist for the repository with name '${name}' in the registry with id '${registryId}'`,
  });
export const lifecyclePreviewInProgress = (registryId: string, name: string) =>
  new E.LifecyclePolicyPreviewInProgressException({
    message: `A lifecycle policy preview is still in progress for the repository with name '${name}' in the registry with id '${registryId}'`,
  });

// awsdocs/amazon-ecr-user-guide#20, terraform-aws-modules/terraform-aws-ecr#19 (repository); pulumi/pulumi-aws#2326
// (registry). ECR gives no more detail than this.
export const invalidPolicy = (kind: "repository" | "registry") =>
  new E.InvalidParameterException({ message: `Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid ${kind} policy provided'` });

/**
 * ECR answers an input that breaks the model's constraints with InvalidParameterException (never AWS's generic
 * ValidationException), naming the first violation, e.g.
 * `Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must have length greater than or equal to 2'`.
 */
export const invalidParameter = (violations: ConstraintViolation[]) =>
  new E.InvalidParameterException({ message: `Invalid parameter at '${violations[0].path}' failed to satisfy constraint: '${violations[0].constraint}'` });
