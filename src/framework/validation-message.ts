// Constraint violations as data, and AWS's default wording for them. The pipeline's validate stage hands the
// violations to the service's `constraintError` (ECR answers InvalidParameterException); without one, the answer is
// a ValidationException worded as AWS words it:
// `2 validation errors detected: Value 'x' at 'repositoryName' failed to satisfy constraint: Member must ...; ...`
import type { ValidatorError } from "./definition";
import { fromInstancePath, memberPath } from "./paths";

export interface ConstraintViolation {
  /** The member, as AWS writes it: `imageIds.1.member.imageTag`. */
  path: string;
  /** The value as AWS echoes it (scalars and lists of scalars, cut to a short prefix); absent for blobs, structures and missing members. */
  value?: string;
  /** What the value must do, e.g. `must have length greater than or equal to 2`. */
  constraint: string;
  /** The model's pattern, for a `@pattern` violation. */
  pattern?: string;
}

/** At most this many violations are described: a message stays short whatever the input. */
export const MAX_VIOLATIONS = 10;
/** Characters of a value echoed before it is cut. */
const MAX_ECHO = 64;

export function violations(errors: readonly ValidatorError[], input: unknown): ConstraintViolation[] {
  const out: ConstraintViolation[] = [];
  for (const e of errors) {
    const v = describeError(e, input);
    if (v) out.push(v);
    if (out.length === MAX_VIOLATIONS) break;
  }
  return out;
}

export function validationMessage(violations: readonly ConstraintViolation[]): string {
  const parts = violations.map((v) => `Value${v.value === undefined ? (v.constraint === "must not be null" ? " null" : "") : ` '${v.value}'`} at '${v.path}' failed to satisfy constraint: ${memberConstraint(v)}`);
  const n = parts.length;
  return `${n} validation error${n === 1 ? "" : "s"} detected: ${parts.join("; ")}`;
}

function memberConstraint(v: ConstraintViolation): string {
  return v.pattern === undefined ? `Member ${v.constraint}` : `Member must satisfy regular expression pattern: ${v.pattern}`;
}

function describeError(e: ValidatorError, input: unknown): ConstraintViolation | undefined {
  const { path, value } = fromInstancePath(e.instancePath, input);
  const limit = e.params.limit;
  let at = path;
  let shown: unknown = value;
  let constraint: string;
  let pattern: string | undefined;
  switch (e.keyword) {
    case "required":
      at = [...path, String(e.params.missingProperty)];
      shown = undefined;
      constraint = "must not be null";
      break;
    case "minLength": case "minItems": case "minProperties": case "minBytes":
      constraint = `must have length greater than or equal to ${limit}`;
      break;
    case "maxLength": case "maxItems": case "maxProperties": case "maxBytes":
      constraint = `must have length less than or equal to ${limit}`;
      break;
    case "pattern":
      pattern = String(e.params.pattern);
      constraint = `must satisfy regular expression '${pattern}'`;
      break;
    case "minimum":
      constraint = `must have value greater than or equal to ${limit}`;
      break;
    case "maximum":
      constraint = `must have value less than or equal to ${limit}`;
      break;
    case "enum":
      constraint = `must satisfy enum value set: [${(e.params.allowedValues as unknown[]).join(", ")}]`;
      break;
    case "uniqueItems":
      constraint = "must contain unique values";
      break;
    case "propertyNames":
      return undefined; // its inner error is reported on its own
    default:
      constraint = `must satisfy constraint ${e.keyword}`;
  }
  const propertyName = (e as { propertyName?: string }).propertyName;
  if (propertyName !== undefined) {
    at = [...path, propertyName];
    shown = propertyName;
  }
  const echoed = echo(shown);
  return { path: memberPath(at), constraint, ...(echoed === undefined ? {} : { value: echoed }), ...(pattern === undefined ? {} : { pattern }) };
}

/** Scalars and lists of scalars are echoed, cut to a short prefix; blobs and structures never are. */
export function echo(value: unknown): string | undefined {
  let text: string;
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") text = String(value);
  else if (Array.isArray(value) && value.every((v) => typeof v !== "object" || v === null)) {
    text = `[${value.slice(0, MAX_ECHO).join(", ")}${value.length > MAX_ECHO ? ", ..." : ""}]`;
  } else return undefined;
  return text.length > MAX_ECHO ? `${text.slice(0, MAX_ECHO)}...` : text;
}
