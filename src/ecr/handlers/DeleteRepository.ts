// The DeleteRepository handler. Written once by codegen/main.ts; the codegen never overwrites it.
import { NotImplementedError } from "../../framework/errors";
import type { DeleteRepositoryRequest, DeleteRepositoryResponse } from "../../../generated/types";
import type { Context } from "./context";

export async function DeleteRepository(input: DeleteRepositoryRequest, context: Context): Promise<DeleteRepositoryResponse> {
  throw new NotImplementedError("DeleteRepository");
}
