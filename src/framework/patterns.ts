// Model @pattern traits run on RE2 (re2js, in plain JS): matching takes time linear in the input whatever the pattern,
// where a backtracking engine can take seconds on a short input (AWS's ECR model has such patterns).
// Smithy patterns are ECMA-262; the few places where RE2's syntax or meaning differs are rewritten first.
import { RE2JS } from "re2js";

export interface LinearPattern {
  test(input: string): boolean;
  toString(): string;
}

/** A model pattern (Smithy: ECMA-262 syntax, not anchored) compiled for RE2; throws when RE2 cannot express it. */
export function linearPattern(pattern: string): LinearPattern {
  const re = RE2JS.compile(toRe2(pattern));
  // ajv tells compiled patterns apart by their string form.
  return { test: (input) => re.test(input), toString: () => pattern };
}

/** ECMA-262's white space and line terminators, which its `\s` matches (RE2's is ASCII only). */
const ECMA_SPACE = "\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}";

/**
 * ECMA-262 to RE2: `\uXXXX` becomes `\x{XXXX}` (RE2 has no `\u`), `\s` and `\S` get ECMA's set, `.` outside a
 * class stops at ECMA's line terminators (RE2's stops only at `\n`), and `[]` and `[^]` keep ECMA's meaning.
 */
export function toRe2(pattern: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      const next = pattern[i + 1];
      const hex = /^[0-9A-Fa-f]{4}$/.test(pattern.slice(i + 2, i + 6)) ? pattern.slice(i + 2, i + 6) : undefined;
      if (next === "u" && hex) {
        out += `\\x{${hex}}`;
        i += 5;
      } else if (next === "s") {
        out += inClass ? ECMA_SPACE : `[${ECMA_SPACE}]`;
        i++;
      } else if (next === "S" && !inClass) {
        out += `[^${ECMA_SPACE}]`;
        i++;
      } else {
        out += c + (next ?? "");
        i++;
      }
    } else if (c === "[" && !inClass) {
      // ECMA's `[]` matches nothing and `[^]` anything; in RE2 a ']' first in a class is a literal.
      if (pattern.startsWith("[]", i)) {
        out += "[^\\x{0}-\\x{10FFFF}]";
        i++;
      } else if (pattern.startsWith("[^]", i)) {
        out += "[\\x{0}-\\x{10FFFF}]";
        i += 2;
      } else {
        inClass = true;
        out += c;
      }
    } else if (c === "]" && inClass) {
      inClass = false;
      out += c;
    } else if (c === "." && !inClass) out += "[^\\n\\r\\x{2028}\\x{2029}]";
    else out += c;
  }
  return out;
}
