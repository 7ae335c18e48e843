// Models nobody tuned the codegen for, in small fragments of our own: an event-stream operation, shapes named like
// TypeScript's own types, and patterns the linear-time engine cannot run. Each generates, type-checks and serves.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { HttpRequest } from "@smithy/protocol-http";
import { generate } from "../../codegen/generate";
import { generateInto, typeCheck } from "../helpers/generate";

const ROOT = resolve(__dirname, "../..");
const NS = "example.odd#";
const ref = (name: string, traits?: Record<string, unknown>) => ({ target: name.includes("#") ? name : NS + name, ...(traits ? { traits } : {}) });
const MODEL = {
  smithy: "2.0",
  shapes: Object.fromEntries(
    Object.entries({
      Odd: { type: "service", version: "1", operations: [ref("Watch"), ref("Put")], traits: { "aws.protocols#awsJson1_0": {} } },
      Watch: { type: "operation", input: ref("WatchInput"), output: ref("WatchOutput") },
      WatchInput: { type: "structure", members: { name: ref("string") } },
      WatchOutput: { type: "structure", members: { events: ref("Events") } },
      Events: { type: "union", members: { tick: ref("Tick"), gone: ref("Gone") }, traits: { "smithy.api#streaming": {} } },
      Tick: { type: "structure", members: { at: ref("number") } },
      Gone: { type: "structure", members: { message: ref("smithy.api#String") }, traits: { "smithy.api#error": "client" } },
      Put: { type: "operation", input: ref("PutInput"), output: ref("PutOutput"), errors: [ref("Gone")] },
      PutInput: { type: "structure", members: { name: ref("string", { "smithy.api#required": {} }), flag: ref("boolean"), arn: ref("Arn"), id: ref("Id") } },
      PutOutput: { type: "structure", members: { name: ref("string") } },
      string: { type: "string", traits: { "smithy.api#length": { min: 1, max: 5 }, "smithy.api#pattern": "^(?i)[a-z]+$" } },
      boolean: { type: "boolean" },
      number: { type: "integer" },
      // A lookahead (not enforced, with a warning) beside a length that still is.
      Arn: { type: "string", traits: { "smithy.api#pattern": "^(?!aws:).*$", "smithy.api#length": { max: 8 } } },
      Id: { type: "string", traits: { "smithy.api#pattern": "^[\\p{L}]+$" } },
    }).map(([k, v]) => [NS + k, v]),
  ),
};

const WORK = resolve(ROOT, "test/.generated/unusual");
mkdirSync(WORK, { recursive: true });
const MODEL_PATH = resolve(WORK, "odd.json");
writeFileSync(MODEL_PATH, JSON.stringify(MODEL));

test("says at codegen time what it leaves out: the event-stream operation and the lookahead pattern", () => {
  const { warnings } = generate({ modelPath: MODEL_PATH, outDir: resolve(WORK, "x") });
  expect(warnings).toEqual([
    "example.odd#Watch: its output member events is an event stream, which the framework cannot serve: it is generated to answer 501 NotImplemented, and needs no handler",
    'example.odd#Arn: @pattern "^(?!aws:).*$" is not enforced: RE2, the linear-time engine patterns run on, cannot run it (error parsing regexp: invalid or unsupported Perl syntax: `(?!`)',
  ]);
});

describe("the generated service", () => {
  const dir = generateInto(MODEL_PATH, "unusual-service", { handlers: true });

  test("renames shapes named like TypeScript's types, and has no handler to write for the event stream", () => {
    const types = readFileSync(`${dir}/generated/types.ts`, "utf8");
    expect(types).toContain("export type string_ = string;\n");
    expect(types).toContain("export type boolean_ = boolean;\n");
    expect(types).toContain("  name: string_;\n");
    expect(types).toContain('import type { Gone } from "./errors.js";');
    expect(readdirSync(`${dir}/handlers`).sort()).toEqual(["Put.ts", "context.ts", "index.ts"]);
  });

  test("type-checks under strict settings", () => {
    expect(typeCheck(dir)).toBe("");
  }, 120_000);

  test("answers the event stream 501, validates the translated patterns, and serves the rest", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createServiceHandler } = require(`${dir}/generated/service`);
    const service = createServiceHandler({ Put: async (input: { name: string }) => ({ name: input.name }) });
    const send = async (op: string, body: unknown) => {
      const res = await service.handle(
        new HttpRequest({ method: "POST", path: "/", headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `Odd.${op}` }, body: JSON.stringify(body) }),
      );
      return [res.statusCode, JSON.parse(res.body)];
    };
    expect(await send("Watch", {})).toEqual([501, { __type: "NotImplemented", message: "The operation Watch is not supported by this server: its output member events is an event stream" }]);
    expect(await send("Put", { name: "AbC" })).toEqual([200, { name: "AbC" }]);
    // (?i) and \p{L} are enforced as Java and ECMA's u flag read them; the lookahead is not, its shape's length is.
    expect((await send("Put", { name: "a1" }))[0]).toBe(400);
    expect(await send("Put", { name: "ab", id: "été" })).toEqual([200, { name: "ab" }]);
    expect((await send("Put", { name: "ab", id: "e1" }))[0]).toBe(400);
    expect(await send("Put", { name: "ab", arn: "aws:x" })).toEqual([200, { name: "ab" }]);
    expect((await send("Put", { name: "ab", arn: "123456789" }))[0]).toBe(400);
  });
});
