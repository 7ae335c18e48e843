// Which images a lifecycle policy expires, and expiring them. Both the preview and the scheduled run use plan(), so a
// preview lists exactly what a run at the same moment removes. AWS's documented rules: every rule selects by tags;
// rules apply lowest priority number first; an image whose tags a rule selects can be expired by that rule only, never
// by a later one (which still counts it); count rules keep the newest images by push time.
import type { RegistryStore } from "../../storage/types";
import { wildcardMatch } from "../images";
import type { KeyedLock } from "../keyed-lock";
import type { LifecycleRule } from "./policy";

export interface LifecycleImage {
  digest: string;
  pushedAt: number;
  tags: string[];
}

export interface Expiry extends LifecycleImage {
  rulePriority: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Images read per query; the event loop is yielded between pages so that requests are served meanwhile. */
const PAGE = 500;

const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve));

function selects(rule: LifecycleRule, tags: string[]): boolean {
  const { tagStatus, tagPrefixList, tagPatternList } = rule.selection;
  if (tagStatus === "any") return true;
  if (tagStatus === "untagged") return tags.length === 0;
  if (tags.length === 0) return false;
  // Several prefixes or patterns select an image only when each matches one of its tags.
  if (tagPrefixList) return tagPrefixList.every((p) => tags.some((t) => t.startsWith(p)));
  return tagPatternList!.every((p) => tags.some((t) => wildcardMatch(p, t)));
}

/** The rule-selected expiries among `images`, by priority order of the rules (`rules` sorted). */
export function selectExpiries(rules: LifecycleRule[], images: LifecycleImage[], now: number): Expiry[] {
  const claimed = new Set<string>();
  const out: Expiry[] = [];
  for (const rule of rules) {
    const selected = images.filter((i) => selects(rule, i.tags));
    let expiring: LifecycleImage[];
    if (rule.selection.countType === "imageCountMoreThan") {
      const newestFirst = [...selected].sort((a, b) => b.pushedAt - a.pushedAt || (a.digest < b.digest ? -1 : 1));
      expiring = newestFirst.slice(rule.selection.countNumber);
    } else {
      const cutoff = now - rule.selection.countNumber * DAY_MS;
      expiring = selected.filter((i) => i.pushedAt < cutoff);
    }
    for (const i of expiring) if (!claimed.has(i.digest)) out.push({ ...i, rulePriority: rule.rulePriority });
    for (const i of selected) claimed.add(i.digest);
  }
  return out;
}

/** Every image of the repository with its tags, read a page at a time. */
async function readImages(store: RegistryStore, registryId: string, repository: string): Promise<LifecycleImage[]> {
  const images: LifecycleImage[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.listImages(registryId, repository, { after, limit: PAGE, tagStatus: "ANY" });
    for (const i of page) images.push({ digest: i.digest, pushedAt: i.pushedAt, tags: await store.listImageTags(registryId, repository, i.digest) });
    if (page.length < PAGE) return images;
    after = page[page.length - 1].digest;
    await yieldToRequests();
  }
}

/**
 * The images a run now would expire, by digest. An image that a list or index outside the expiring set references
 * stays (ECR never leaves a list with a missing child), and so do the images it references in turn.
 */
export async function plan(store: RegistryStore, registryId: string, repository: string, rules: LifecycleRule[], now: number): Promise<Expiry[]> {
  const expiring = new Map(selectExpiries(rules, await readImages(store, registryId, repository), now).map((e) => [e.digest, e]));
  for (let changed = true; changed; ) {
    changed = false;
    for (const digest of [...expiring.keys()]) {
      const by = await store.listReferencingImages(registryId, repository, digest);
      if (by.some((d) => !expiring.has(d))) {
        expiring.delete(digest);
        changed = true;
      }
    }
  }
  return [...expiring.values()].sort((a, b) => (a.digest < b.digest ? -1 : 1));
}

/** Expires the planned images (lists before the images they reference); how many went. */
export async function expire(
  store: RegistryStore,
  locks: KeyedLock,
  registryId: string,
  repository: string,
  expiries: Expiry[],
  stopped: () => boolean = () => false,
): Promise<number> {
  let pending = expiries.map((e) => e.digest);
  let expired = 0;
  while (pending.length) {
    const referenced: string[] = [];
    for (const digest of pending) {
      if (stopped()) return expired;
      const result = await locks.run(`${registryId}/${repository}`, () => store.deleteImage(registryId, repository, digest));
      if (result.deleted) expired++;
      else if (result.reason === "referenced") referenced.push(digest);
    }
    // A pass that removed nothing it was waiting on ends it: what is still referenced is referenced from outside.
    if (referenced.length === pending.length) break;
    pending = referenced;
    await yieldToRequests();
  }
  return expired;
}
