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

/**
 * Every image of the repository in standard storage (ACTIVE) with its tags, read a page at a time. Archived images,
 * and those being restored, are neither counted nor expired: rules for archived images are not supported.
 */
async function readImages(store: RegistryStore, registryId: string, repository: string, now: number): Promise<LifecycleImage[]> {
  const images: LifecycleImage[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.listImages(registryId, repository, { after, limit: PAGE, tagStatus: "ANY", status: { status: "ACTIVE", at: now } });
    for (const i of page) images.push({ digest: i.digest, pushedAt: i.pushedAt, tags: await store.listImageTags(registryId, repository, i.digest) });
    if (page.length < PAGE) return images;
    after = page[page.length - 1].digest;
    await yieldToRequests();
  }
}

/**
 * The images a run now would expire, in the order a run deletes them (a list or index before the images it names).
 * An image that a list or index outside the expiring set references stays (ECR never leaves a list with a missing
 * child), and so do the images it references in turn. Each image is visited once; the event loop is yielded between
 * pages of work.
 */
export async function plan(store: RegistryStore, registryId: string, repository: string, rules: LifecycleRule[], now: number): Promise<Expiry[]> {
  const expiring = new Map(selectExpiries(rules, await readImages(store, registryId, repository, now), now).map((e) => [e.digest, e]));
  const referencers = new Map<string, string[]>();
  let work = 0;
  const pace = async () => {
    if (++work % PAGE === 0) await yieldToRequests();
  };
  for (const digest of expiring.keys()) {
    referencers.set(digest, await store.listReferencingImages(registryId, repository, digest));
    await pace();
  }
  const children = async (digest: string) => ((await store.getImage(registryId, repository, digest))?.references ?? []).filter((d) => expiring.has(d) && d !== digest);
  // Kept: named by an image that stays, or by a kept image.
  const kept = new Set<string>();
  const queue = [...expiring.keys()].filter((d) => referencers.get(d)!.some((r) => !expiring.has(r)));
  while (queue.length) {
    const d = queue.pop()!;
    if (kept.has(d)) continue;
    kept.add(d);
    for (const c of await children(d)) if (!kept.has(c)) queue.push(c);
    await pace();
  }
  for (const d of kept) expiring.delete(d);
  // Deletion order: an image goes once every expiring image that names it has gone.
  const waitingOn = new Map([...expiring.keys()].map((d) => [d, referencers.get(d)!.filter((r) => expiring.has(r)).length]));
  const ready = [...waitingOn].filter(([, n]) => n === 0).map(([d]) => d);
  const order: Expiry[] = [];
  while (ready.length) {
    const d = ready.pop()!;
    order.push(expiring.get(d)!);
    for (const c of await children(d)) {
      const n = waitingOn.get(c)! - 1;
      waitingOn.set(c, n);
      if (n === 0) ready.push(c);
    }
    await pace();
  }
  return order;
}

const sameTags = (a: string[], b: string[]) => a.length === b.length && a.every((t, i) => t === b[i]);

/**
 * Expires the planned images, in plan order; how many went. Each is checked again under the repository's lock: an
 * image that was tagged differently or put again since the plan (a concurrent PutImage or BatchDeleteImage, a
 * repository made anew) is not what the rules selected, and stays.
 */
export async function expire(
  store: RegistryStore,
  locks: KeyedLock,
  registryId: string,
  repository: string,
  expiries: Expiry[],
  stopped: () => boolean = () => false,
): Promise<number> {
  let expired = 0;
  for (const e of expiries) {
    if (stopped()) break;
    const gone = await locks.run(`${registryId}/${repository}`, async () => {
      const image = await store.getImage(registryId, repository, e.digest);
      if (!image || image.pushedAt !== e.pushedAt) return false;
      if (!sameTags(await store.listImageTags(registryId, repository, e.digest), [...e.tags].sort())) return false;
      return (await store.deleteImage(registryId, repository, e.digest)).deleted;
    });
    if (gone) expired++;
    await yieldToRequests();
  }
  return expired;
}
