// IAM policy documents as ECR takes them (repository and registry policies): checked for IAM's grammar when stored,
// and evaluated for a caller and an action as IAM does for a resource policy: an explicit Deny wins, then an Allow.
import { wildcardMatch } from "../images";

export type Effect = "Allow" | "Deny";

export interface Statement {
  effect: Effect;
  /** Whom it names, and whether it names everyone else instead (NotPrincipal). */
  principals: { values: string[]; not: boolean };
  actions: { values: string[]; not: boolean };
  /** The resources it names (a registry policy's), and whether it names all others instead; absent: all. */
  resources?: { values: string[]; not: boolean };
  /** A statement whose conditions this server cannot evaluate never allows, and always denies. */
  conditional: boolean;
}

export interface PolicyDocument {
  statements: Statement[];
}

export interface PolicyRules {
  /** Repository policies apply to their repository and may not name a Resource. */
  resourceAllowed: boolean;
  /** When set, every action (or action pattern) must match one of these. */
  actionsWithin?: string[];
  /** When set, every action (or action pattern) must be this service's (`ecr:...`). */
  actionService?: string;
}

const TOP_LEVEL = new Set(["Version", "Id", "Statement"]);
const STATEMENT_KEYS = new Set(["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"]);
const VERSIONS = new Set(["2012-10-17", "2008-10-17"]);
const PRINCIPAL_TYPES = new Set(["AWS", "Service", "Federated", "CanonicalUser"]);
const ACCOUNT = /^\d{12}$/;
const IAM_PRINCIPAL = /^arn:aws[a-z-]*:(iam::\d{12}:(root|(user|role|group)\/[\w+=,.@/-]+)|sts::\d{12}:assumed-role\/[\w+=,.@-]+\/[\w+=,.@-]+)$/;
const ACTION = /^([A-Za-z0-9-]+:[A-Za-z0-9*?]+|\*)$/;

/** The document, or undefined when it breaks IAM's grammar or the rules of where it is used. */
export function parsePolicy(text: string, rules: PolicyRules): PolicyDocument | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(doc) || Object.keys(doc).some((k) => !TOP_LEVEL.has(k))) return undefined;
  if (doc.Version !== undefined && !VERSIONS.has(doc.Version as string)) return undefined;
  if (doc.Id !== undefined && typeof doc.Id !== "string") return undefined;
  const list = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  if (list.length === 0) return undefined;
  const statements: Statement[] = [];
  for (const s of list) {
    const statement = parseStatement(s, rules);
    if (!statement) return undefined;
    statements.push(statement);
  }
  return { statements };
}

function parseStatement(s: unknown, rules: PolicyRules): Statement | undefined {
  if (!isObject(s) || Object.keys(s).some((k) => !STATEMENT_KEYS.has(k))) return undefined;
  if (s.Sid !== undefined && (typeof s.Sid !== "string" || !/^[A-Za-z0-9]*$/.test(s.Sid))) return undefined;
  if (s.Effect !== "Allow" && s.Effect !== "Deny") return undefined;
  if ((s.Principal === undefined) === (s.NotPrincipal === undefined)) return undefined;
  if ((s.Action === undefined) === (s.NotAction === undefined)) return undefined;
  const hasResource = s.Resource !== undefined || s.NotResource !== undefined;
  if (hasResource && (!rules.resourceAllowed || s.Resource === undefined === (s.NotResource === undefined))) return undefined;
  if (hasResource && !stringList(s.Resource ?? s.NotResource)) return undefined;
  const principals = parsePrincipal(s.Principal ?? s.NotPrincipal);
  const actions = stringList(s.Action ?? s.NotAction);
  if (!principals || !actions || !actions.every((a) => ACTION.test(a))) return undefined;
  if (rules.actionsWithin && !actions.every((a) => rules.actionsWithin!.some((allowed) => iamMatch(a, allowed)))) return undefined;
  if (rules.actionService && !actions.every((a) => a.toLowerCase().startsWith(`${rules.actionService}:`))) return undefined;
  if (s.Condition !== undefined && !isCondition(s.Condition)) return undefined;
  return {
    effect: s.Effect,
    principals: { values: principals, not: s.NotPrincipal !== undefined },
    actions: { values: actions, not: s.NotAction !== undefined },
    ...(hasResource ? { resources: { values: stringList(s.Resource ?? s.NotResource)!, not: s.NotResource !== undefined } } : {}),
    conditional: s.Condition !== undefined && Object.keys(s.Condition as object).length > 0,
  };
}

