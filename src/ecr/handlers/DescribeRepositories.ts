// The DescribeRepositories handler. Written once by codegen/main.ts; the codegen never overwrites it.
import { NotImplementedError } from "../../framework/errors";
import type { DescribeRepositoriesRequest, DescribeRepositoriesResponse } from "../../../generated/types";
import type { Context } from "./context";

export async function DescribeRepositories(input: DescribeRepositoriesRequest, context: Context): Promise<DescribeRepositoriesResponse> {
  throw new NotImplementedError("DescribeRepositories");
}
