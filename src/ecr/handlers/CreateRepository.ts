// The CreateRepository handler. Written once by codegen/main.ts; the codegen never overwrites it.
import { NotImplementedError } from "../../framework/errors";
import type { CreateRepositoryRequest, CreateRepositoryResponse } from "../../../generated/types";
import type { Context } from "./context";

export async function CreateRepository(input: CreateRepositoryRequest, context: Context): Promise<CreateRepositoryResponse> {
  throw new NotImplementedError("CreateRepository");
}
