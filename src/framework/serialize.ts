// Turns typed output into a JSON-ready value, driven by the shape table: only modeled, present members.
import type { ShapeTable, TimestampFormat } from "./definition";

export function serialize(shapes: ShapeTable, key: string, value: unknown): unknown {
  return write(shapes, key, value, undefined);
}

function write(shapes: ShapeTable, key: string, value: unknown, format: TimestampFormat | undefined): unknown {
  const shape = shapes[key];
  switch (shape.type) {
    case "structure": {
      const out: Record<string, unknown> = {};
      const obj = value as Record<string, unknown>;
      for (const name in shape.members) {
        const v = Object.hasOwn(obj, name) ? obj[name] : undefined;
        if (v === undefined || v === null) continue;
        const m = shape.members[name];
        out[name] = write(shapes, m.target, v, m.timestampFormat);
      }
      return out;
    }
    case "union": {
      const obj = value as Record<string, unknown>;
      for (const name in shape.members) {
        if (obj[name] !== undefined && obj[name] !== null) {
          const m = shape.members[name];
          return { [name]: write(shapes, m.target, obj[name], m.timestampFormat) };
        }
      }
      return {};
    }
    case "list":
      return (value as unknown[]).map((v) => (v === null ? null : write(shapes, shape.member, v, undefined)));
    case "map": {
      const out: Record<string, unknown> = Object.create(null); // "__proto__" is a key like any other
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        out[k] = v === null ? null : write(shapes, shape.value, v, undefined);
      }
      return out;
    }
    case "blob": {
      const bytes = typeof value === "string" ? Buffer.from(value) : (value as Uint8Array);
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
    }
    case "timestamp": {
      const date = value instanceof Date ? value : new Date((value as number) * 1000);
      const f = format ?? shape.format ?? "epoch-seconds";
      if (f === "date-time") return date.toISOString();
      if (f === "http-date") return date.toUTCString();
      return date.getTime() / 1000;
    }
    case "float":
    case "double":
      return Number.isFinite(value) ? value : String(value);
    case "bigInteger":
      return Number(value);
    case "bigDecimal":
      return Number(value);
    default:
      return value;
  }
}
