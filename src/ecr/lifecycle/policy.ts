// Lifecycle policy text: its grammar, checked as ECR checks it. ECR validates the JSON against a schema and then
// the rules against each other; its messages follow a Java JSON-schema validator's wording, which is kept here where
// public sources quote it (terraform-provider-aws#45909, cloudposse/terraform-aws-ecr#132; moto copies the rest).
import { InvalidParameterException } from "../../../generated/errors";

export type TagStatus = "tagged" | "untagged" | "any";

export interface LifecycleRule {
  rulePriority: number;
  description?: string;
  selection: {
    tagStatus: TagStatus;
    tagPrefixList?: string[];
    tagPatternList?: string[];
  } & ({ countType: "imageCountMoreThan"; countNumber: number } | { countType: "sinceImagePushed"; countUnit: "days"; countNumber: number });
}

/** How Get and DeleteLifecyclePolicy answer with a stored policy. */
export const lifecyclePolicyAnswer = (registryId: string, repositoryName: string, policy: { text: string; lastEvaluatedAt?: number }) => ({
  registryId,
  repositoryName,
  lifecyclePolicyText: policy.text,
  ...(policy.lastEvaluatedAt === undefined ? {} : { lastEvaluatedAt: new Date(policy.lastEvaluatedAt) }),
});

const failure = (why: string) =>
  new InvalidParameterException({ message: `Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ${why}'` });

const MAX_WILDCARDS = 4;

/** The rules, by priority (lowest number first); throws ECR's InvalidParameterException when the text is not a valid policy. */
export function parseLifecyclePolicy(text: string): LifecycleRule[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw failure("Could not map policyString into LifecyclePolicy.");
  }
  const root = object(doc, ["rules"], []);
  if (!Array.isArray(root.rules)) throw failure(`instance type (${jsonType(root.rules)}) does not match any allowed primitive type (allowed: ["array"])`);
  if (root.rules.length === 0) throw failure("array is too short: must have at least 1 elements but instance has 0 elements");
  const rules = root.rules.map(parseRule);

  const priorities = new Set<number>();
  for (const r of rules) {
    if (priorities.has(r.rulePriority)) throw failure(`Rule priorities must be unique; ${r.rulePriority} is used more than once.`);
    priorities.add(r.rulePriority);
  }
  rules.sort((a, b) => a.rulePriority - b.rulePriority);
  if (rules.filter((r) => r.selection.tagStatus === "untagged").length > 1) throw failure("Only one rule can select Untagged images per storage class.");
  const anyRule = rules.findIndex((r) => r.selection.tagStatus === "any");
  if (anyRule !== -1 && anyRule !== rules.length - 1) throw failure("Rule for tagStatus=ANY must have the lowest priority per storage class");
  const prefixes = new Set<string>();
  for (const r of rules) {
    for (const p of r.selection.tagPrefixList ?? []) {
      if (prefixes.has(p)) throw failure(`The set of rules must contain a unique set of tag prefixes; '${p}' is used by more than one rule.`);
      prefixes.add(p);
    }
  }
  return rules;
}

function parseRule(value: unknown): LifecycleRule {
  const rule = object(value, ["rulePriority", "selection", "action"], ["description"]);
  if (!Number.isInteger(rule.rulePriority)) throw failure(`instance type (${jsonType(rule.rulePriority)}) does not match any allowed primitive type (allowed: ["integer"])`);
  if ((rule.rulePriority as number) < 1) throw failure(`numeric instance is lower than the required minimum (minimum: 1, found: ${rule.rulePriority})`);
  if (rule.description !== undefined && typeof rule.description !== "string") throw failure(`instance type (${jsonType(rule.description)}) does not match any allowed primitive type (allowed: ["string"])`);
  const action = object(rule.action, ["type"], []);
  if (action.type !== "expire") throw failure(`instance value (${JSON.stringify(action.type)}) not found in enum (possible values: ["expire"])`);

  const s = object(rule.selection, ["tagStatus", "countType", "countNumber"], ["tagPrefixList", "tagPatternList", "countUnit"]);
  if (s.tagStatus !== "tagged" && s.tagStatus !== "untagged" && s.tagStatus !== "any") {
    throw failure(`instance value (${JSON.stringify(s.tagStatus)}) not found in enum (possible values: ["tagged","untagged","any"])`);
  }
  // ECR's schema offers one branch per count type; a selection that fits neither matches none of them.
  const countType = s.countType;
  const fits =
    (countType === "imageCountMoreThan" && s.countUnit === undefined) || (countType === "sinceImagePushed" && s.countUnit === "days");
  if (!fits) throw failure("instance failed to match exactly one schema (matched 0 out of 2)");
  if (!Number.isInteger(s.countNumber)) throw failure(`instance type (${jsonType(s.countNumber)}) does not match any allowed primitive type (allowed: ["integer"])`);
  if ((s.countNumber as number) < 1) throw failure(`numeric instance is lower than the required minimum (minimum: 1, found: ${s.countNumber})`);

  const prefixes = s.tagPrefixList === undefined ? undefined : tagList(s.tagPrefixList);
  const patterns = s.tagPatternList === undefined ? undefined : tagList(s.tagPatternList);
  if (s.tagStatus === "tagged" && !prefixes && !patterns) throw failure("Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED.");
  if (prefixes && patterns) throw failure("tagPrefixList and tagPatternList cannot both be specified in one rule.");
  if (s.tagStatus !== "tagged" && (prefixes || patterns)) {
    throw failure(`tagPrefixList and tagPatternList can only be specified when tagStatus=TAGGED, not ${String(s.tagStatus).toUpperCase()}.`);
  }
  for (const p of patterns ?? []) {
    if ([...p].filter((c) => c === "*").length > MAX_WILDCARDS) throw failure(`A tag pattern may have at most ${MAX_WILDCARDS} wildcards: '${p}'`);
  }
  return {
    rulePriority: rule.rulePriority as number,
    ...(rule.description === undefined ? {} : { description: rule.description as string }),
    selection: {
      tagStatus: s.tagStatus,
      ...(prefixes ? { tagPrefixList: prefixes } : {}),
      ...(patterns ? { tagPatternList: patterns } : {}),
      ...(countType === "imageCountMoreThan"
        ? { countType, countNumber: s.countNumber as number }
        : { countType: "sinceImagePushed" as const, countUnit: "days" as const, countNumber: s.countNumber as number }),
    },
  };
}

/** A JSON object with the required members and no others than those and the optional ones. */
function object(value: unknown, required: string[], optional: string[]): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw failure(`instance type (${jsonType(value)}) does not match any allowed primitive type (allowed: ["object"])`);
  }
  const o = value as Record<string, unknown>;
  const missing = required.filter((k) => o[k] === undefined);
  if (missing.length) throw failure(`object has missing required properties (${JSON.stringify(missing)})`);
  const extra = Object.keys(o).filter((k) => !required.includes(k) && !optional.includes(k));
  if (extra.length) throw failure(`object instance has properties which are not allowed by the schema: (${JSON.stringify(extra.sort())})`);
  return o;
}

function tagList(value: unknown): string[] {
  if (!Array.isArray(value)) throw failure(`instance type (${jsonType(value)}) does not match any allowed primitive type (allowed: ["array"])`);
  if (value.length === 0) throw failure("array is too short: must have at least 1 elements but instance has 0 elements");
  for (const v of value) {
    if (typeof v !== "string" || v.length === 0) throw failure(`instance type (${jsonType(v)}) does not match any allowed primitive type (allowed: ["string"])`);
  }
  return value as string[];
}

function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}
