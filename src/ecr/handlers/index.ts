// The service implementation: one handler per operation. Written once by codegen/main.ts; the codegen never overwrites it.
// When the model gains an operation, the type check fails here until its handler is added.
import type { Service } from "../../../generated/service";
import type { Context } from "./context";
import { BatchCheckLayerAvailability } from "./BatchCheckLayerAvailability";
import { BatchDeleteImage } from "./BatchDeleteImage";
import { BatchGetImage } from "./BatchGetImage";
import { CompleteLayerUpload } from "./CompleteLayerUpload";
import { CreateRepository } from "./CreateRepository";
import { DeleteRepository } from "./DeleteRepository";
import { DescribeImages } from "./DescribeImages";
import { DescribeRegistry } from "./DescribeRegistry";
import { DescribeRepositories } from "./DescribeRepositories";
import { GetAuthorizationToken } from "./GetAuthorizationToken";
import { GetDownloadUrlForLayer } from "./GetDownloadUrlForLayer";
import { InitiateLayerUpload } from "./InitiateLayerUpload";
import { ListImageReferrers } from "./ListImageReferrers";
import { ListImages } from "./ListImages";
import { ListTagsForResource } from "./ListTagsForResource";
import { PutImage } from "./PutImage";
import { PutImageScanningConfiguration } from "./PutImageScanningConfiguration";
import { PutImageTagMutability } from "./PutImageTagMutability";
import { TagResource } from "./TagResource";
import { UntagResource } from "./UntagResource";
import { UploadLayerPart } from "./UploadLayerPart";

export const handlers: Service<Context> = {
  BatchCheckLayerAvailability,
  BatchDeleteImage,
  BatchGetImage,
  CompleteLayerUpload,
  CreateRepository,
  DeleteRepository,
  DescribeImages,
  DescribeRegistry,
  DescribeRepositories,
  GetAuthorizationToken,
  GetDownloadUrlForLayer,
  InitiateLayerUpload,
  ListImageReferrers,
  ListImages,
  ListTagsForResource,
  PutImage,
  PutImageScanningConfiguration,
  PutImageTagMutability,
  TagResource,
  UntagResource,
  UploadLayerPart,
};
