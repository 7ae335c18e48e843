// Emits generated/validators.js (+ .d.ts): ajv validators for each operation's input, compiled ahead of time.
// They run on deserialized input (types already checked), so the schemas carry only the constraint traits.
import Ajv, { _, KeywordCxt } from "ajv";
import standaloneCode from "ajv/dist/standalone";
import { linearPattern } from "../../src/framework/patterns";
import { CodegenError, effectiveTraits, MemberRef, Model, shapeName, trait, Traits } from "../model";
import { EmitContext, header, operationIo } from "./common";

type Schema = Record<string, unknown>;

/**
 * ajv configured as the runtime expects; the codegen and tests share it. Generated validators load the pattern engine
 * from `frameworkImport` (the framework as the generated code imports it).
 */
export function createAjv(frameworkImport = "../src/framework"): Ajv {
  const regExp = Object.assign((pattern: string) => linearPattern(pattern), {
    code: `require(${JSON.stringify(`${frameworkImport}/patterns`)}).linearPattern`,
  });
  const ajv = new Ajv({
    // The first violation ends validation: its cost never grows with how much of the input is wrong (a list over its
    // maximum is refused before its items are looked at), and ECR's answer names only the first one anyway.
    allErrors: false,
    strict: true,
    // Types are the deserializer's job (ajv's number type would refuse a double's NaN); schemas hold constraints only.
    strictTypes: false,
    // Smithy patterns are ECMA-262 without the u flag (AWS's use escapes like `\-` outside classes).
    unicodeRegExp: false,
    code: { source: true, esm: false, lines: true, regExp },
  });
  // Blob lengths count decoded bytes; blobs arrive as Uint8Array.
  for (const [keyword, op] of [["minBytes", "<"], ["maxBytes", ">"]] as const) {
    ajv.addKeyword({
      keyword,
      schemaType: "number",
      error: { message: `blob length out of range`, params: ({ schemaCode }) => _`{limit: ${schemaCode}}` },
      code(cxt: KeywordCxt) {
        cxt.fail(op === "<" ? _`${cxt.data}.byteLength < ${cxt.schema}` : _`${cxt.data}.byteLength > ${cxt.schema}`);
      },
    });
  }
  return ajv;
}

export function emitValidators(ctx: EmitContext): { js: string; dts: string } {
  const { model } = ctx;
  const defs: Record<string, Schema> = {};
  for (const id of ctx.shapes) {
    if (model.shape(id).type !== "operation") defs[shapeName(id)] = shapeSchema(model, id);
  }
  const ajv = createAjv(ctx.frameworkImport);
  ajv.addSchema({ $id: "shapes", $defs: defs });
  const exports: Record<string, string> = {};
  for (const opId of ctx.shapes.filter((id) => model.shape(id).type === "operation")) {
    const { input } = operationIo(model, opId);
    if (input.startsWith("smithy.api#")) continue;
    const name = shapeName(opId);
    ajv.addSchema({ $id: `op-${name}`, $ref: `shapes#/$defs/${shapeName(input)}` });
    exports[name] = `op-${name}`;
  }
  const js = `${header(ctx.modelPath)}/* eslint-disable */\n${standaloneCode(ajv, exports)}\n`;
  const names = Object.keys(exports).sort();
  const dts =
    header(ctx.modelPath) +
    `import type { InputValidator } from ${JSON.stringify(`${ctx.frameworkImport}/definition`)};\n\n` +
    names.map((n) => `export declare const ${n}: InputValidator;\n`).join("");
  return { js, dts };
}

