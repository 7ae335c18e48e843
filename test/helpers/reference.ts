// AWS's published ECR model, which CI keeps in ../shared/reference beside the checkout. Tests read it; it is never copied.
import { resolve } from "node:path";

export const REFERENCE_MODEL = resolve(__dirname, "../../../shared/reference/ecr-2015-09-21.json");
