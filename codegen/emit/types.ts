// Emits generated/types.ts: a TypeScript type for every non-error shape of the service closure.
import { CodegenError, Model, trait } from "../model";
import { docComment, EmitContext, header, isError, propKey, quote, SIMPLE_TS, tsName, tsRef } from "./common";

export function emitTypes(ctx: EmitContext): string {
  const { model } = ctx;
  const types = ctx.shapes.filter((id) => !isError(model, id) && model.shape(id).type !== "operation");
  // Errors are classes in errors.ts; an event stream's union names them as members.
  const errors = new Set<string>();
  for (const id of types) {
    for (const ref of Object.values(model.shape(id).members ?? {})) if (isError(model, ref.target)) errors.add(tsName(ref.target));
  }
  const imports = errors.size ? `import type { ${[...errors].sort().join(", ")} } from "./errors.js";\n\n` : "";
  return `${header(ctx.modelPath)}/* eslint-disable */\n${imports}\n${types.map((id) => emitType(model, id)).join("\n")}`;
}

export function emitType(model: Model, id: string): string {
  const shape = model.shape(id);
  const name = tsName(id);
  const doc = docComment(shape.traits);
  switch (shape.type) {
    case "structure":
      return `${doc}export interface ${name} {\n${structureMembers(model, id)}}\n`;
    case "union": {
      const variants = Object.entries(shape.members ?? {}).map(
        ([m, ref]) => `  | { ${propKey(m)}: ${tsRef(model, ref.target)}; $unknown?: never }`,
      );
      variants.push("  | { $unknown: [string, unknown] }");
      return `${doc}export type ${name} =\n${variants.join("\n")};\n`;
    }
    case "list":
    case "set": {
      const item = tsRef(model, shape.member!.target);
      return `${doc}export type ${name} = Array<${item}${trait(shape.traits, "sparse") ? " | null" : ""}>;\n`;
    }
    case "map": {
      const value = tsRef(model, shape.value!.target);
      return `${doc}export type ${name} = Record<string, ${value}${trait(shape.traits, "sparse") ? " | null" : ""}>;\n`;
    }
    case "enum":
    case "intEnum":
      return emitEnum(model, id);
    default: {
      const values = trait<{ value: string }[]>(shape.traits, "enum");
      if (shape.type === "string" && values) return `${doc}export type ${name} = ${values.map((v) => quote(v.value)).join(" | ")};\n`;
      const ts = SIMPLE_TS[shape.type];
      if (!ts) throw new CodegenError(id, `shape type '${shape.type}' is not supported`);
      return `${doc}export type ${name} = ${ts};\n`;
    }
  }
}

/** Member lines of an interface; shared by structures and error field types. */
export function structureMembers(model: Model, id: string, skip: (member: string) => boolean = () => false): string {
  const shape = model.shape(id);
  return Object.entries(shape.members ?? {})
    .filter(([m]) => !skip(m))
    .map(([m, ref]) => {
      // `?: T | undefined` as the AWS SDKs declare it: their values fit under exactOptionalPropertyTypes too.
      const optional = trait(ref.traits, "required") === undefined;
      return `${docComment(ref.traits, "  ")}  ${propKey(m)}${optional ? "?" : ""}: ${tsRef(model, ref.target)}${optional ? " | undefined" : ""};\n`;
    })
    .join("");
}

/** An enum is a union of its values plus a const object of them, under one name. */
function emitEnum(model: Model, id: string): string {
  const shape = model.shape(id);
  const name = tsName(id);
  const entries = Object.entries(shape.members ?? {}).map(([m, ref]) => {
    const value = trait<string | number>(ref.traits, "enumValue") ?? m;
    if (shape.type === "intEnum" && typeof value !== "number") throw new CodegenError(id, `intEnum member ${m} has no integer value`);
    return [m, value] as const;
  });
  if (entries.length === 0) throw new CodegenError(id, "enum has no members");
  const literal = (v: string | number) => (typeof v === "number" ? String(v) : quote(v));
  return (
    `${docComment(shape.traits)}export const ${name} = {\n` +
    entries.map(([m, v]) => `  ${propKey(m)}: ${literal(v)},\n`).join("") +
    `} as const;\n` +
    `export type ${name} = (typeof ${name})[keyof typeof ${name}];\n`
  );
}
