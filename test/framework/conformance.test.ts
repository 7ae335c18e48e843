// The awsJson1_1 dispatcher conformance suite, on a test model of its own (example.echo), run in process and over HTTP.
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import type { ServiceHandler } from "../../src/framework";
import { NotImplementedError } from "../../src/framework";
import { type Adapter, inProcess, overHttp, type RawRequest } from "../helpers/adapters";
import { generateInto } from "../helpers/generate";

const dir = generateInto(resolve(__dirname, "../fixtures/echo.json"), "conformance");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const gen = require(`${dir}/generated/service`);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const errors = require(`${dir}/generated/errors`);

const LIMIT = 3 * 1024 * 1024;
const PAYLOAD = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 31 + 7) % 256));
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const TARGET = "EchoService.";
const JSON11 = "application/x-amz-json-1.1";

function buildHandler(): ServiceHandler {
  return gen.createServiceHandler(
    {
      async Echo(input: unknown) {
        return input;
      },
      async Ping() {
        return {};
      },
      async Upload(input: { name: string; note?: string; payload: AsyncIterable<Buffer> }) {
        const hash = createHash("sha256");
        let size = 0;
        for await (const chunk of input.payload) {
          size += chunk.byteLength;
          hash.update(chunk);
        }
        return { name: input.name, note: input.note, size, sha256: hash.digest("hex") };
      },
      async Fail(input: { kind: string }) {
        switch (input.kind) {
          case "notFound":
            throw new errors.NotFound({ message: "no such thing", resource: "thing-1" });
          case "throttled":
            throw new errors.Throttled({ message: "slow down", retryAfterSeconds: 3 });
          case "broken":
            throw new errors.Broken({ message: "disk on fire" });
          case "stub":
            throw new NotImplementedError("Fail");
          default:
            throw new Error(`secret detail at /home/user/project/file.ts:12 (${input.kind})`);
        }
      },
    },
    { maxBodyBytes: LIMIT },
  );
}

const call = (op: string, body: unknown, headers: Record<string, string> = {}): RawRequest => ({
  headers: { "content-type": JSON11, "x-amz-target": TARGET + op, ...headers },
  body: typeof body === "string" ? body : JSON.stringify(body),
});

interface Want {
  status: number;
  /** The full expected JSON body. */
  body?: unknown;
  /** Or only the error type and message. */
  type?: string;
  message?: string;
}

