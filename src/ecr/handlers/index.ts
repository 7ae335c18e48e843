// The service implementation: one handler per operation. Written once by codegen/main.ts; the codegen never overwrites it.
// When the model gains an operation, the type check fails here until its handler is added.
import type { Service } from "../../../generated/service";
import type { Context } from "./context";
import { BatchCheckLayerAvailability } from "./BatchCheckLayerAvailability";
import { BatchGetImage } from "./BatchGetImage";
import { CompleteLayerUpload } from "./CompleteLayerUpload";
import { CreateRepository } from "./CreateRepository";
import { DeleteRepository } from "./DeleteRepository";
import { DescribeRepositories } from "./DescribeRepositories";
import { GetDownloadUrlForLayer } from "./GetDownloadUrlForLayer";
import { InitiateLayerUpload } from "./InitiateLayerUpload";
import { PutImage } from "./PutImage";
import { UploadLayerPart } from "./UploadLayerPart";

export const handlers: Service<Context> = {
  BatchCheckLayerAvailability,
  BatchGetImage,
  CompleteLayerUpload,
  CreateRepository,
  DeleteRepository,
  DescribeRepositories,
  GetDownloadUrlForLayer,
  InitiateLayerUpload,
  PutImage,
  UploadLayerPart,
};
