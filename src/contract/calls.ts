// What a fault rule and a journal query match on: one call, API or registry protocol, described the same way.

export interface Call {
  protocol: "api" | "registry";
  /** The API operation, or the ECR action a registry route is (UploadLayerPart for a PATCH of an upload). */
  operation?: string;
  /** Registry protocol only: `<METHOD> <route>`, e.g. `PATCH upload` (see ROUTES). */
  route?: string;
  repository?: string;
  uploadId?: string;
  /** The SDK's attempt number (its `amz-sdk-request` header): 1 for the first try. */
  attempt?: number;
  /** The SDK's invocation id (`amz-sdk-invocation-id`): the same on every attempt of one call. */
  invocationId?: string;
}

/** Every given field must equal the call's; a list matches any of its values. */
export interface CallMatch {
  protocol?: "api" | "registry";
  operation?: string | string[];
  route?: string | string[];
  repository?: string;
  uploadId?: string;
  attempt?: number;
  invocationId?: string;
}

/** The registry protocol's routes as `route` names them. */
export const ROUTES = [
  "GET version", "GET catalog", "GET tags", "GET manifest", "HEAD manifest", "PUT manifest", "DELETE manifest",
  "GET blob", "HEAD blob", "DELETE blob", "POST uploads", "PATCH upload", "PUT upload", "GET upload", "DELETE upload",
  "GET referrers",
] as const;

const MATCH_KEYS = ["protocol", "operation", "route", "repository", "uploadId", "attempt", "invocationId"] as const;

export function matches(match: CallMatch | undefined, call: Call): boolean {
  if (!match) return true;
  for (const key of MATCH_KEYS) {
    const want = match[key];
    if (want === undefined) continue;
    const got = call[key];
    if (Array.isArray(want) ? !want.includes(got as string) : want !== got) return false;
  }
  return true;
}

/** Checks a match given as JSON (the control route); the message says what is wrong. */
export function checkMatch(match: unknown): CallMatch {
  if (match === undefined) return {};
  if (typeof match !== "object" || match === null || Array.isArray(match)) throw new TypeError("match must be an object");
  for (const [key, value] of Object.entries(match)) {
    if (!(MATCH_KEYS as readonly string[]).includes(key)) throw new TypeError(`match.${key} is not a matcher (${MATCH_KEYS.join(", ")})`);
    if (key === "attempt" ? !Number.isInteger(value) : !(typeof value === "string" || (["operation", "route"].includes(key) && Array.isArray(value) && value.every((v) => typeof v === "string")))) {
      throw new TypeError(`match.${key} has the wrong type`);
    }
  }
  const m = match as CallMatch;
  if (m.protocol !== undefined && m.protocol !== "api" && m.protocol !== "registry") throw new TypeError("match.protocol must be api or registry");
  for (const r of [m.route ?? []].flat()) if (!(ROUTES as readonly string[]).includes(r)) throw new TypeError(`match.route '${r}' is none of: ${ROUTES.join(", ")}`);
  return m;
}

/** Who sent a request, from its headers. */
export interface Caller {
  accountId?: string;
  /** The access key of a SigV4 signature. */
  accessKeyId?: string;
  userAgent?: string;
  invocationId?: string;
  attempt?: number;
  maxAttempts?: number;
  /** Whether the request carried a signature (SigV4 on the API; Basic or Bearer credentials on the registry). */
  signed: boolean;
}

const CREDENTIAL = /Credential=([^/,\s]+)\//;
const ATTEMPT = /(?:^|;)\s*attempt=(\d+)/;
const MAX = /(?:^|;)\s*max=(\d+)/;

/** The request headers a caller is worked out from. */
export type CallerHeaderName = "authorization" | "amz-sdk-request" | "user-agent" | "amz-sdk-invocation-id";

export function callerOf(headers: { readonly [name in CallerHeaderName]?: string | string[] }, accountId: string | undefined): Caller {
  const h = (name: CallerHeaderName) => {
    const v = headers[name];
    return Array.isArray(v) ? v.join(", ") : v;
  };
  const authorization = h("authorization");
  const request = h("amz-sdk-request");
  const caller: Caller = { signed: authorization !== undefined && /^(AWS4-HMAC-SHA256|Basic|Bearer)\s/i.test(authorization) };
  if (accountId !== undefined) caller.accountId = accountId;
  const key = authorization && CREDENTIAL.exec(authorization)?.[1];
  if (key) caller.accessKeyId = key;
  const ua = h("user-agent");
  if (ua !== undefined) caller.userAgent = ua;
  const id = h("amz-sdk-invocation-id");
  if (id !== undefined) caller.invocationId = id;
  const attempt = request && ATTEMPT.exec(request)?.[1];
  if (attempt) caller.attempt = Number(attempt);
  const max = request && MAX.exec(request)?.[1];
  if (max) caller.maxAttempts = Number(max);
  return caller;
}