const cases: [string, RawRequest, Want][] = [
  // Content types and bodies the protocol allows.
  ["charset parameter in Content-Type", call("Ping", {}, { "content-type": `${JSON11}; charset=utf-8` }), { status: 200, body: {} }],
  ["empty body means {}", { ...call("Ping", ""), body: undefined }, { status: 200, body: {} }],
  ["empty body still needs required members", call("Echo", ""), {
    status: 400, type: "ValidationException",
    message: "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
  }],
  ["null members are absent", call("Echo", { name: "abc", count: null, note: null }), { status: 200, body: { name: "abc", flag: false } }],
  ["unknown members are ignored", call("Echo", { name: "abc", colour: "blue", extra: { a: 1 } }), { status: 200, body: { name: "abc", flag: false } }],
  ["every type round-trips", call("Echo", {
    name: "abc", data: "aGVsbG8=", count: 1000, size: -5, createdAt: 1700000000.5, tags: ["a", "b"],
    attributes: { k: "v" }, mode: "fast", level: 2, shape: { circle: { radius: 1.5 } }, flag: true,
    nested: { inner: "xy", items: [{ inner: "zz" }] }, ratio: "NaN", note: "hi",
  }), { status: 200, body: {
    name: "abc", data: "aGVsbG8=", count: 1000, size: -5, createdAt: 1700000000.5, tags: ["a", "b"],
    attributes: { k: "v" }, mode: "fast", level: 2, shape: { circle: { radius: 1.5 } }, flag: true,
    nested: { inner: "xy", items: [{ inner: "zz" }] }, ratio: "NaN", note: "hi",
  } }],
  ["JSON keys named like Object.prototype's are data", call("Echo", `{"name":"abc","attributes":{"__proto__":"x","toString":"y"},"shape":{"toString":1}}`), {
    status: 200, body: JSON.parse(`{"name":"abc","attributes":{"__proto__":"x","toString":"y"},"shape":{},"flag":false}`),
  }],
  ["longs up to 2^53-1 are exact", call("Echo", { name: "abc", size: 2147483647 }), { status: 200, body: { name: "abc", size: 2147483647, flag: false } }],

  // Routing.
  ["missing X-Amz-Target", { headers: { "content-type": JSON11 }, body: "{}" }, {
    status: 400, type: "UnknownOperationException", message: "The request has no X-Amz-Target header naming the operation",
  }],
  ["another service's target", call("Ping", {}, { "x-amz-target": "OtherService.Ping" }), {
    status: 400, type: "UnknownOperationException", message: "The operation OtherService.Ping is not known to this service (expected EchoService.<Operation>)",
  }],
  ["unknown operation", call("Nope", {}), {
    status: 400, type: "UnknownOperationException", message: "The operation EchoService.Nope is not known to this service (expected EchoService.<Operation>)",
  }],
  ["prototype names are not operations", call("__proto__", {}), {
    status: 400, type: "UnknownOperationException", message: "The operation EchoService.__proto__ is not known to this service (expected EchoService.<Operation>)",
  }],
  ["a method other than POST", { ...call("Ping", {}), method: "GET", body: undefined }, {
    status: 405, type: "UnknownOperationException", message: "This service accepts only POST requests, not GET",
  }],
  ["a path other than /", { ...call("Ping", {}), path: "/ping" }, {
    status: 404, type: "UnknownOperationException", message: "This service is served at POST /, not at /ping",
  }],
  ["a JSON content type of another protocol", call("Ping", {}, { "content-type": "application/json" }), {
    status: 415, type: "UnsupportedMediaTypeException", message: "Content-Type must be application/x-amz-json-1.1, not application/json",
  }],
  ["no content type", { headers: { "x-amz-target": `${TARGET}Ping` }, body: "{}" }, {
    status: 415, type: "UnsupportedMediaTypeException", message: "Content-Type must be application/x-amz-json-1.1",
  }],

  // Serialization errors.
  ["malformed JSON", call("Echo", '{"name": "abc"'), { status: 400, type: "SerializationException" }],
  ["a JSON array body", call("Echo", "[1]"), { status: 400, type: "SerializationException", message: "The body must be a JSON object" }],
  ["a string for a long", call("Echo", { name: "abc", count: "5" }), {
    status: 400, type: "SerializationException", message: "Expected an integer (long) at 'count', found a string",
  }],
  ["a fraction for a long", call("Echo", { name: "abc", count: 1.5 }), {
    status: 400, type: "SerializationException", message: "Expected an integer (long) at 'count', found 1.5",
  }],
  ["a long beyond 2^53", call("Echo", '{"name": "abc", "count": 9007199254740993}'), {
    status: 400, type: "SerializationException", message: "Expected a long between -9007199254740991 and 9007199254740991 at 'count', found 9007199254740992",
  }],
  ["an integer beyond 32 bits", call("Echo", { name: "abc", size: 2147483648 }), {
    status: 400, type: "SerializationException", message: "Expected a integer between -2147483648 and 2147483647 at 'size', found 2147483648",
  }],
  ["base64 of the wrong length", call("Echo", { name: "abc", data: "abc" }), {
    status: 400, type: "SerializationException", message: "Value at 'data' is not valid base64",
  }],
  ["base64 with a stray character", call("Echo", { name: "abc", data: "ab!=" }), {
    status: 400, type: "SerializationException", message: "Value at 'data' is not valid base64",
  }],
  ["an object for a list", call("Echo", { name: "abc", tags: { a: 1 } }), {
    status: 400, type: "SerializationException", message: "Expected an array at 'tags', found an object",
  }],
  ["null inside a dense list", call("Echo", { name: "abc", tags: ["a", null] }), {
    status: 400, type: "SerializationException", message: "Expected a value (this list does not hold nulls) at 'tags.2.member', found null",
  }],
  ["a string timestamp where epoch seconds are due", call("Echo", { name: "abc", createdAt: "2024-01-01" }), {
    status: 400, type: "SerializationException", message: "Expected a timestamp in epoch seconds at 'createdAt', found a string",
  }],
  ["a union with two members set", call("Echo", { name: "abc", shape: { circle: { radius: 1 }, square: 2 } }), {
    status: 400, type: "SerializationException", message: "Expected an object with exactly one member set (a union) at 'shape', found an object",
  }],
  ["a wrong type deep inside", call("Echo", { name: "abc", nested: { inner: "ab", items: [{ inner: 7 }] } }), {
    status: 400, type: "SerializationException", message: "Expected a string at 'nested.items.1.member.inner', found 7",
  }],

  // Validation errors, worded as AWS words them.
  // Validation stops at the first violation, so that its cost never grows with how much of the input is wrong.
  ["pattern and length together: the first violation", call("Echo", { name: "A" }), {
    status: 400, type: "ValidationException",
    message: "1 validation error detected: Value 'A' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 2",
  }],
  ["a pattern", call("Echo", { name: "AB" }), {
    status: 400, type: "ValidationException",
    message: "1 validation error detected: Value 'AB' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z]+$",
  }],
  ["range", call("Echo", { name: "abc", count: 1001 }), {
    status: 400, type: "ValidationException",
    message: "1 validation error detected: Value '1001' at 'count' failed to satisfy constraint: Member must have value less than or equal to 1000",
  }],
  ["enum", call("Echo", { name: "abc", mode: "FAST" }), {
    status: 400, type: "ValidationException",
    message: "1 validation error detected: Value 'FAST' at 'mode' failed to satisfy constraint: Member must satisfy enum value set: [fast, slow]",
  }],
  ["intEnum", call("Echo", { name: "abc", level: 3 }), {
    status: 400, type: "ValidationException",
    message: "1 validation error detected: Value '3' at 'level' failed to satisfy constraint: Member must satisfy enum value set: [1, 2]",
  }],
  // A list over its maximum is refused as its next item begins, before that item or the rest of the body is read.
  ["a list over its maximum, before its items are checked", call("Echo", { name: "abc", tags: ["a", "toolong", "b", "c"] }), {
    status: 400, type: "ValidationException",
    message: "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 3",
  }],
  ["unknown members of any size are read past, not kept", call("Echo", `{"name":"abc","junk":[${'[{"a":[]}],'.repeat(100_000)}[]]}`), {
    status: 200, body: { name: "abc", flag: false },
  }],
  ["nesting deeper than 64 levels", call("Echo", `{"name":"abc","junk":${"[".repeat(64)}${"]".repeat(64)}}`), {
    status: 400, type: "SerializationException", message: "The body nests deeper than 64 levels",
  }],
  ["nesting of 64 levels", call("Echo", `{"name":"abc","junk":${"[".repeat(63)}${"]".repeat(63)}}`), { status: 200, body: { name: "abc", flag: false } }],
  ["a list item's constraint", call("Echo", { name: "abc", tags: ["a", "toolong"] }), {
    status: 400, type: "ValidationException",
    message: "1 validation error detected: Value 'toolong' at 'tags.2.member' failed to satisfy constraint: Member must have length less than or equal to 4",
  }],
  ["a list far over its maximum", call("Echo", `{"name":"abc","tags":[${'"",'.repeat(500_000)}""]}`), {
    status: 400, type: "ValidationException",
    message: "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 3",
  }],
  ["entries as JSON and the model count them: a repeated key once, a null not at all", call("Echo", `{"name":"abc","attributes":{"a":"1","a":"2","a":"3","b":null,"c":null}}`), {
    status: 200, body: { name: "abc", attributes: { a: "3" }, flag: false },
  }],
  ["a string within its maximum in escaped characters outside the BMP", call("Echo", `{"name":"abc","note":"${"\\ud83d\\ude00".repeat(5)}"}`), {
    status: 200, body: { name: "abc", note: "\u{1F600}".repeat(5), flag: false },
  }],
  ["a map over its maximum", call("Echo", `{"name":"abc","attributes":{${Array.from({ length: 100_000 }, (_, i) => `"k${i}":"v",`).join("")}"k":"v"}}`), {
    status: 400, type: "ValidationException",
    message: "1 validation error detected: Value at 'attributes' failed to satisfy constraint: Member must have length less than or equal to 2",
  }],
  ["a string far over its maximum, echoed only in part", call("Echo", { name: "abc", note: "y".repeat(1_000_000) }), {
    status: 400, type: "ValidationException",
    message: `1 validation error detected: Value '${"y".repeat(64)}...' at 'note' failed to satisfy constraint: Member must have length less than or equal to 5`,
  }],
  ["a string of escapes over its maximum", call("Echo", `{"name":"abc","note":"${"\\u0041".repeat(40)}"}`), {
    status: 400, type: "ValidationException",
    message: `1 validation error detected: Value '${"A".repeat(40)}' at 'note' failed to satisfy constraint: Member must have length less than or equal to 5`,
  }],
  ["unknown members of any size are read past", call("Echo", `{"name":"abc","junk":[${"[{},".repeat(50_000)}${"]".repeat(1)}${",1]".repeat(0)}]}`.replace("[{},]", "[{}]")), {
    status: 400, type: "SerializationException",
  }],
  ["unique items", call("Echo", { name: "abc", tags: ["a", "a"] }), {
    status: 400, type: "ValidationException",
    message: "1 validation error detected: Value '[a, a]' at 'tags' failed to satisfy constraint: Member must contain unique values",
  }],
  ["map size", call("Echo", { name: "abc", attributes: { a: "1", b: "2", c: "3" } }), {
    status: 400, type: "ValidationException",
    message: "1 validation error detected: Value at 'attributes' failed to satisfy constraint: Member must have length less than or equal to 2",
  }],
  ["blob length in decoded bytes, never echoed", call("Echo", { name: "abc", data: Buffer.alloc(17).toString("base64") }), {
    status: 400, type: "ValidationException",
    message: "1 validation error detected: Value at 'data' failed to satisfy constraint: Member must have length less than or equal to 16",
  }],
  ["an empty blob against a minimum", call("Echo", { name: "abc", data: "" }), {
    status: 400, type: "ValidationException",
    message: "1 validation error detected: Value at 'data' failed to satisfy constraint: Member must have length greater than or equal to 1",
  }],
  ["a member's own length trait", call("Echo", { name: "abc", note: "toolong" }), {
    status: 400, type: "ValidationException",
    message: "1 validation error detected: Value 'toolong' at 'note' failed to satisfy constraint: Member must have length less than or equal to 5",
  }],
  ["required members deep in recursive shapes", call("Echo", { name: "abc", nested: { inner: "ab", items: [{ inner: "ok" }, {}] } }), {
    status: 400, type: "ValidationException",
    message: "1 validation error detected: Value null at 'nested.items.2.member.inner' failed to satisfy constraint: Member must not be null",
  }],

  // Errors thrown by handlers.
  ["a modeled error with @httpError", call("Fail", { kind: "notFound" }), {
    status: 404, body: { __type: "NotFound", message: "no such thing", resource: "thing-1" },
  }],
  ["a modeled client error with a Message member", call("Fail", { kind: "throttled" }), {
    status: 400, body: { __type: "Throttled", Message: "slow down", retryAfterSeconds: 3 },
  }],
  ["a modeled server error", call("Fail", { kind: "broken" }), { status: 500, body: { __type: "Broken", message: "disk on fire" } }],
  ["a handler stub", call("Fail", { kind: "stub" }), {
    status: 501, type: "NotImplemented", message: "The operation Fail is not implemented by this server yet",
  }],

  // A large blob member streams to the handler (the model says which: Payload allows 2 MiB).
  ["a streamed blob after the members it needs", call("Upload", { name: "abc", payload: PAYLOAD.toString("base64") }), {
    status: 200, body: { name: "abc", size: PAYLOAD.byteLength, sha256: sha(PAYLOAD) },
  }],
  ["a streamed blob before a required member is buffered", call("Upload", { payload: PAYLOAD.toString("base64"), name: "abc" }), {
    status: 200, body: { name: "abc", size: PAYLOAD.byteLength, sha256: sha(PAYLOAD) },
  }],
  ["JSON's \\/ escape inside the base64", call("Upload", `{"name":"abc","payload":"${Buffer.from([0xff, 0xff, 0xff]).toString("base64").replace(/\//g, "\\/")}"}`), {
    status: 200, body: { name: "abc", size: 3, sha256: sha(Buffer.from([0xff, 0xff, 0xff])) },
  }],
  ["a blob written entirely as JSON-escaped slashes", call("Upload", `{"name":"abc","payload":"${"\\/".repeat(400_000)}"}`), {
    status: 200, body: { name: "abc", size: 300_000, sha256: sha(Buffer.alloc(300_000, 0xff)) },
  }],
  ["a blob that is not a string", call("Upload", `{"name":"abc","payload":5}`), {
    status: 400, type: "SerializationException", message: "Expected a base64 string at 'payload'",
  }],
  ["unknown members after the blob are ignored", call("Upload", `{"name":"abc","payload":"QUJD","extra":{"a":[1,2]}}`), {
    status: 200, body: { name: "abc", size: 3, sha256: sha(Buffer.from("ABC")) },
  }],
  // JSON's member order means nothing: a member after the blob reaches the handler before the blob ends.
  ["a modeled member after a streamed blob", call("Upload", `{"name":"abc","payload":"QUJD","note":"late"}`), {
    status: 200, body: { name: "abc", note: "late", size: 3, sha256: sha(Buffer.from("ABC")) },
  }],
  ["a member repeated after a streamed blob with another value", call("Upload", `{"name":"abc","payload":"QUJD","name":"abd"}`), {
    status: 400, type: "SerializationException", message: "Member 'name' appears again after 'payload' with another value",
  }],
  ["a member repeated after a streamed blob with the same value", call("Upload", `{"name":"abc","payload":"QUJD","name":"abc"}`), {
    status: 200, body: { name: "abc", size: 3, sha256: sha(Buffer.from("ABC")) },
  }],
  ["a member after a streamed blob is validated", call("Upload", `{"name":"abc","payload":"QUJD","note":"too long"}`), {
    status: 400, type: "ValidationException",
    message: "1 validation error detected: Value 'too long' at 'note' failed to satisfy constraint: Member must have length less than or equal to 5",
  }],
  ["a member after a streamed blob is deserialized", call("Upload", `{"name":"abc","payload":"QUJD","note":7}`), {
    status: 400, type: "SerializationException", message: "Expected a string at 'note', found 7",
  }],
  ["invalid base64 in a streamed blob", call("Upload", `{"name":"abc","payload":"${"QUJD".repeat(5000)}Q!JD"}`), {
    status: 400, type: "SerializationException", message: "Value at 'payload' is not valid base64",
  }],
  ["base64url characters in a streamed blob", call("Upload", `{"name":"abc","payload":"QU-D"}`), {
    status: 400, type: "SerializationException", message: "Value at 'payload' is not valid base64",
  }],
  ["a space inside a streamed blob", call("Upload", `{"name":"abc","payload":"QUJD QUJD"}`), {
    status: 400, type: "SerializationException", message: "Value at 'payload' is not valid base64",
  }],
  ["padding inside a streamed blob", call("Upload", `{"name":"abc","payload":"QQ==QUJD"}`), {
    status: 400, type: "SerializationException", message: "Value at 'payload' is not valid base64",
  }],
  ["a streamed blob whose length is not a multiple of 4", call("Upload", `{"name":"abc","payload":"QUJDR"}`), {
    status: 400, type: "SerializationException", message: "Value at 'payload' is not valid base64",
  }],
  ["data after the object", call("Upload", `{"name":"abc","payload":"QUJD"} {}`), {
    status: 400, type: "SerializationException", message: "The body is not valid JSON: unexpected data after the object",
  }],
  ["a body that ends inside the object", call("Upload", `{"name":"abc","payload":"QUJD"`), {
    status: 400, type: "SerializationException", message: "The body is not valid JSON: it ends before the object does",
  }],
  ["a streamed blob over its maximum", call("Upload", { name: "abc", payload: Buffer.alloc(2097153).toString("base64") }, {}), {
    status: 400, type: "ValidationException",
    message: "1 validation error detected: Value at 'payload' failed to satisfy constraint: Member must have length less than or equal to 2097152",
  }],
  ["a streamed blob under its minimum", call("Upload", { name: "abc", payload: "" }), {
    status: 400, type: "ValidationException",
    message: "1 validation error detected: Value at 'payload' failed to satisfy constraint: Member must have length greater than or equal to 1",
  }],
  ["a missing streamed blob", call("Upload", { name: "abc", payload: null }), {
    status: 400, type: "ValidationException",
    message: "1 validation error detected: Value null at 'payload' failed to satisfy constraint: Member must not be null",
  }],
  ["the other members of a streamed operation are validated first", call("Upload", { name: "A", payload: "QUJD" }), {
    status: 400, type: "ValidationException",
    message: "1 validation error detected: Value 'A' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 2",
  }],

  // The body limit.
  ["a body over the limit", call("Echo", { name: "abc", junk: "x".repeat(LIMIT) }), {
    status: 413, type: "RequestEntityTooLargeException", message: `The request body exceeds the limit of ${LIMIT} bytes`,
  }],
  ["a chunked body over the limit", { ...call("Echo", { name: "abc", junk: "x".repeat(LIMIT) }), chunked: true }, {
    status: 413, type: "RequestEntityTooLargeException", message: `The request body exceeds the limit of ${LIMIT} bytes`,
  }],
  ["a chunked body within the limit", { ...call("Echo", { name: "abc" }), chunked: true }, { status: 200, body: { name: "abc", flag: false } }],
  ["a streamed body over the limit", { ...call("Upload", `{"name":"abc","junk":"${"x".repeat(LIMIT)}","payload":"QUJD"}`), chunked: true }, {
    status: 413, type: "RequestEntityTooLargeException", message: `The request body exceeds the limit of ${LIMIT} bytes`,
  }],
  ["a streamed body over the limit by its Content-Length", call("Upload", `{"name":"abc","junk":"${"x".repeat(LIMIT)}","payload":"QUJD"}`), {
    status: 413, type: "RequestEntityTooLargeException", message: `The request body exceeds the limit of ${LIMIT} bytes`,
  }],
];

