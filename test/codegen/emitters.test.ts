// Table-driven emitter tests: given a small model fragment, want this output.
import { emitErrorClass, emitErrors } from "../../codegen/emit/errors";
import { emitService } from "../../codegen/emit/service";
import { shapeTable } from "../../codegen/emit/shapes";
import { emitType } from "../../codegen/emit/types";
import { shapeSchema } from "../../codegen/emit/validators";
import { Model, type Shape } from "../../codegen/model";

const NS = "test.ns#";
const model = (shapes: Record<string, Shape>) =>
  new Model({ smithy: "2.0", shapes: Object.fromEntries(Object.entries(shapes).map(([k, v]) => [NS + k, v])) });
const t = (name: string, traits?: Record<string, unknown>) => ({ target: name.includes("#") ? name : NS + name, ...(traits ? { traits } : {}) });
const unit = (value: string | number) => ({ target: "smithy.api#Unit", traits: { "smithy.api#enumValue": value } });

describe("types", () => {
  const cases: [string, Record<string, Shape>, string][] = [
    [
      "a structure: required members are not optional; docs become comments",
      {
        Thing: {
          type: "structure",
          members: { id: t("Id", { "smithy.api#required": {} }), size: t("smithy.api#Long"), at: t("smithy.api#Timestamp"), raw: t("smithy.api#Blob") },
          traits: { "smithy.api#documentation": "A <b>thing</b>." },
        },
        Id: { type: "string" },
      },
      "/** A thing. */\nexport interface Thing {\n  id: Id;\n  size?: number | undefined;\n  at?: Date | undefined;\n  raw?: Uint8Array | undefined;\n}\n",
    ],
    ["a string alias", { Id: { type: "string" } }, "export type Id = string;\n"],
    ["a long alias", { Size: { type: "long" } }, "export type Size = number;\n"],
    ["a list", { Ids: { type: "list", member: t("smithy.api#String") } }, "export type Ids = Array<string>;\n"],
    ["a set", { Ids: { type: "set", member: t("smithy.api#String") } }, "export type Ids = Array<string>;\n"],
    ["a sparse list", { Ids: { type: "list", member: t("smithy.api#String"), traits: { "smithy.api#sparse": {} } } }, "export type Ids = Array<string | null>;\n"],
    ["a map", { Tags: { type: "map", key: t("smithy.api#String"), value: t("smithy.api#Integer") } }, "export type Tags = Record<string, number>;\n"],
    [
      "an enum: a const object and a union type of its values",
      { Mode: { type: "enum", members: { FAST: unit("fast"), SLOW: unit("slow") } } },
      'export const Mode = {\n  FAST: "fast",\n  SLOW: "slow",\n} as const;\nexport type Mode = (typeof Mode)[keyof typeof Mode];\n',
    ],
    [
      "an intEnum",
      { Level: { type: "intEnum", members: { LOW: unit(1), HIGH: unit(2) } } },
      "export const Level = {\n  LOW: 1,\n  HIGH: 2,\n} as const;\nexport type Level = (typeof Level)[keyof typeof Level];\n",
    ],
    [
      "a union",
      { Shape: { type: "union", members: { circle: t("smithy.api#Double"), square: t("smithy.api#Integer") } } },
      "export type Shape =\n  | { circle: number; $unknown?: never }\n  | { square: number; $unknown?: never }\n  | { $unknown: [string, unknown] };\n",
    ],
  ];
  test.each(cases)("%s", (_name, shapes, want) => {
    const first = Object.keys(shapes)[0];
    expect(emitType(model(shapes), NS + first)).toBe(want);
  });

  test("a shape named like a global the generated code uses is renamed in TypeScript only", () => {
    const m = model({ Date: { type: "string" }, When: { type: "structure", members: { d: t("Date"), at: t("smithy.api#Timestamp") } } });
    expect(emitType(m, `${NS}Date`)).toBe("export type Date_ = string;\n");
    expect(emitType(m, `${NS}When`)).toBe("export interface When {\n  d?: Date_ | undefined;\n  at?: Date | undefined;\n}\n");
  });

  test("an unsupported shape type is refused, naming the shape", () => {
    expect(() => emitType(model({ Res: { type: "resource" } }), `${NS}Res`)).toThrow("test.ns#Res: shape type 'resource' is not supported");
  });
});

