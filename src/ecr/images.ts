// Shared by the image handlers: tag syntax, and whether a repository lets a tag move.
import type { RepositoryRecord } from "../storage/types";

/** Docker's tag syntax. */
export const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** Whether an existing tag may not be pointed elsewhere, given the repository's mutability and exclusions. */
export function isTagImmutable(repo: RepositoryRecord, tag: string): boolean {
  const excluded = (repo.imageTagMutabilityExclusionFilters ?? []).some((f) => wildcard(f.filter).test(tag));
  switch (repo.imageTagMutability) {
    case "IMMUTABLE":
      return true;
    case "IMMUTABLE_WITH_EXCLUSION":
      return !excluded;
    case "MUTABLE_WITH_EXCLUSION":
      return excluded;
    default:
      return false;
  }
}

function wildcard(filter: string): RegExp {
  return new RegExp(`^${filter.split("*").map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
}
