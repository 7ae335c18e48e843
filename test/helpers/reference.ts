// AWS's published ECR model, which CI keeps in ../shared/reference beside the checkout. Tests read it; it is never copied.
import { existsSync } from "node:fs";
import { resolve } from "node:path";

export const REFERENCE_MODEL = resolve(__dirname, "../../../shared/reference/ecr-2015-09-21.json");

export function referenceModelPath(): string {
  if (!existsSync(REFERENCE_MODEL)) throw new Error(`AWS's ECR model is expected at ${REFERENCE_MODEL}`);
  return REFERENCE_MODEL;
}