describe("errors", () => {
  test("an error class carries name, fault, shape id and its modeled members", () => {
    const m = model({
      Gone: {
        type: "structure",
        members: { message: t("smithy.api#String"), resource: t("Id", { "smithy.api#required": {} }), retry: t("smithy.api#Integer") },
        traits: { "smithy.api#error": "server" },
      },
      Id: { type: "string" },
    });
    const referenced = new Set<string>();
    expect(emitErrorClass(m, `${NS}Gone`, referenced)).toBe(
      "export class Gone extends __ServiceException {\n" +
        '  static override readonly shapeId = "test.ns#Gone";\n' +
        '  override readonly name = "Gone";\n' +
        '  override readonly $fault = "server";\n' +
        "  resource!: Id;\n" +
        "  retry?: number | undefined;\n" +
        "  constructor(options: { message?: string | undefined; resource: Id; retry?: number | undefined }) {\n" +
        '    super({ name: "Gone", $fault: "server", $metadata: {}, message: options.message ?? "" });\n' +
        "    Object.setPrototypeOf(this, Gone.prototype);\n" +
        "    this.resource = options.resource;\n" +
        "    this.retry = options.retry;\n" +
        "  }\n}\n",
    );
    expect([...referenced]).toEqual(["Id"]);
  });
});

describe("error classes", () => {
  test("are listed under their wire names, even when renamed in TypeScript", () => {
    const m = model({
      Svc: { type: "service", version: "1", operations: [{ target: `${NS}Op` }], traits: { "aws.protocols#awsJson1_1": {} } },
      Op: { type: "operation", errors: [{ target: `${NS}ServiceException` }] },
      ServiceException: { type: "structure", members: {}, traits: { "smithy.api#error": "server" } },
    });
    const out = emitErrors({ model: m, serviceId: `${NS}Svc`, shapes: m.closure(`${NS}Svc`), frameworkImport: "../fw", modelPath: "m.json", warn: () => undefined });
    expect(out).toContain('export class ServiceException_ extends __ServiceException {');
    expect(out).toContain('  "ServiceException": ServiceException_,\n');
  });
});

describe("services", () => {
  test("a service of another protocol is refused, naming it", () => {
    const m = model({ Svc: { type: "service", version: "1", operations: [], traits: { "aws.protocols#restJson1": {} } } });
    expect(() => emitService({ model: m, serviceId: `${NS}Svc`, shapes: [], frameworkImport: "../fw", modelPath: "m.json", warn: () => undefined })).toThrow(
      "test.ns#Svc: the runtime serves the awsJson1_0 and awsJson1_1 protocols only; the service has neither trait",
    );
  });

  test("mixins give their members and collection operations are served", () => {
    const m = model({
      Svc: { type: "service", version: "1", resources: [{ target: `${NS}Res` }] },
      Res: { type: "resource", collectionOperations: [{ target: `${NS}List` }] } as Shape,
      List: { type: "operation", input: t("ListInput") },
      Paged: { type: "structure", members: { nextToken: t("smithy.api#String") }, traits: { "smithy.api#mixin": {} } },
      ListInput: { type: "structure", mixins: [{ target: `${NS}Paged` }], members: { name: t("smithy.api#String") } },
    });
    expect(m.operations(`${NS}Svc`)).toEqual([`${NS}List`]);
    expect(Object.keys(m.shape(`${NS}ListInput`).members!)).toEqual(["nextToken", "name"]);
    expect(m.shape(`${NS}ListInput`).traits).toEqual({});
  });
});

