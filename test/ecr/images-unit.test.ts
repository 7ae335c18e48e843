// Tag exclusion filters: `*` matches any run; matching is linear, whatever the filter.
import { wildcardMatch } from "../../src/ecr/images";

test.each([
  ["dev-*", "dev-1", true],
  ["dev-*", "dev-", true],
  ["dev-*", "prod-1", false],
  ["*-rc*", "1.2-rc3", true],
  ["*", "", true],
  ["a*b*c", "aXbYc", true],
  ["a*b*c", "aXbY", false],
  ["exact", "exact", true],
  ["exact", "exactly", false],
])("%s against %s is %s", (pattern, tag, want) => {
  expect(wildcardMatch(pattern, tag)).toBe(want);
});

test("a filter built to make a regular expression backtrack is answered at once", () => {
  expect(wildcardMatch(`${"*a".repeat(40)}*b`, "a".repeat(128))).toBe(false);
});
