// Emits generated/errors.ts: a ServiceException subclass per error shape, with its modeled members.
import { Model, shapeName, trait } from "../model";
import { docComment, EmitContext, header, isError, propKey, quote, tsName, tsRef } from "./common";

export function emitErrors(ctx: EmitContext): string {
  const errors = ctx.shapes.filter((id) => isError(ctx.model, id));
  const referenced = new Set<string>();
  const classes = errors.map((id) => emitErrorClass(ctx.model, id, referenced));
  const typeImports = [...referenced].sort();
  return (
    header(ctx.modelPath) +
    `import { ServiceException as __ServiceException } from ${quote(ctx.frameworkImport)};\n` +
    (typeImports.length ? `import type { ${typeImports.join(", ")} } from "./types.js";\n` : "") +
    `\n${classes.join("\n")}\n` +
    `/** Every error class of the service, by shape name. */\n` +
    `export const errorClasses = {\n${errors.map((id) => `  ${quote(shapeName(id))}: ${tsName(id)},\n`).join("")}};\n`
  );
}

/** The member that carries the error's message, whatever its case. */
export function messageMember(model: Model, id: string): string | undefined {
  return Object.keys(model.shape(id).members ?? {}).find((m) => m.toLowerCase() === "message");
}

export function emitErrorClass(model: Model, id: string, referenced = new Set<string>()): string {
  const shape = model.shape(id);
  const name = tsName(id);
  const fault = trait<string>(shape.traits, "error") === "server" ? "server" : "client";
  const msg = messageMember(model, id);
  const fields = Object.entries(shape.members ?? {}).filter(([m]) => m !== msg);
  const typeOf = (target: string) => {
    const ts = tsRef(model, target);
    if (!target.startsWith("smithy.api#")) referenced.add(ts);
    return ts;
  };
  const required = (ref: { traits?: Record<string, unknown> }) => trait(ref.traits, "required") !== undefined;
  const optionsType = [
    // `| undefined` spelled out, so that the code compiles under exactOptionalPropertyTypes too.
    `message?: string | undefined`,
    ...fields.map(([m, ref]) => `${propKey(m)}${required(ref) ? "" : "?"}: ${typeOf(ref.target)}${required(ref) ? "" : " | undefined"}`),
  ].join("; ");
  const anyRequired = fields.some(([, ref]) => required(ref));
  return (
    docComment(shape.traits) +
    `export class ${name} extends __ServiceException {\n` +
    `  static override readonly shapeId = ${quote(id)};\n` +
    `  override readonly name = ${quote(shapeName(id))};\n` +
    `  override readonly $fault = ${quote(fault)};\n` +
    fields.map(([m, ref]) => `${docComment(ref.traits, "  ")}  ${propKey(m)}${required(ref) ? "!" : "?"}: ${typeOf(ref.target)}${required(ref) ? "" : " | undefined"};\n`).join("") +
    `  constructor(options: { ${optionsType} }${anyRequired ? "" : " = {}"}) {\n` +
    `    super({ name: ${quote(shapeName(id))}, $fault: ${quote(fault)}, $metadata: {}, message: options.message ?? "" });\n` +
    `    Object.setPrototypeOf(this, ${name}.prototype);\n` +
    fields.map(([m]) => `    this${accessor(m)} = options${accessor(m)};\n`).join("") +
    `  }\n}\n`
  );
}

function accessor(member: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(member) ? `.${member}` : `[${quote(member)}]`;
}
