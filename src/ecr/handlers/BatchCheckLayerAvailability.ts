// The BatchCheckLayerAvailability handler. Written once by codegen/main.ts; the codegen never overwrites it.
import { NotImplementedError } from "../../framework/errors";
import type { BatchCheckLayerAvailabilityRequest, BatchCheckLayerAvailabilityResponse } from "../../../generated/types";
import type { Context } from "./context";

export async function BatchCheckLayerAvailability(input: BatchCheckLayerAvailabilityRequest, context: Context): Promise<BatchCheckLayerAvailabilityResponse> {
  throw new NotImplementedError("BatchCheckLayerAvailability");
}
