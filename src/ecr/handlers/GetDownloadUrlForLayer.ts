// The GetDownloadUrlForLayer handler. Written once by codegen/main.ts; the codegen never overwrites it.
import { NotImplementedError } from "../../framework/errors";
import type { GetDownloadUrlForLayerRequest, GetDownloadUrlForLayerResponse } from "../../../generated/types";
import type { Context } from "./context";

export async function GetDownloadUrlForLayer(input: GetDownloadUrlForLayerRequest, context: Context): Promise<GetDownloadUrlForLayerResponse> {
  throw new NotImplementedError("GetDownloadUrlForLayer");
}
