// Emits generated/validators.ts: ajv validators for each operation's input, compiled ahead of time.
// They run on deserialized input (types already checked), so the schemas carry only the constraint traits.
import Ajv, { _, KeywordCxt } from "ajv";
import standaloneCode from "ajv/dist/standalone";
import { linearPattern } from "../../src/framework/patterns";
import { CodegenError, effectiveTraits, MemberRef, Model, shapeName, trait, Traits } from "../model";
import { EmitContext, header, operationIo, quote } from "./common";

type Schema = Record<string, unknown>;

/**
 * ajv configured as the runtime expects; the codegen and tests share it. Generated validators call the pattern engine
 * by the name `__linearPattern`, which the generated file imports from the framework.
 */
export function createAjv(): Ajv {
  const regExp = Object.assign((pattern: string) => linearPattern(pattern), { code: "__linearPattern" });
  const ajv = new Ajv({
    // The first violation ends validation: its cost never grows with how much of the input is wrong (a list over its
    // maximum is refused before its items are looked at), and ECR's answer names only the first one anyway.
    allErrors: false,
    strict: true,
    // Types are the deserializer's job (ajv's number type would refuse a double's NaN); schemas hold constraints only.
    strictTypes: false,
    // Smithy patterns are ECMA-262 without the u flag (AWS's use escapes like `\-` outside classes).
    unicodeRegExp: false,
    code: { source: true, esm: true, lines: true, regExp },
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

// ajv's generated code requires its runtime helpers; the generated file gets them from the framework instead, so a
// user's project needs no ajv of its own.
const AJV_RUNTIME = /require\("ajv\/dist\/runtime\/(\w+)"\)\.default/g;
const FRAMEWORK_AJV_RUNTIME = new Set(["ucs2length", "equal"]);

export function emitValidators(ctx: EmitContext): string {
  const { model } = ctx;
  const defs: Record<string, Schema> = {};
  for (const id of ctx.shapes) {
    if (model.shape(id).type !== "operation") defs[shapeName(id)] = shapeSchema(model, id, ctx.warn);
  }
  const ajv = createAjv();
  ajv.addSchema({ $id: "shapes", $defs: defs });
  const exports: Record<string, string> = {};
  for (const opId of ctx.shapes.filter((id) => model.shape(id).type === "operation")) {
    const { input } = operationIo(model, opId);
    if (input.startsWith("smithy.api#")) continue;
    const name = shapeName(opId);
    ajv.addSchema({ $id: `op-${name}`, $ref: `shapes#/$defs/${shapeName(input)}` });
    exports[name] = `op-${name}`;
  }
  const code = standaloneCode(ajv, exports)
    .replace(/^"use strict";\n/, "")
    .replace(AJV_RUNTIME, (_match, helper: string) => {
      if (!FRAMEWORK_AJV_RUNTIME.has(helper)) throw new CodegenError(ctx.serviceId, `validators need ajv's ${helper}, which the framework does not provide`);
      return `__ajvRuntime.${helper}`;
    })
    // Typed exports, so that the declarations say what each validator is.
    .replace(/^export const (\w+) = (\w+);$/gm, "export const $1: InputValidator = $2;");
  if (/\brequire\(/.test(code)) throw new CodegenError(ctx.serviceId, "the validators' code requires a module the framework does not provide");
  return (
    header(ctx.modelPath) +
    // ajv's code is plain JavaScript: the compiler checks the exports' types, not the functions' bodies.
    `// @ts-nocheck\n/* eslint-disable */\n` +
    `import { ajvRuntime as __ajvRuntime, linearPattern as __linearPattern, type InputValidator } from ${quote(ctx.frameworkImport)};\n\n` +
    code +
    "\n"
  );
}

/** The JSON schema of one shape: its constraint traits (its own unless given) and, for aggregates, its members'. */
/** Reports what the codegen leaves out instead of failing the whole model (a pattern the engine cannot run). */
export type Warn = (message: string) => void;

export function shapeSchema(model: Model, id: string, warn: Warn, traits = model.shape(id).traits): Schema {
  const shape = model.shape(id);
  switch (shape.type) {
    case "structure":
    case "union": {
      const members = Object.entries(shape.members ?? {});
      const required = members.filter(([, ref]) => trait(ref.traits, "required") !== undefined).map(([m]) => m);
      const schema: Schema = {
        properties: Object.fromEntries(members.map(([m, ref]) => [m, memberSchema(model, ref, warn)])),
      };
      if (shape.type === "structure" && required.length) schema.required = required;
      return schema;
    }
    case "list":
    case "set":
      return { items: memberSchema(model, shape.member!, warn), ...constraints(id, "list", traits, warn) };
    case "map":
      return {
        propertyNames: memberSchema(model, shape.key!, warn),
        additionalProperties: memberSchema(model, shape.value!, warn),
        ...constraints(id, "map", traits, warn),
      };
    default:
      return { ...enumSchema(model, id), ...constraints(id, shape.type, traits, warn) };
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

function constraints(id: string, type: string, traits: Traits | undefined, warn: Warn): Schema {
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
      // Only linear-time matching is safe against any input. RE2 refuses lookarounds and backreferences, and repeat
      // counts over 1000; such a pattern is left unchecked for this shape, with a warning, and the rest still generates.
      linearPattern(pattern);
      out.pattern = pattern;
    } catch (e) {
      warn(`${id}: @pattern ${JSON.stringify(pattern)} is not enforced: RE2, the linear-time engine patterns run on, cannot run it (${(e as Error).message})`);
    }
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
function memberSchema(model: Model, ref: MemberRef, warn: Warn): Schema {
  const own = Object.keys(ref.traits ?? {}).some((t) => CONSTRAINT_TRAITS.includes(t));
  if (!own && !ref.target.startsWith("smithy.api#")) return { $ref: `#/$defs/${shapeName(ref.target)}` };
  return shapeSchema(model, ref.target, warn, effectiveTraits(model, ref));
}
