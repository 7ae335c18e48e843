// Emits generated/shapes.ts: the runtime shape table that drives (de)serialization.
import type { MemberDescription, ShapeDescription } from "../../src/framework/definition";
import { CodegenError, effectiveTraits, MemberRef, Model, trait } from "../model";
import { EmitContext, header, tableKey } from "./common";

export function emitShapes(ctx: EmitContext): string {
  const table = shapeTable(ctx.model, ctx.shapes);
  const lines = Object.keys(table)
    .sort()
    .map((key) => `  ${JSON.stringify(key)}: ${JSON.stringify(table[key])},\n`);
  return (
    header(ctx.modelPath) +
    `import type { ShapeTable } from ${JSON.stringify(ctx.frameworkImport)};\n\n` +
    `export const shapes: ShapeTable = {\n${lines.join("")}};\n`
  );
}

export function shapeTable(model: Model, ids: string[]): Record<string, ShapeDescription> {
  const table: Record<string, ShapeDescription> = {};
  const add = (id: string) => {
    const key = tableKey(id);
    if (!table[key]) table[key] = describe(model, id);
  };
  for (const id of ids) {
    const shape = model.shape(id);
    if (shape.type === "operation") {
      for (const ref of [shape.input, shape.output]) if (ref) add(ref.target);
      continue;
    }
    add(id);
    const refs = [shape.member, shape.key, shape.value, ...Object.values(shape.members ?? {})];
    for (const ref of refs) if (ref?.target.startsWith("smithy.api#")) add(ref.target);
  }
  const lacksIo = (id: string) => model.shape(id).type === "operation" && (!model.shape(id).input || !model.shape(id).output);
  if (ids.some(lacksIo)) add("smithy.api#Unit");
  return table;
}

function describe(model: Model, id: string): ShapeDescription {
  const shape = model.shape(id);
  switch (shape.type) {
    case "structure": {
      const error = trait<"client" | "server">(shape.traits, "error");
      const httpError = trait<number>(shape.traits, "httpError");
      return {
        type: "structure",
        members: members(model, shape.members ?? {}),
        ...(error ? { error } : {}),
        ...(httpError ? { httpError } : {}),
      };
    }
    case "union":
      return { type: "union", members: members(model, shape.members ?? {}) };
    case "list":
    case "set":
      return {
        type: "list",
        member: tableKey(shape.member!.target),
        ...bound("memberMax", model, shape.member!),
        ...(trait(shape.traits, "sparse") ? { sparse: true } : {}),
      };
    case "map":
      return {
        type: "map",
        key: tableKey(shape.key!.target),
        value: tableKey(shape.value!.target),
        ...bound("keyMax", model, shape.key!),
        ...bound("valueMax", model, shape.value!),
        ...(trait(shape.traits, "sparse") ? { sparse: true } : {}),
      };
    case "timestamp": {
      const format = trait<string>(shape.traits, "timestampFormat");
      return format ? { type: "timestamp", format: format as "date-time" } : { type: "timestamp" };
    }
    case "string": case "enum": case "blob": case "boolean": case "byte": case "short": case "integer": case "long":
    case "float": case "double": case "bigInteger": case "bigDecimal": case "intEnum": case "document":
      return { type: shape.type };
    default:
      throw new CodegenError(id, `shape type '${shape.type}' is not supported`);
  }
}

function members(model: Model, refs: Record<string, MemberRef>): Record<string, MemberDescription> {
  const out: Record<string, MemberDescription> = {};
  for (const [name, ref] of Object.entries(refs)) {
    model.shape(ref.target);
    const d: MemberDescription = { target: tableKey(ref.target), ...bound("max", model, ref) };
    if (trait(ref.traits, "required") !== undefined) d.required = true;
    const dflt = trait(ref.traits, "default");
    if (dflt !== undefined && dflt !== null) d.default = dflt;
    const format = trait<string>(ref.traits, "timestampFormat");
    if (format) d.timestampFormat = format as MemberDescription["timestampFormat"];
    out[name] = d;
  }
  return out;
}

/**
 * The @length maximum of what a reference holds (the member's own trait, else its target's), under `name`: the body
 * reader refuses a list, map, string or blob as soon as it grows past it, before the rest arrives.
 */
function bound<K extends string>(name: K, model: Model, ref: MemberRef): { [P in K]?: number } {
  const max = trait<{ max?: number }>(effectiveTraits(model, ref), "length")?.max;
  return (max === undefined ? {} : { [name]: max }) as { [P in K]?: number };
}
