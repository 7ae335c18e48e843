// Model @pattern traits run on RE2 (re2js, in plain JS): matching takes time linear in the input whatever the pattern,
// where a backtracking engine can take seconds on a short input (AWS's ECR model has such patterns).
import { RE2JS } from "re2js";

export interface LinearPattern {
  test(input: string): boolean;
  toString(): string;
}

/** A model pattern (Smithy: ECMA-262 syntax, not anchored) compiled for RE2; throws when RE2 cannot express it. */
export function linearPattern(pattern: string): LinearPattern {
  const re = RE2JS.compile(pattern);
  // ajv tells compiled patterns apart by their string form.
  return { test: (input) => re.test(input), toString: () => pattern };
}