/** AWS principals as ARNs or account ids; "*" for everyone. Other kinds (services) are kept but never match a caller. */
function parsePrincipal(p: unknown): string[] | undefined {
  if (p === "*") return ["*"];
  if (!isObject(p) || Object.keys(p).length === 0) return undefined;
  const out: string[] = [];
  for (const [type, value] of Object.entries(p)) {
    if (!PRINCIPAL_TYPES.has(type)) return undefined;
    const values = stringList(value);
    if (!values) return undefined;
    if (type === "AWS") {
      if (!values.every((v) => v === "*" || ACCOUNT.test(v) || IAM_PRINCIPAL.test(v))) return undefined;
      out.push(...values);
    } else out.push(...values.map((v) => `${type}:${v}`));
  }
  return out;
}

function isCondition(c: unknown): boolean {
  if (!isObject(c)) return false;
  return Object.values(c).every((block) => isObject(block) && Object.values(block).every((v) => scalar(v) || (Array.isArray(v) && v.length > 0 && v.every(scalar))));
}

const scalar = (v: unknown) => typeof v === "string" || typeof v === "number" || typeof v === "boolean";
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function stringList(v: unknown): string[] | undefined {
  const list = typeof v === "string" ? [v] : v;
  if (!Array.isArray(list) || list.length === 0 || !list.every((x) => typeof x === "string" && x.length > 0)) return undefined;
  return list;
}

export interface Caller {
  /** The signer's ARN: an account root, user, role or assumed-role session. */
  principal: string;
  accountId: string;
}

/** What the policy says of the caller doing `action`: an explicit Deny, an Allow, or nothing (IAM's implicit deny). */
export function evaluatePolicy(policy: PolicyDocument, caller: Caller, action: string, resource?: string): Effect | undefined {
  let allowed = false;
  for (const s of policy.statements) {
    if (s.resources && resource !== undefined && s.resources.values.some((r) => iamMatch(r, resource)) === s.resources.not) continue;
    // NotPrincipal exempts only the caller's own identity (IAM: naming an account there does not exempt its users).
    const principalMatches = s.principals.not
      ? !s.principals.values.some((p) => principalMatch(p, caller, false))
      : s.principals.values.some((p) => principalMatch(p, caller, true));
    const actionMatches = s.actions.values.some((a) => iamMatch(a, action)) !== s.actions.not;
    if (!principalMatches || !actionMatches) continue;
    if (s.effect === "Deny") return "Deny";
    if (!s.conditional) allowed = true;
  }
  return allowed ? "Allow" : undefined;
}

/** Whether policy principal `p` names the caller; `wholeAccount`: an account stands for every identity in it. */
function principalMatch(p: string, caller: Caller, wholeAccount: boolean): boolean {
  if (p === "*" || p === caller.principal) return true;
  const partition = /^arn:([^:]+):/.exec(caller.principal)?.[1] ?? "aws";
  const isAccount = p === caller.accountId || p === `arn:${partition}:iam::${caller.accountId}:root`;
  if (isAccount) return wholeAccount || caller.principal === `arn:${partition}:iam::${caller.accountId}:root`;
  // A role, whatever its path, names each of its sessions.
  const session = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(caller.principal);
  const role = /^arn:([^:]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(p);
  return session !== null && role !== null && role[1] === session[1] && role[2] === session[2] && role[3] === session[3];
}

/** IAM's action matching: case-insensitive, `*` any run of characters, `?` any one. */
export const iamMatch = (pattern: string, text: string) => wildcardMatch(pattern.toLowerCase(), text.toLowerCase(), true);
