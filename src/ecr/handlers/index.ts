// The service implementation: one handler per operation. Written once by ecr-layer-codegen, which never overwrites it.
// When the model gains an operation, the type check fails here until its handler is added.
import type { Service } from "../../../generated/service";
import type { Context } from "./context";
import { BatchCheckLayerAvailability } from "./BatchCheckLayerAvailability";
import { BatchDeleteImage } from "./BatchDeleteImage";
import { BatchGetImage } from "./BatchGetImage";
import { CompleteLayerUpload } from "./CompleteLayerUpload";
import { CreateRepository } from "./CreateRepository";
import { DeleteLifecyclePolicy } from "./DeleteLifecyclePolicy";
import { DeleteRegistryPolicy } from "./DeleteRegistryPolicy";
import { DeleteRepository } from "./DeleteRepository";
import { DeleteRepositoryPolicy } from "./DeleteRepositoryPolicy";
import { DeleteSigningConfiguration } from "./DeleteSigningConfiguration";
import { DeregisterPullTimeUpdateExclusion } from "./DeregisterPullTimeUpdateExclusion";
import { DescribeImageSigningStatus } from "./DescribeImageSigningStatus";
import { DescribeImages } from "./DescribeImages";
import { DescribeRegistry } from "./DescribeRegistry";
import { DescribeRepositories } from "./DescribeRepositories";
import { GetAccountSetting } from "./GetAccountSetting";
import { GetAuthorizationToken } from "./GetAuthorizationToken";
import { GetDownloadUrlForLayer } from "./GetDownloadUrlForLayer";
import { GetLifecyclePolicy } from "./GetLifecyclePolicy";
import { GetLifecyclePolicyPreview } from "./GetLifecyclePolicyPreview";
import { GetRegistryPolicy } from "./GetRegistryPolicy";
import { GetRepositoryPolicy } from "./GetRepositoryPolicy";
import { GetSigningConfiguration } from "./GetSigningConfiguration";
import { InitiateLayerUpload } from "./InitiateLayerUpload";
import { ListImageReferrers } from "./ListImageReferrers";
import { ListImages } from "./ListImages";
import { ListPullTimeUpdateExclusions } from "./ListPullTimeUpdateExclusions";
import { ListTagsForResource } from "./ListTagsForResource";
import { PutAccountSetting } from "./PutAccountSetting";
import { PutImage } from "./PutImage";
import { PutImageScanningConfiguration } from "./PutImageScanningConfiguration";
import { PutImageTagMutability } from "./PutImageTagMutability";
import { PutLifecyclePolicy } from "./PutLifecyclePolicy";
import { PutRegistryPolicy } from "./PutRegistryPolicy";
import { PutSigningConfiguration } from "./PutSigningConfiguration";
import { RegisterPullTimeUpdateExclusion } from "./RegisterPullTimeUpdateExclusion";
import { SetRepositoryPolicy } from "./SetRepositoryPolicy";
import { StartLifecyclePolicyPreview } from "./StartLifecyclePolicyPreview";
import { TagResource } from "./TagResource";
import { UntagResource } from "./UntagResource";
import { UploadLayerPart } from "./UploadLayerPart";

export const handlers: Service<Context> = {
  BatchCheckLayerAvailability,
  BatchDeleteImage,
  BatchGetImage,
  CompleteLayerUpload,
  CreateRepository,
  DeleteLifecyclePolicy,
  DeleteRegistryPolicy,
  DeleteRepository,
  DeleteRepositoryPolicy,
  DeleteSigningConfiguration,
  DeregisterPullTimeUpdateExclusion,
  DescribeImageSigningStatus,
  DescribeImages,
  DescribeRegistry,
  DescribeRepositories,
  GetAccountSetting,
  GetAuthorizationToken,
  GetDownloadUrlForLayer,
  GetLifecyclePolicy,
  GetLifecyclePolicyPreview,
  GetRegistryPolicy,
  GetRepositoryPolicy,
  GetSigningConfiguration,
  InitiateLayerUpload,
  ListImageReferrers,
  ListImages,
  ListPullTimeUpdateExclusions,
  ListTagsForResource,
  PutAccountSetting,
  PutImage,
  PutImageScanningConfiguration,
  PutImageTagMutability,
  PutLifecyclePolicy,
  PutRegistryPolicy,
  PutSigningConfiguration,
  RegisterPullTimeUpdateExclusion,
  SetRepositoryPolicy,
  StartLifecyclePolicyPreview,
  TagResource,
  UntagResource,
  UploadLayerPart,
};