describe.each([inProcess(), overHttp()])("awsJson1_1 conformance ($name)", (adapter: Adapter) => {
  beforeAll(() => adapter.start(buildHandler()));
  afterAll(() => adapter.stop());

  test.each(cases)("%s", async (_name, req, want) => {
    const res = await adapter.send(req);
    const body = JSON.parse(res.body);
    const errorFields = { ...(want.type ? { __type: want.type } : {}), ...(want.message ? { message: want.message } : {}) };
    expect({ status: res.status, body }).toEqual({ status: want.status, body: want.body ?? expect.objectContaining(errorFields) });
    if (want.status >= 400) expect(res.headers["x-amzn-errortype"]).toBe(body.__type);
    expect(res.headers["content-type"]).toBe(JSON11);
    expect(res.headers["x-amzn-requestid"]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  test("a successful streamed request leaves the connection open for the next one", async () => {
    const res = await adapter.send(call("Upload", { name: "abc", payload: PAYLOAD.toString("base64") }));
    expect(res.status).toBe(200);
    expect(res.headers.connection).not.toBe("close");
  });


  test("an unexpected exception is a 500 InternalFailure that hides its details", async () => {
    const res = await adapter.send(call("Fail", { kind: "crash" }));
    const body = JSON.parse(res.body);
    expect(res.status).toBe(500);
    expect(body).toEqual({ __type: "InternalFailure", message: `The server failed to process the request (request id ${res.headers["x-amzn-requestid"]})` });
    expect(res.body).not.toContain("/home/user");
  });
});

test("over HTTP, a request refused before its body ends: the rest of a sized body is read and dropped, a chunked one is cut off", async () => {
  const http = overHttp();
  await http.start(buildHandler());
  try {
    const body = `{"name":"A","payload":"${"QUJD".repeat(500_000)}"}`;
    for (const [chunked, connection] of [[false, "keep-alive"], [true, "close"]] as const) {
      const res = await http.send({ ...call("Upload", body), chunked });
      expect([chunked, res.status, JSON.parse(res.body).__type, res.headers.connection]).toEqual([chunked, 400, "ValidationException", connection]);
    }
  } finally {
    await http.stop();
  }
});

describe("building a service", () => {
  const impl = { Echo: async () => ({}), Ping: async () => ({}), Fail: async () => ({}), Upload: async () => ({}) };

  test("fails when an operation has no handler", () => {
    const { Ping: _omitted, ...partial } = impl;
    expect(() => gen.createServiceHandler(partial)).toThrow("EchoService: no handler for Ping");
  });

  test("fails when a handler has no operation in the model", () => {
    expect(() => gen.createServiceHandler({ ...impl, Pong: async () => ({}) })).toThrow(
      "EchoService: handlers for operations not in the model: Pong",
    );
  });
});
