// The registry protocol's listings, a page at a time with a `Link: <...>; rel="next"` to the rest, as ECR pages them:
// tags/list and _catalog take `n` (1 to 1,000, 100 by default) and `last`; referrers (OCI 1.1) filter by artifactType.
import { listReferrers } from "../ecr/referrers";
import { requireRepository } from "../ecr/repositories";
import { digestInvalid, RegistryError } from "./errors";
import { json, type RegistryRequest, type RegistryResponse } from "./exchange";
import type { Route } from "./routes";
import { isDigest } from "./routes";

const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

/** The `n` of a listing, refused in ECR's words (google/go-containerregistry#681, #1091) when out of range. */
function pageSize(query: URLSearchParams): number {
  const n = query.get("n");
  if (n === null || n === "") return DEFAULT_PAGE;
  const value = Number(n);
  const bad = (why: string) => new RegistryError(400, "UNSUPPORTED", `Invalid parameter at 'maxResults' failed to satisfy constraint: '${why}'`);
  if (!/^\d+$/.test(n)) throw bad("Member must be an integer");
  if (value < 1) throw bad("Member must have value greater than or equal to 1");
  if (value > MAX_PAGE) throw bad(`Member must have value less than or equal to ${MAX_PAGE}`);
  return value;
}

const next = (req: RegistryRequest, path: string, last: string, query: URLSearchParams) => {
  const params = new URLSearchParams(query);
  params.set("last", last);
  return { link: `<${req.origin}${path}?${params}>; rel="next"` };
};

export async function listTags(req: RegistryRequest<Extract<Route, { kind: "tags" }>>): Promise<RegistryResponse> {
  const { context: ctx, registryId, query } = req;
  const { name } = req.route;
  await requireRepository(ctx, registryId, name);
  const n = pageSize(query);
  const tags = await ctx.store.listTags(registryId, name, { after: query.get("last") ?? undefined, limit: n + 1 });
  const page = tags.slice(0, n);
  // ECR labels the list text/plain (deitch/docker_registry2#34); clients read it as JSON either way.
  return json(200, { name, tags: page }, {
    "content-type": "text/plain; charset=utf-8",
    ...(tags.length > n ? next(req, `/v2/${name}/tags/list`, page[page.length - 1], query) : {}),
  });
}

export async function listCatalog(req: RegistryRequest): Promise<RegistryResponse> {
  const { context: ctx, registryId, query } = req;
  const n = pageSize(query);
  const found = await ctx.store.listRepositories(registryId, { after: query.get("last") ?? undefined, limit: n + 1 });
  const repositories = found.slice(0, n).map((r) => r.name);
  return json(200, { repositories }, found.length > n ? next(req, "/v2/_catalog", repositories[repositories.length - 1], query) : {});
}

export async function listReferrersOf(req: RegistryRequest<Extract<Route, { kind: "referrers" }>>): Promise<RegistryResponse> {
  const { context: ctx, registryId, query } = req;
  const { name, digest } = req.route;
  if (!isDigest(digest)) throw digestInvalid(`'${digest}' is not a sha256 digest`);
  await requireRepository(ctx, registryId, name);
  const artifactType = query.get("artifactType") ?? undefined;
  const { referrers, more } = await listReferrers(ctx, registryId, name, digest, {
    after: query.get("last") ?? undefined,
    limit: pageSize(query),
    ...(artifactType ? { artifactTypes: new Set([artifactType]) } : {}),
    // What can be pulled: archived referrers are left out.
    status: "ACTIVE",
  });
  const manifests = referrers.map((r) => ({
    mediaType: r.mediaType,
    digest: r.digest,
    size: r.size,
    ...(r.artifactType ? { artifactType: r.artifactType } : {}),
    ...(r.annotations ? { annotations: r.annotations } : {}),
  }));
  return json(200, { schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests }, {
    "content-type": "application/vnd.oci.image.index.v1+json",
    ...(artifactType ? { "oci-filters-applied": "artifactType" } : {}),
    ...(more ? next(req, `/v2/${name}/referrers/${digest}`, referrers[referrers.length - 1].digest, query) : {}),
  });
}
