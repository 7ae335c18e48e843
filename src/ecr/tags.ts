// Resource tags as AWS bounds them: at most 50 per resource, keys 1-128 and values 0-256 characters of letters,
// digits, spaces and _ . : / = + - @, no key twice, and the aws: prefix reserved for AWS.
import { InvalidTagParameterException, TooManyTagsException } from "../../generated/errors";
import type { ResourceTag } from "../storage/types";

export const MAX_TAGS_PER_RESOURCE = 50;
const ALLOWED = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** The tags, checked; throws TooManyTagsException or InvalidTagParameterException. */
export function checkTags(tags: ResourceTag[], alreadyOnResource = 0): ResourceTag[] {
  if (tags.length + alreadyOnResource > MAX_TAGS_PER_RESOURCE) {
    throw new TooManyTagsException({ message: `A resource can have at most ${MAX_TAGS_PER_RESOURCE} tags; this request would give it ${tags.length + alreadyOnResource}` });
  }
  const seen = new Set<string>();
  for (const { Key: key, Value: value } of tags) {
    const shown = key.length > 40 ? `${key.slice(0, 40)}...` : key;
    if (key.length < 1 || key.length > 128) throw invalidTag(`The tag key '${shown}' must be 1 to 128 characters long`);
    if (value.length > 256) throw invalidTag(`The value of tag '${shown}' must be at most 256 characters long`);
    if (!ALLOWED.test(key) || !ALLOWED.test(value)) {
      throw invalidTag(`The tag '${shown}' may only contain letters, digits, spaces and _ . : / = + - @`);
    }
    if (key.toLowerCase().startsWith("aws:")) throw invalidTag(`The tag key '${shown}' uses the prefix 'aws:', which is reserved for AWS`);
    if (seen.has(key)) throw invalidTag(`The tag key '${shown}' is given more than once`);
    seen.add(key);
  }
  return tags;
}

const invalidTag = (message: string) => new InvalidTagParameterException({ message });

/** Tag keys to remove, checked like keys to add. */
export function checkTagKeys(keys: string[]): string[] {
  for (const key of keys) {
    const shown = key.length > 40 ? `${key.slice(0, 40)}...` : key;
    if (key.length < 1 || key.length > 128) throw invalidTag(`The tag key '${shown}' must be 1 to 128 characters long`);
    if (key.toLowerCase().startsWith("aws:")) throw invalidTag(`The tag key '${shown}' uses the prefix 'aws:', which is reserved for AWS`);
  }
  return keys;
}
