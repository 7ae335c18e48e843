// Opaque page tokens. A token holds the last key shown, so that a page stays right while things come and go between
// calls: nothing that existed throughout is skipped or shown twice.
import { InvalidParameterException } from "../../generated/errors";

export const DEFAULT_PAGE = 100;

export function encodeToken(after: unknown): string {
  return Buffer.from(JSON.stringify({ after })).toString("base64url");
}

/** The key a token holds, checked by `valid`; a token this service did not make is InvalidParameterException. */
export function decodeToken<T>(token: string, valid: (after: unknown) => after is T): T {
  try {
    const { after } = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (valid(after)) return after;
  } catch {
    // fall through
  }
  throw new InvalidParameterException({ message: "The nextToken is not one this service returned" });
}

export const isString = (v: unknown): v is string => typeof v === "string";
