// A registry's replication rules: which repositories (by name prefix; all without filters) are copied to which
// destinations. Checked as ECR checks them, and stored as given.
import { InvalidParameterException } from "../../../generated/errors";
import type { ReplicationConfiguration, ReplicationRule } from "../../../generated/types";
import type { ReplicationDestination } from "../../storage/types";
import type { Context } from "../handlers/context";
import { storedRules } from "../stored-rules";

/** ECR's quota: up to 25 distinct destinations across all of a registry's rules. */
export const MAX_DESTINATIONS = 25;

const invalid = (at: string, why: string) => new InvalidParameterException({ message: `Invalid parameter at '${at}' failed to satisfy constraint: '${why}'` });
const key = (d: ReplicationDestination) => `${d.region}/${d.registryId}`;

export async function getReplicationConfiguration(ctx: Context, registryId: string): Promise<ReplicationConfiguration> {
  const stored = await ctx.store.getReplicationConfiguration(registryId);
  return { rules: stored === undefined ? [] : storedRules<ReplicationRule>(stored) };
}

/** Checks and stores the registry's rules, replacing its last ones; no rules turns replication off. */
export async function putReplicationConfiguration(ctx: Context, registryId: string, input: ReplicationConfiguration): Promise<ReplicationConfiguration> {
  const destinations = new Set<string>();
  input.rules.forEach((rule, i) =>
    rule.destinations.forEach((d, j) => {
      // A registry cannot be its own destination: the copy would be the image itself.
      if (d.region === ctx.region && d.registryId === registryId) {
        throw invalid(`replicationConfiguration.rules.${i + 1}.member.destinations.${j + 1}.member`, `a destination must be another region or another registry than the source (${ctx.region}, ${registryId})`);
      }
      destinations.add(key(d));
    }),
  );
  if (destinations.size > MAX_DESTINATIONS) {
    throw invalid("replicationConfiguration.rules", `at most ${MAX_DESTINATIONS} distinct destinations across all rules, not ${destinations.size}`);
  }
  const rules: ReplicationRule[] = input.rules.map((r) => ({
    destinations: r.destinations.map((d) => ({ region: d.region, registryId: d.registryId })),
    ...(r.repositoryFilters ? { repositoryFilters: r.repositoryFilters.map((f) => ({ filter: f.filter, filterType: f.filterType })) } : {}),
  }));
  await ctx.store.putReplicationConfiguration(registryId, JSON.stringify(rules));
  return { rules };
}

/** The distinct destinations of the rules that cover the repository, in the rules' order. */
export async function destinationsOf(ctx: Context, registryId: string, repository: string): Promise<ReplicationDestination[]> {
  const { rules } = await getReplicationConfiguration(ctx, registryId);
  const found = new Map<string, ReplicationDestination>();
  for (const rule of rules) {
    // PREFIX_MATCH is the only filter type: a plain prefix of the name.
    if (rule.repositoryFilters?.length && !rule.repositoryFilters.some((f) => repository.startsWith(f.filter))) continue;
    for (const d of rule.destinations) if (!(d.region === ctx.region && d.registryId === registryId)) found.set(key(d), d);
  }
  return [...found.values()];
}
