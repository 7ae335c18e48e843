// Registry settings kept per repository namespace prefix (creation templates, pull through cache rules): the prefixes
// that cover a name, most specific first. `prod` (or `prod/`) covers `prod/api`; ROOT covers every name.
export const ROOT = "ROOT";

/** The prefixes that may hold a setting for `name`, in the order they are tried: one key lookup each. */
export function coveringPrefixes(name: string): string[] {
  const parts = name.split("/");
  const candidates: string[] = [];
  for (let n = parts.length - 1; n >= 1; n--) {
    const prefix = parts.slice(0, n).join("/");
    candidates.push(prefix, `${prefix}/`);
  }
  return [...candidates, ROOT];
}
