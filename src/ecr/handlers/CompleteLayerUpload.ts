// The CompleteLayerUpload handler. Written once by codegen/main.ts; the codegen never overwrites it.
import { NotImplementedError } from "../../framework/errors";
import type { CompleteLayerUploadRequest, CompleteLayerUploadResponse } from "../../../generated/types";
import type { Context } from "./context";

export async function CompleteLayerUpload(input: CompleteLayerUploadRequest, context: Context): Promise<CompleteLayerUploadResponse> {
  throw new NotImplementedError("CompleteLayerUpload");
}
