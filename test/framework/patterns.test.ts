// Model patterns run on RE2 but mean what ECMA-262 says: table-driven against JS's own RegExp as the oracle.
import { linearPattern } from "../../src/framework/patterns";

const cases: [string, string[]][] = [
  ["^[\\u0020-\\uD7FF\\r\\n\\t]*$", ["abc", "a\u0001b", "tab\there", "\uD7FF", ""]],
  ["^.+$", ["abc", "a\rb", "a\u2028b", "a\nb", "é"]],
  ["^\\s+$", [" ", "\u00a0", "\u000b", "\u3000", "\ufeff", "x", "\u200b"]],
  ["^\\S+$", ["abc", "a b", "a\u00a0b"]],
  ["^[a\\s]+$", ["a a", "a\u00a0a", "ab"]],
  ["^[^\\s]+$", ["ab", "a\u00a0"]],
  ["^[]a]+$", ["]a", "b"]],
  ["^[^]+$", ["]a", "\n"]],
  ["^[\\]a]+$", ["]a", "b"]],
  ["^[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(\\/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*$", ["app", "a/b", "A", "a//b", "a--b"]],
  ["b", ["abc", "xyz"]], // not anchored
];

test.each(cases)("%s means what ECMA-262 says", (pattern, inputs) => {
  const ecma = new RegExp(pattern);
  const re2 = linearPattern(pattern);
  expect(inputs.map((s) => [s, re2.test(s)])).toEqual(inputs.map((s) => [s, ecma.test(s)]));
});

test("a lookahead is refused (RE2 cannot run it)", () => {
  expect(() => linearPattern("^(?=a)a$")).toThrow();
});
