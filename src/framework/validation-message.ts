// Words ajv's errors the way AWS words a ValidationException:
// `2 validation errors detected: Value 'x' at 'repositoryName' failed to satisfy constraint: Member must ...; ...`
import type { ValidatorError } from "./definition";
import { fromInstancePath, memberPath } from "./paths";

export function validationMessage(errors: readonly ValidatorError[], input: unknown): string {
  const parts = errors.flatMap((e) => describeError(e, input) ?? []);
  const n = parts.length;
  return `${n} validation error${n === 1 ? "" : "s"} detected: ${parts.join("; ")}`;
}

function describeError(e: ValidatorError, input: unknown): string | undefined {
  const { path, value } = fromInstancePath(e.instancePath, input);
  const limit = e.params.limit;
  let at = path;
  let shown: unknown = value;
  let constraint: string;
  switch (e.keyword) {
    case "required":
      at = [...path, String(e.params.missingProperty)];
      shown = null;
      constraint = "Member must not be null";
      break;
    case "minLength": case "minItems": case "minProperties": case "minBytes":
      constraint = `Member must have length greater than or equal to ${limit}`;
      break;
    case "maxLength": case "maxItems": case "maxProperties": case "maxBytes":
      constraint = `Member must have length less than or equal to ${limit}`;
      break;
    case "pattern":
      constraint = `Member must satisfy regular expression pattern: ${e.params.pattern}`;
      break;
    case "minimum":
      constraint = `Member must have value greater than or equal to ${limit}`;
      break;
    case "maximum":
      constraint = `Member must have value less than or equal to ${limit}`;
      break;
    case "enum":
      constraint = `Member must satisfy enum value set: [${(e.params.allowedValues as unknown[]).join(", ")}]`;
      break;
    case "uniqueItems":
      constraint = "Member must contain unique values";
      break;
    case "propertyNames":
      return undefined; // its inner error is reported on its own
    default:
      constraint = `Member must satisfy constraint ${e.keyword}`;
  }
  const propertyName = (e as { propertyName?: string }).propertyName;
  if (propertyName !== undefined) {
    at = [...path, propertyName];
    shown = propertyName;
  }
  return `Value${render(shown)} at '${memberPath(at)}' failed to satisfy constraint: ${constraint}`;
}

/** Scalars and lists of scalars are echoed; blobs and structures never are. */
function render(value: unknown): string {
  if (value === null) return " null";
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return ` '${value}'`;
  if (Array.isArray(value) && value.every((v) => typeof v !== "object" || v === null)) return ` '[${value.join(", ")}]'`;
  return "";
}