/** The JSON schema of one shape: its constraint traits (its own unless given) and, for aggregates, its members'. */
export function shapeSchema(model: Model, id: string, traits = model.shape(id).traits): Schema {
  const shape = model.shape(id);
  switch (shape.type) {
    case "structure":
    case "union": {
      const members = Object.entries(shape.members ?? {});
      const required = members.filter(([, ref]) => trait(ref.traits, "required") !== undefined).map(([m]) => m);
      const schema: Schema = {
        properties: Object.fromEntries(members.map(([m, ref]) => [m, memberSchema(model, ref)])),
      };
      if (shape.type === "structure" && required.length) schema.required = required;
      return schema;
    }
    case "list":
    case "set":
      return { items: memberSchema(model, shape.member!), ...constraints(id, "list", traits) };
    case "map":
      return {
        propertyNames: memberSchema(model, shape.key!),
        additionalProperties: memberSchema(model, shape.value!),
        ...constraints(id, "map", traits),
      };
    default:
      return { ...enumSchema(model, id), ...constraints(id, shape.type, traits) };
  }
}

/** An enum's values (also the older @enum trait on a string); nothing for other simple shapes. */
function enumSchema(model: Model, id: string): Schema {
  const shape = model.shape(id);
  const legacy = trait<{ value: string }[]>(shape.traits, "enum");
  if (shape.type === "string" && legacy) return { enum: legacy.map((e) => e.value) };
  if (shape.type !== "enum" && shape.type !== "intEnum") return {};
  return { enum: Object.entries(shape.members ?? {}).map(([m, ref]) => trait(ref.traits, "enumValue") ?? m) };
}

// bigInteger and bigDecimal are not JS numbers at run time, so ajv cannot range-check them.
const NUMERIC = new Set(["byte", "short", "integer", "long", "float", "double"]);

function constraints(id: string, type: string, traits: Traits | undefined): Schema {
  const out: Schema = {};
  const length = trait<{ min?: number; max?: number }>(traits, "length");
  if (length) {
    const [min, max] = (
      {
        string: ["minLength", "maxLength"], enum: ["minLength", "maxLength"], list: ["minItems", "maxItems"],
        map: ["minProperties", "maxProperties"], blob: ["minBytes", "maxBytes"],
      } as Record<string, [string, string]>
    )[type] ?? [];
    if (!min) throw new CodegenError(id, `@length does not apply to a ${type}`);
    if (length.min !== undefined) out[min] = length.min;
    if (length.max !== undefined) out[max] = length.max;
  }
  const pattern = trait<string>(traits, "pattern");
  if (pattern !== undefined) {
    if (type !== "string" && type !== "enum") throw new CodegenError(id, `@pattern does not apply to a ${type}`);
    try {
      new RegExp(pattern);
    } catch (e) {
      throw new CodegenError(id, `@pattern is not an ECMA-262 regular expression: ${(e as Error).message}`);
    }
    try {
      linearPattern(pattern);
    } catch (e) {
      // Only linear-time matching is safe against any input; RE2 refuses e.g. lookarounds and backreferences.
      throw new CodegenError(id, `@pattern cannot run on RE2, the linear-time engine model patterns use: ${(e as Error).message}`);
    }
    out.pattern = pattern;
  }
  const range = trait<{ min?: number; max?: number }>(traits, "range");
  if (range && (type === "bigInteger" || type === "bigDecimal")) {
    // Valid Smithy, but these are not JS numbers at run time: not checked.
  } else if (range) {
    if (!NUMERIC.has(type) && type !== "intEnum") throw new CodegenError(id, `@range does not apply to a ${type}`);
    if (range.min !== undefined) out.minimum = range.min;
    if (range.max !== undefined) out.maximum = range.max;
  }
  if (trait(traits, "uniqueItems") !== undefined) out.uniqueItems = true;
  return out;
}

const CONSTRAINT_TRAITS = ["length", "pattern", "range", "uniqueItems"].map((t) => `smithy.api#${t}`);

/**
 * A reference to the target's schema; when the member has constraint traits of its own, which replace the target's
 * (Smithy's rule), the target's schema is built inline with the member's traits instead.
 */
function memberSchema(model: Model, ref: MemberRef): Schema {
  const own = Object.keys(ref.traits ?? {}).some((t) => CONSTRAINT_TRAITS.includes(t));
  if (!own && !ref.target.startsWith("smithy.api#")) return { $ref: `#/$defs/${shapeName(ref.target)}` };
  return shapeSchema(model, ref.target, effectiveTraits(model, ref));
}
