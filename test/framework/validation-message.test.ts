// Constraint violations as data and AWS's default wording: paths as AWS writes them, values echoed only as a short
// prefix, and never more than MAX_VIOLATIONS described, however many the validator found.
import type { ValidatorError } from "../../src/framework/definition";
import { MAX_VIOLATIONS, validationMessage, violations } from "../../src/framework/validation-message";

const cases: { name: string; errors: ValidatorError[]; input: unknown; want: string }[] = [
  {
    name: "a missing member is null",
    errors: [{ keyword: "required", instancePath: "", params: { missingProperty: "name" } }],
    input: {},
    want: "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
  },
  {
    name: "a list position counts from 1",
    errors: [{ keyword: "maxLength", instancePath: "/tags/1", params: { limit: 3 } }],
    input: { tags: ["a", "toolong"] },
    want: "1 validation error detected: Value 'toolong' at 'tags.2.member' failed to satisfy constraint: Member must have length less than or equal to 3",
  },
  {
    name: "a long value is cut to 64 characters",
    errors: [{ keyword: "pattern", instancePath: "/name", params: { pattern: "^[a-z]+$" } }],
    input: { name: "X".repeat(10_000) },
    want: `1 validation error detected: Value '${"X".repeat(64)}...' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z]+$`,
  },
];

test.each(cases)("$name", ({ errors, input, want }) => {
  expect(validationMessage(violations(errors, input))).toBe(want);
});

test("a long list's echo is a short prefix", () => {
  const v = violations([{ keyword: "maxItems", instancePath: "/ids", params: { limit: 2 } }], { ids: Array.from({ length: 1_000_000 }, () => "") });
  expect(v).toEqual([{ path: "ids", value: `${`[${Array(64).fill("").join(", ")}, ...]`.slice(0, 64)}...`, constraint: "must have length less than or equal to 2" }]);
});

test(`no more than ${MAX_VIOLATIONS} violations are described`, () => {
  const errors = Array.from({ length: 100_000 }, (_, i): ValidatorError => ({ keyword: "minLength", instancePath: `/ids/${i}`, params: { limit: 1 } }));
  const v = violations(errors, { ids: Array(100_000).fill("") });
  expect(v).toHaveLength(MAX_VIOLATIONS);
  expect(v[9]).toEqual({ path: "ids.10.member", value: "", constraint: "must have length greater than or equal to 1" });
  expect(validationMessage(v).startsWith(`${MAX_VIOLATIONS} validation errors detected: `)).toBe(true);
});

test("a pattern violation carries the model's pattern for services that word it themselves", () => {
  expect(violations([{ keyword: "pattern", instancePath: "/name", params: { pattern: "^[a-z]+$" } }], { name: "A" })).toEqual([
    { path: "name", value: "A", constraint: "must satisfy regular expression '^[a-z]+$'", pattern: "^[a-z]+$" },
  ]);
});
