// Turns a parsed JSON document into typed input, driven by the shape table. Type mismatches are
// SerializationExceptions naming the member; constraints are left to the validators.
import type { MemberDescription, ShapeTable, TimestampFormat } from "./definition";
import { serializationError } from "./errors";
import { memberPath, type PathSegment } from "./paths";

const INT_BOUNDS: Record<string, [number, number]> = {
  byte: [-128, 127],
  short: [-32768, 32767],
  integer: [-2147483648, 2147483647],
  long: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  intEnum: [-2147483648, 2147483647],
};
const NOT_BASE64 = /[^A-Za-z0-9+/]/;

/** Strict base64 with padding; a scan for a stray character, since an anchored pattern backtracks on 28 MB. */
export function isBase64(s: string): boolean {
  if (s.length % 4 !== 0) return false;
  let end = s.length;
  if (s.charCodeAt(end - 1) === 61) end--;
  if (s.charCodeAt(end - 1) === 61) end--;
  return !NOT_BASE64.test(end === s.length ? s : s.slice(0, end));
}

export function deserialize(shapes: ShapeTable, key: string, value: unknown): unknown {
  return read(shapes, key, value, [], undefined);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number") return String(value);
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function fail(path: PathSegment[], expected: string, value: unknown): never {
  const where = path.length ? ` at '${memberPath(path)}'` : "";
  throw serializationError(`Expected ${expected}${where}, found ${describe(value)}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function read(shapes: ShapeTable, key: string, value: unknown, path: PathSegment[], format: TimestampFormat | undefined): unknown {
  const shape = shapes[key];
  switch (shape.type) {
    case "structure":
    case "union": {
      if (!isObject(value)) fail(path, "an object", value);
      return shape.type === "structure" ? readMembers(shapes, shape.members, value, path) : readUnion(shapes, shape.members, value, path);
    }
    case "list": {
      if (!Array.isArray(value)) fail(path, "an array", value);
      return value.map((item, i) => {
        const at = [...path, i];
        if (item === null) return shape.sparse ? null : fail(at, "a value (this list does not hold nulls)", item);
        return read(shapes, shape.member, item, at, undefined);
      });
    }
    case "map": {
      if (!isObject(value)) fail(path, "an object", value);
      // No prototype: a key like "__proto__" is data here, not a way to swap the object's prototype.
      const out: Record<string, unknown> = Object.create(null);
      for (const [k, v] of Object.entries(value)) {
        const at = [...path, k];
        if (v === null) {
          if (shape.sparse) out[k] = null;
          continue;
        }
        read(shapes, shape.key, k, at, undefined);
        out[k] = read(shapes, shape.value, v, at, undefined);
      }
      return out;
    }
    case "string":
    case "enum":
      return typeof value === "string" ? value : fail(path, "a string", value);
    case "boolean":
      return typeof value === "boolean" ? value : fail(path, "a boolean", value);
    case "byte":
    case "short":
    case "integer":
    case "long":
    case "intEnum": {
      const [min, max] = INT_BOUNDS[shape.type];
      if (typeof value !== "number" || !Number.isInteger(value)) fail(path, `an integer (${shape.type})`, value);
      if (value < min || value > max) fail(path, `a ${shape.type} between ${min} and ${max}`, value);
      return value;
    }
    case "float":
    case "double":
      if (typeof value === "number") return value;
      if (value === "NaN") return NaN;
      if (value === "Infinity") return Infinity;
      if (value === "-Infinity") return -Infinity;
      return fail(path, "a number", value);
    case "bigInteger":
      if (typeof value !== "number" || !Number.isSafeInteger(value)) fail(path, "an integer within 2^53", value);
      return BigInt(value);
    case "bigDecimal":
      return typeof value === "number" ? String(value) : fail(path, "a number", value);
    case "blob":
      return readBlob(value, path);
    case "timestamp":
      return readTimestamp(value, format ?? shape.format ?? "epoch-seconds", path);
    case "document":
      return value;
  }
}

function readMembers(shapes: ShapeTable, members: Record<string, MemberDescription>, value: Record<string, unknown>, path: PathSegment[]) {
  const out: Record<string, unknown> = {};
  for (const name in members) {
    const m = members[name];
    const v = Object.hasOwn(value, name) ? value[name] : undefined;
    if (v === undefined || v === null) {
      if (m.default !== undefined) out[name] = m.default;
      continue;
    }
    out[name] = read(shapes, m.target, v, [...path, name], m.timestampFormat);
  }
  return out;
}

function readUnion(shapes: ShapeTable, members: Record<string, MemberDescription>, value: Record<string, unknown>, path: PathSegment[]) {
  const set = Object.keys(value).filter((k) => value[k] !== null && value[k] !== undefined);
  if (set.length !== 1) fail(path, "an object with exactly one member set (a union)", value);
  const [name] = set;
  const m = Object.hasOwn(members, name) ? members[name] : undefined;
  if (!m) return { $unknown: [name, value[name]] };
  return { [name]: read(shapes, m.target, value[name], [...path, name], m.timestampFormat) };
}

function readBlob(value: unknown, path: PathSegment[]): Uint8Array {
  if (typeof value !== "string") fail(path, "a base64 string", value);
  if (!isBase64(value)) {
    throw serializationError(`Value at '${memberPath(path)}' is not valid base64`);
  }
  return Buffer.from(value, "base64");
}

function readTimestamp(value: unknown, format: TimestampFormat, path: PathSegment[]): Date {
  if (format === "epoch-seconds") {
    if (typeof value !== "number" || !Number.isFinite(value)) fail(path, "a timestamp in epoch seconds", value);
    return new Date(Math.round(value * 1000));
  }
  if (typeof value !== "string") fail(path, `a ${format} timestamp string`, value);
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw serializationError(`Value at '${memberPath(path)}' is not a ${format} timestamp`);
  return date;
}
