// The PutImage handler. Written once by codegen/main.ts; the codegen never overwrites it.
import { NotImplementedError } from "../../framework/errors";
import type { PutImageRequest, PutImageResponse } from "../../../generated/types";
import type { Context } from "./context";

export async function PutImage(input: PutImageRequest, context: Context): Promise<PutImageResponse> {
  throw new NotImplementedError("PutImage");
}
