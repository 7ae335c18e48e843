// Which images are scanned when: a registry's scanning type and rules, once put, decide for every repository (a rule's
// filters matching the repository's name; continuous scanning before scan on push); before that, a repository's own
// scanOnPush flag does, as it did before ECR had registry-level scanning.
import { InvalidParameterException } from "../../../generated/errors";
import type { RegistryScanningConfiguration, RegistryScanningRule, RepositoryScanningConfiguration, ScanningRepositoryFilter } from "../../../generated/types";
import type { RepositoryRecord } from "../../storage/types";
import type { Context } from "../handlers/context";
import { wildcardMatch } from "../images";
import { storedRules } from "../stored-rules";

/** What a registry that never put a scanning configuration has. */
const DEFAULT: Required<RegistryScanningConfiguration> = { scanType: "BASIC", rules: [] };

/** The frequencies each scanning type runs (MANUAL, scanning only when asked, is what no rule gives). */
const FREQUENCIES: Record<string, string[]> = { BASIC: ["SCAN_ON_PUSH", "MANUAL"], ENHANCED: ["SCAN_ON_PUSH", "CONTINUOUS_SCAN", "MANUAL"] };

export async function getRegistryScanning(ctx: Context, registryId: string): Promise<Required<RegistryScanningConfiguration> & { put: boolean }> {
  const stored = await ctx.store.getRegistryScanningConfiguration(registryId);
  if (!stored) return { ...DEFAULT, put: false };
  return { scanType: stored.scanType as "BASIC", rules: storedRules<RegistryScanningRule>(stored.rules), put: true };
}

/** Checks and stores the registry's scanning configuration; an omitted type keeps the current one. */
export async function putRegistryScanning(ctx: Context, registryId: string, input: RegistryScanningConfiguration): Promise<Required<RegistryScanningConfiguration>> {
  const scanType = input.scanType ?? (await getRegistryScanning(ctx, registryId)).scanType;
  const rules = input.rules ?? [];
  const seen = new Set<string>();
  rules.forEach((rule, i) => {
    if (!FREQUENCIES[scanType].includes(rule.scanFrequency)) {
      throw new InvalidParameterException({
        message: `Invalid parameter at 'rules.${i + 1}.member.scanFrequency' failed to satisfy constraint: 'scan frequency ${rule.scanFrequency} is not supported for scan type ${scanType}; supported: [${FREQUENCIES[scanType].join(", ")}]'`,
      });
    }
    if (seen.has(rule.scanFrequency)) {
      throw new InvalidParameterException({ message: `Invalid parameter at 'rules' failed to satisfy constraint: 'at most one rule per scan frequency; ${rule.scanFrequency} is given twice'` });
    }
    seen.add(rule.scanFrequency);
  });
  const configuration = { scanType, rules: rules.map((r) => ({ scanFrequency: r.scanFrequency, repositoryFilters: r.repositoryFilters.map((f) => ({ filter: f.filter, filterType: f.filterType })) })) };
  await ctx.store.putRegistryScanningConfiguration(registryId, scanType, JSON.stringify(configuration.rules));
  return configuration;
}

/** How the repository's images are scanned: its frequency and the filters that chose it. */
export async function repositoryScanning(ctx: Context, registryId: string, repo: RepositoryRecord): Promise<Pick<RepositoryScanningConfiguration, "scanFrequency" | "scanOnPush" | "appliedScanFilters">> {
  const registry = await getRegistryScanning(ctx, registryId);
  if (!registry.put) return repo.scanOnPush ? { scanFrequency: "SCAN_ON_PUSH", scanOnPush: true, appliedScanFilters: [] } : { scanFrequency: "MANUAL", scanOnPush: false, appliedScanFilters: [] };
  for (const frequency of ["CONTINUOUS_SCAN", "SCAN_ON_PUSH"] as const) {
    const rule = registry.rules.find((r) => r.scanFrequency === frequency);
    const applied = rule?.repositoryFilters.filter((f) => matches(f, repo.name)) ?? [];
    if (applied.length) return { scanFrequency: frequency, scanOnPush: true, appliedScanFilters: applied };
  }
  return { scanFrequency: "MANUAL", scanOnPush: false, appliedScanFilters: [] };
}

const matches = (f: ScanningRepositoryFilter, repository: string) => wildcardMatch(f.filter, repository);
