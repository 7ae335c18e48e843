// The service implementation: one handler per operation. Written once by ecr-layer-codegen, which never overwrites it.
// When the model gains an operation, the type check fails here until its handler is added.
import type { Service } from "../../../generated/service";
import type { Context } from "./context";
import { BatchCheckLayerAvailability } from "./BatchCheckLayerAvailability";
import { BatchDeleteImage } from "./BatchDeleteImage";
import { BatchGetImage } from "./BatchGetImage";
import { BatchGetRepositoryScanningConfiguration } from "./BatchGetRepositoryScanningConfiguration";
import { CompleteLayerUpload } from "./CompleteLayerUpload";
import { CreatePullThroughCacheRule } from "./CreatePullThroughCacheRule";
import { CreateRepository } from "./CreateRepository";
import { CreateRepositoryCreationTemplate } from "./CreateRepositoryCreationTemplate";
import { DeleteLifecyclePolicy } from "./DeleteLifecyclePolicy";
import { DeletePullThroughCacheRule } from "./DeletePullThroughCacheRule";
import { DeleteRegistryPolicy } from "./DeleteRegistryPolicy";
import { DeleteRepository } from "./DeleteRepository";
import { DeleteRepositoryCreationTemplate } from "./DeleteRepositoryCreationTemplate";
import { DeleteRepositoryPolicy } from "./DeleteRepositoryPolicy";
import { DeleteSigningConfiguration } from "./DeleteSigningConfiguration";
import { DeregisterPullTimeUpdateExclusion } from "./DeregisterPullTimeUpdateExclusion";
import { DescribeImageReplicationStatus } from "./DescribeImageReplicationStatus";
import { DescribeImageScanFindings } from "./DescribeImageScanFindings";
import { DescribeImageSigningStatus } from "./DescribeImageSigningStatus";
import { DescribeImages } from "./DescribeImages";
import { DescribePullThroughCacheRules } from "./DescribePullThroughCacheRules";
import { DescribeRegistry } from "./DescribeRegistry";
import { DescribeRepositories } from "./DescribeRepositories";
import { DescribeRepositoryCreationTemplates } from "./DescribeRepositoryCreationTemplates";
import { GetAccountSetting } from "./GetAccountSetting";
import { GetAuthorizationToken } from "./GetAuthorizationToken";
import { GetDownloadUrlForLayer } from "./GetDownloadUrlForLayer";
import { GetLifecyclePolicy } from "./GetLifecyclePolicy";
import { GetLifecyclePolicyPreview } from "./GetLifecyclePolicyPreview";
import { GetRegistryPolicy } from "./GetRegistryPolicy";
import { GetRegistryScanningConfiguration } from "./GetRegistryScanningConfiguration";
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
import { PutRegistryScanningConfiguration } from "./PutRegistryScanningConfiguration";
import { PutReplicationConfiguration } from "./PutReplicationConfiguration";
import { PutSigningConfiguration } from "./PutSigningConfiguration";
import { RegisterPullTimeUpdateExclusion } from "./RegisterPullTimeUpdateExclusion";
import { SetRepositoryPolicy } from "./SetRepositoryPolicy";
import { StartImageScan } from "./StartImageScan";
import { StartLifecyclePolicyPreview } from "./StartLifecyclePolicyPreview";
import { TagResource } from "./TagResource";
import { UntagResource } from "./UntagResource";
import { UpdateImageStorageClass } from "./UpdateImageStorageClass";
import { UpdatePullThroughCacheRule } from "./UpdatePullThroughCacheRule";
import { UpdateRepositoryCreationTemplate } from "./UpdateRepositoryCreationTemplate";
import { UploadLayerPart } from "./UploadLayerPart";
import { ValidatePullThroughCacheRule } from "./ValidatePullThroughCacheRule";

export const handlers: Service<Context> = {
  BatchCheckLayerAvailability,
  BatchDeleteImage,
  BatchGetImage,
  BatchGetRepositoryScanningConfiguration,
  CompleteLayerUpload,
  CreatePullThroughCacheRule,
  CreateRepository,
  CreateRepositoryCreationTemplate,
  DeleteLifecyclePolicy,
  DeletePullThroughCacheRule,
  DeleteRegistryPolicy,
  DeleteRepository,
  DeleteRepositoryCreationTemplate,
  DeleteRepositoryPolicy,
  DeleteSigningConfiguration,
  DeregisterPullTimeUpdateExclusion,
  DescribeImageReplicationStatus,
  DescribeImageScanFindings,
  DescribeImageSigningStatus,
  DescribeImages,
  DescribePullThroughCacheRules,
  DescribeRegistry,
  DescribeRepositories,
  DescribeRepositoryCreationTemplates,
  GetAccountSetting,
  GetAuthorizationToken,
  GetDownloadUrlForLayer,
  GetLifecyclePolicy,
  GetLifecyclePolicyPreview,
  GetRegistryPolicy,
  GetRegistryScanningConfiguration,
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
  PutRegistryScanningConfiguration,
  PutReplicationConfiguration,
  PutSigningConfiguration,
  RegisterPullTimeUpdateExclusion,
  SetRepositoryPolicy,
  StartImageScan,
  StartLifecyclePolicyPreview,
  TagResource,
  UntagResource,
  UpdateImageStorageClass,
  UpdatePullThroughCacheRule,
  UpdateRepositoryCreationTemplate,
  UploadLayerPart,
  ValidatePullThroughCacheRule,
};
