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

/** Java's POSIX-style classes, which AWS's models use as if they were ECMA-262's; RE2 has each as `[:name:]`. */
const JAVA_CLASSES: Record<string, string> = {
  Alnum: "alnum", Alpha: "alpha", ASCII: "ascii", Blank: "blank", Cntrl: "cntrl", Digit: "digit", Graph: "graph",
  Lower: "lower", Print: "print", Punct: "punct", Space: "space", Upper: "upper", XDigit: "xdigit",
};

const hex4 = (s: string) => (/^[0-9A-Fa-f]{4}$/.test(s) ? parseInt(s, 16) : undefined);

/**
 * ECMA-262 to RE2: `\uXXXX` becomes `\x{XXXX}` (RE2 has no `\u`; a surrogate pair becomes its code point, as with
 * ECMA's u flag), `\u{...}` becomes `\x{...}`, `\s` and `\S` get ECMA's set, `.` outside a class stops at ECMA's line
 * terminators (RE2's stops only at `\n`), and `[]` and `[^]` keep ECMA's meaning. Java-only syntax that AWS's models
 * carry is read as Java reads it: POSIX classes such as `\p{Alnum}` and `\P{Alnum}` (ASCII, as in Java), `(?s)` (a
 * `.` after it matches line terminators), and possessive quantifiers (`{2}+`), which for a linear-time engine that
 * never backtracks mean the same as greedy ones. `(?i)` RE2 reads itself.
 */
export function toRe2(pattern: string): string {
  let out = "";
  let inClass = false;
  let quantified = false;
  let dotAll = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      const next = pattern[i + 1];
      const unit = hex4(pattern.slice(i + 2, i + 6));
      const low = pattern.startsWith("\\u", i + 6) ? hex4(pattern.slice(i + 8, i + 12)) : undefined;
      const braced = next === "u" ? /^\{([0-9A-Fa-f]{1,6})\}/.exec(pattern.slice(i + 2)) : null;
      const javaClass = next === "p" || next === "P" ? /^\{([A-Za-z]+)\}/.exec(pattern.slice(i + 2)) : null;
      if (next === "u" && unit !== undefined && unit >= 0xd800 && unit <= 0xdbff && low !== undefined && low >= 0xdc00 && low <= 0xdfff) {
        out += `\\x{${(0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00)).toString(16).toUpperCase()}}`;
        i += 11;
      } else if (next === "u" && unit !== undefined) {
        out += `\\x{${pattern.slice(i + 2, i + 6)}}`;
        i += 5;
      } else if (braced) {
        out += `\\x{${braced[1]}}`;
        i += 1 + braced[0].length;
      } else if (javaClass && JAVA_CLASSES[javaClass[1]!]) {
        const posix = `[:${next === "P" ? "^" : ""}${JAVA_CLASSES[javaClass[1]!]}:]`;
        out += inClass ? posix : `[${posix}]`;
        i += 1 + javaClass[0].length;
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
    } else if (c === "." && !inClass) out += dotAll ? "[\\x{0}-\\x{10FFFF}]" : "[^\\n\\r\\x{2028}\\x{2029}]";
    else if (c === "(" && !inClass && /^\(\?[a-zA-Z]*s[a-zA-Z]*\)/.test(pattern.slice(i))) {
      // Java's (?s): from here on `.` matches line terminators too.
      dotAll = true;
      out += c;
    }
    else if (c === "+" && quantified) {
      // A possessive quantifier: the same as greedy here.
      quantified = false;
      continue;
    } else out += c;
    // Whether the output ends in a quantifier that a `+` would make possessive (a `?` after one makes it lazy).
    quantified = !inClass && !quantified && (c === "*" || c === "+" || c === "?" || (c === "}" && /\{\d+(,\d*)?\}$/.test(out)));
    continue;
  }
  return out;
}
