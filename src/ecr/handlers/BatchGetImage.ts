// The BatchGetImage handler. Written once by codegen/main.ts; the codegen never overwrites it.
import { NotImplementedError } from "../../framework/errors";
import type { BatchGetImageRequest, BatchGetImageResponse } from "../../../generated/types";
import type { Context } from "./context";

export async function BatchGetImage(input: BatchGetImageRequest, context: Context): Promise<BatchGetImageResponse> {
  throw new NotImplementedError("BatchGetImage");
}
