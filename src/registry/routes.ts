// The registry protocol's routes (OCI Distribution 1.1 under /v2/), and which ECR action each one is, so that the same
// repository policies decide both protocols.
import { DIGEST } from "../ecr/manifests";

export type Route =
  | { kind: "version" }
  | { kind: "catalog" }
  | { kind: "tags"; name: string }
  | { kind: "manifest"; name: string; reference: string }
  | { kind: "blob"; name: string; digest: string }
  | { kind: "uploads"; name: string }
  | { kind: "upload"; name: string; uploadId: string }
  | { kind: "referrers"; name: string; digest: string };

export type RouteKind = Route["kind"];

// A repository name as ECR allows it (the model's pattern): lower-case components, / separated.
const NAME = "((?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*)";
const PATTERNS: [RegExp, (m: RegExpExecArray) => Route][] = [
  [/^\/v2\/?$/, () => ({ kind: "version" })],
  [/^\/v2\/_catalog$/, () => ({ kind: "catalog" })],
  [new RegExp(`^/v2/${NAME}/tags/list$`), (m) => ({ kind: "tags", name: m[1] })],
  [new RegExp(`^/v2/${NAME}/manifests/([^/]+)$`), (m) => ({ kind: "manifest", name: m[1], reference: m[2] })],
  [new RegExp(`^/v2/${NAME}/blobs/uploads/?$`), (m) => ({ kind: "uploads", name: m[1] })],
  [new RegExp(`^/v2/${NAME}/blobs/uploads/([^/]+)$`), (m) => ({ kind: "upload", name: m[1], uploadId: m[2] })],
  [new RegExp(`^/v2/${NAME}/blobs/([^/]+)$`), (m) => ({ kind: "blob", name: m[1], digest: m[2] })],
  [new RegExp(`^/v2/${NAME}/referrers/([^/]+)$`), (m) => ({ kind: "referrers", name: m[1], digest: m[2] })],
];

/** The route a path names; undefined for none. Paths longer than a URL could sensibly be are no route. */
export function matchRoute(path: string): Route | undefined {
  if (path.length > 1024) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  for (const [pattern, make] of PATTERNS) {
    const m = pattern.exec(decoded);
    if (m) return make(m);
  }
  return undefined;
}

/** The ECR API operation whose permission a request needs (what repository policies name). */
export function actionOf(route: Route, method: string): string | undefined {
  switch (route.kind) {
    case "version":
      return undefined;
    case "catalog":
      return "DescribeRepositories";
    case "tags":
      return "ListImages";
    case "referrers":
      return "ListImageReferrers";
    case "manifest":
      return method === "PUT" ? "PutImage" : method === "DELETE" ? "BatchDeleteImage" : "BatchGetImage";
    case "blob":
      return method === "HEAD" ? "BatchCheckLayerAvailability" : "GetDownloadUrlForLayer";
    case "uploads":
      return "InitiateLayerUpload";
    case "upload":
      return method === "PUT" ? "CompleteLayerUpload" : "UploadLayerPart";
  }
}

/**
 * Further actions a request needs beyond its route's: a one-request upload or a mount makes a layer (as UploadLayerPart
 * and CompleteLayerUpload do), and a completion that carries the last chunk uploads it.
 */
export function furtherActionsOf(route: Route, method: string, query: URLSearchParams, carriesBody: boolean): string[] {
  if (route.kind === "uploads" && (query.has("digest") || query.has("mount"))) return ["UploadLayerPart", "CompleteLayerUpload"];
  if (route.kind === "upload" && method === "PUT" && carriesBody) return ["UploadLayerPart"];
  return [];
}

export const isDigest = (s: string) => DIGEST.test(s);
