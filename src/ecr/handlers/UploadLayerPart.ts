// The UploadLayerPart handler. Written once by codegen/main.ts; the codegen never overwrites it.
import { NotImplementedError } from "../../framework/errors";
import type { UploadLayerPartRequest, UploadLayerPartResponse } from "../../../generated/types";
import type { Context } from "./context";

export async function UploadLayerPart(input: UploadLayerPartRequest, context: Context): Promise<UploadLayerPartResponse> {
  throw new NotImplementedError("UploadLayerPart");
}
