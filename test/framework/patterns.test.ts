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

// Patterns AWS's models write for ECMA-262's u flag: the oracle is RegExp with that flag.
const unicodeCases: [string, string[]][] = [
  ["^[\\p{L}\\p{N}]+$", ["abc", "été", "日本", "a-b", "١٢٣"]],
  ["^[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\r\\n\\t]*$", ["abc", "😀", "a\u0001", "\uFFFE", "\u{10FFFF}"]],
  ["^\\u{1F600}$", ["😀", "x"]],
];

test.each(unicodeCases)("%s means what ECMA-262 says with the u flag", (pattern, inputs) => {
  const ecma = new RegExp(pattern, "u");
  const re2 = linearPattern(pattern);
  expect(inputs.map((s) => [s, re2.test(s)])).toEqual(inputs.map((s) => [s, ecma.test(s)]));
});

// Java-only syntax in AWS's models, read as Java reads it: the oracle is the same pattern in ECMA-262's words.
const javaCases: [string, string, string[]][] = [
  ["^(?i)all|[0-9]{12}$", "^(?:[aA][lL][lL])|[0-9]{12}$", ["all", "ALL", "123456789012", "alx"]],
  ["^\\p{Alnum}+$", "^[A-Za-z0-9]+$", ["abc09", "a-b", "é"]],
  ["^[\\p{Print}\\t]*$", "^[\\x20-\\x7E\\t]*$", ["a b~", "a\tb", "a\u0001", "é"]],
  ["^\\p{ASCII}{0,5}$", "^[\\x00-\\x7F]{0,5}$", ["abc", "abcdef", "é"]],
  ["^[0-9A-Z]{2}+$", "^[0-9A-Z]{2}$", ["0A", "0a", "0AB"]],
  ["^a++b?+$", "^a+b?$", ["a", "aab", "b"]],
  ["^a+?$", "^a+?$", ["a", "aa", ""]],
  ["^\\++$", "^\\++$", ["+", "++", ""]],
  ["^(?s).*$", "^[^]*$", ["a\nb", "a\u2028b", ""]],
  ["^a.(?s).$", "^a[^\\n\\r\\u2028\\u2029][^]$", ["ab\n", "a\nb", "abc"]],
  ["^\\P{Alnum}+$", "^[^A-Za-z0-9]+$", ["-_", "a-", "é"]],
  ["^[\\P{Digit}x]+$", "^[^0-9]+$", ["ab", "a1"]],
];

test.each(javaCases)("%s means what Java says", (pattern, ecmaEquivalent, inputs) => {
  const ecma = new RegExp(ecmaEquivalent);
  const re2 = linearPattern(pattern);
  expect(inputs.map((s) => [s, re2.test(s)])).toEqual(inputs.map((s) => [s, ecma.test(s)]));
});

test("a lookahead is refused (RE2 cannot run it)", () => {
  expect(() => linearPattern("^(?=a)a$")).toThrow();
});