describe("validator schemas", () => {
  const cases: [string, Record<string, Shape>, unknown][] = [
    [
      "a string's length and pattern",
      { Name: { type: "string", traits: { "smithy.api#length": { min: 2, max: 8 }, "smithy.api#pattern": "^[a-z]+$" } } },
      { minLength: 2, maxLength: 8, pattern: "^[a-z]+$" },
    ],
    ["a blob's length counts bytes", { Data: { type: "blob", traits: { "smithy.api#length": { max: 16 } } } }, { maxBytes: 16 }],
    ["a long's range", { Count: { type: "long", traits: { "smithy.api#range": { min: 0, max: 10 } } } }, { minimum: 0, maximum: 10 }],
    ["an enum's values", { Mode: { type: "enum", members: { A: unit("a"), B: unit("b") } } }, { enum: ["a", "b"] }],
    [
      "a list's length and uniqueness",
      { Ids: { type: "list", member: t("smithy.api#String"), traits: { "smithy.api#length": { min: 1 }, "smithy.api#uniqueItems": {} } } },
      { items: {}, minItems: 1, uniqueItems: true },
    ],
    [
      "a map's size, keys and values",
      { Tags: { type: "map", key: t("Key"), value: t("smithy.api#String"), traits: { "smithy.api#length": { max: 3 } } }, Key: { type: "string" } },
      { propertyNames: { $ref: "#/$defs/Key" }, additionalProperties: {}, maxProperties: 3 },
    ],
    [
      "a structure's required members, and a member's own constraints on top of its target's",
      {
        Thing: {
          type: "structure",
          members: { id: t("Id", { "smithy.api#required": {} }), note: t("Id", { "smithy.api#length": { max: 5 } }), n: t("smithy.api#Integer", { "smithy.api#range": { min: 1 } }) },
        },
        Id: { type: "string" },
      },
      {
        properties: { id: { $ref: "#/$defs/Id" }, note: { maxLength: 5 }, n: { minimum: 1 } },
        required: ["id"],
      },
    ],
    [
      "a member's constraint trait replaces its target's",
      {
        Thing: { type: "structure", members: { longer: t("Text", { "smithy.api#length": { max: 500 } }) } },
        Text: { type: "string", traits: { "smithy.api#length": { min: 1, max: 300 }, "smithy.api#pattern": "^[a-z]*$" } },
      },
      { properties: { longer: { maxLength: 500, pattern: "^[a-z]*$" } } },
    ],
    [
      "the older @enum trait on a string",
      { Colour: { type: "string", traits: { "smithy.api#enum": [{ value: "red" }, { value: "blue" }] } } },
      { enum: ["red", "blue"] },
    ],
    ["@range on a bigInteger is valid Smithy, not checked", { Big: { type: "bigInteger", traits: { "smithy.api#range": { min: 1 } } } }, {}],
  ];
  test.each(cases)("%s", (_name, shapes, want) => {
    const warnings: string[] = [];
    expect(shapeSchema(model(shapes), NS + Object.keys(shapes)[0], (w) => warnings.push(w))).toEqual(want);
    expect(warnings).toEqual([]);
  });

  test.each([
    ["@length on a boolean", { type: "boolean", traits: { "smithy.api#length": { max: 1 } } }, "test.ns#X: @length does not apply to a boolean"],
    ["@range on a string", { type: "string", traits: { "smithy.api#range": { max: 1 } } }, "test.ns#X: @range does not apply to a string"],
  ] as [string, Shape, string][])("refuses %s, naming the shape", (_name, shape, message) => {
    expect(() => shapeSchema(model({ X: shape }), `${NS}X`, () => undefined)).toThrow(message);
  });

  test.each([
    ["needs ECMA's u flag", "^[\\p{L}\\p{N}]+$"],
    ["names astral code points by surrogate pairs", "^[\\u0020-\\uD7FF\\uD800\\uDC00-\\uDBFF\\uDFFF]*$"],
    ["uses Java's (?i)", "^(?i)all|[0-9]{12}$"],
    ["uses Java's POSIX classes", "^[\\p{Alnum}\\p{Punct}]+$"],
    ["uses Java's possessive quantifiers", "^[0-9A-Z]{2}+$"],
  ])("keeps a pattern that %s", (_name, pattern) => {
    const warnings: string[] = [];
    expect(shapeSchema(model({ X: { type: "string", traits: { "smithy.api#pattern": pattern } } }), `${NS}X`, (w) => warnings.push(w))).toEqual({ pattern });
    expect(warnings).toEqual([]);
  });

  test.each([
    ["a lookahead", "^(?!aws:).+$", "invalid or unsupported Perl syntax: `(?!`"],
    ["a repeat count over 1000", "^.{1,2048}$", "invalid repeat count: `{1,2048}`"],
    ["an unbalanced group", "^(a$", "missing closing ): `^(a$`"],
  ])("leaves out %s with a warning naming the shape, and keeps the shape's other constraints", (_name, pattern, why) => {
    const warnings: string[] = [];
    const shape: Shape = { type: "string", traits: { "smithy.api#pattern": pattern, "smithy.api#length": { max: 9 } } };
    expect(shapeSchema(model({ X: shape }), `${NS}X`, (w) => warnings.push(w))).toEqual({ maxLength: 9 });
    expect(warnings).toEqual([
      `test.ns#X: @pattern ${JSON.stringify(pattern)} is not enforced: RE2, the linear-time engine patterns run on, cannot run it (error parsing regexp: ${why})`,
    ]);
  });
});

describe("shape table", () => {
  test("structures, defaults, errors and prelude targets", () => {
    const m = model({
      Op: { type: "operation", input: t("In") },
      In: { type: "structure", members: { flag: t("Flag", { "smithy.api#default": false }), at: t("smithy.api#Timestamp", { "smithy.api#timestampFormat": "date-time" }) } },
      Flag: { type: "boolean" },
      Oops: { type: "structure", members: {}, traits: { "smithy.api#error": "client", "smithy.api#httpError": 409, "unknown.trait#x": {} } },
    });
    expect(shapeTable(m, [`${NS}Flag`, `${NS}In`, `${NS}Oops`, `${NS}Op`])).toEqual({
      Flag: { type: "boolean" },
      In: { type: "structure", members: { flag: { target: "Flag", default: false }, at: { target: "smithy.api#Timestamp", timestampFormat: "date-time" } } },
      Oops: { type: "structure", members: {}, error: "client", httpError: 409 },
      "smithy.api#Timestamp": { type: "timestamp" },
      "smithy.api#Unit": { type: "structure", members: {} },
    });
  });
});
