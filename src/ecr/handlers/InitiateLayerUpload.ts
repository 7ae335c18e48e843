// The InitiateLayerUpload handler. Written once by codegen/main.ts; the codegen never overwrites it.
import { NotImplementedError } from "../../framework/errors";
import type { InitiateLayerUploadRequest, InitiateLayerUploadResponse } from "../../../generated/types";
import type { Context } from "./context";

export async function InitiateLayerUpload(input: InitiateLayerUploadRequest, context: Context): Promise<InitiateLayerUploadResponse> {
  throw new NotImplementedError("InitiateLayerUpload");
}
