// The body reader against JSON.parse as the oracle: the same values, the same verdict on malformed bodies, however
// the body is split into chunks; and the blob's bytes whatever the member order.
import { Readable } from "node:stream";
import type { ShapeTable } from "../../src/framework/definition";
import type { ConstraintViolationError } from "../../src/framework/errors";
import { readJsonBody } from "../../src/framework/json-body";

const SHAPES: ShapeTable = {
  In: {
    type: "structure",
    members: { id: { target: "Id", required: true }, doc: { target: "Doc" }, blob: { target: "Blob" }, n: { target: "N" } },
  },
  Id: { type: "string" },
  Doc: { type: "document" },
  Blob: { type: "blob" },
  N: { type: "double" },
};
const STREAMING = { member: "blob", maxBytes: 1 << 20, requiredBefore: ["id"] };

/** A small seeded generator, so that a failure can be replayed. */
function prng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

function chunked(body: Buffer, rand: () => number): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < body.byteLength; ) {
    const n = 1 + Math.floor(rand() * 9);
    parts.push(body.subarray(i, i + n));
    i += n;
  }
  return Readable.from(parts);
}

const PIECES = ["a", "é", "\u{1F600}", '"', "\\", "/", "\n", "}", "]", ",", ":", " ", "\u2028"];
function randomValue(rand: () => number, depth: number): unknown {
  const kind = Math.floor(rand() * (depth > 4 ? 4 : 6));
  switch (kind) {
    case 0: return Array.from({ length: Math.floor(rand() * 6) }, () => PIECES[Math.floor(rand() * PIECES.length)]).join("");
    case 1: return Math.round((rand() - 0.5) * 1e6) / (rand() < 0.5 ? 1 : 1000);
    case 2: return rand() < 0.5;
    case 3: return null;
    case 4: return Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(rand, depth + 1));
    default: return Object.fromEntries(Array.from({ length: Math.floor(rand() * 4) }, () => [randomValue(rand, 5) as string, randomValue(rand, depth + 1)]).filter(([k]) => typeof k === "string"));
  }
}

/** JSON text with whitespace sprinkled where JSON allows it. */
function spaced(text: string, rand: () => number): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    out += c;
    if (c === '"' && !(inString && backslashesBefore(text, i) % 2 === 1)) inString = !inString;
    if (!inString && "{[,:".includes(c) && rand() < 0.3) out += [" ", "\n", "\t", "\r\n "][Math.floor(rand() * 4)];
  }
  return out;
}
function backslashesBefore(text: string, i: number): number {
  let n = 0;
  while (i - 1 - n >= 0 && text[i - 1 - n] === "\\") n++;
  return n;
}

async function read(body: Buffer, rand: () => number) {
  const result = readJsonBody(chunked(body, rand) as never, SHAPES, "In", { maxBodyBytes: 1 << 24, streaming: STREAMING });
  await result.ready;
  const { blob, ...members } = result.members;
  const bytes = blob ? await (blob as { toBuffer(): Promise<Buffer> }).toBuffer() : undefined;
  await result.done;
  return { members, bytes };
}

test("the same values as JSON.parse, for every way of splitting the body", async () => {
  const rand = prng(42);
  for (let round = 0; round < 400; round++) {
    const doc = randomValue(rand, 0);
    const text = spaced(JSON.stringify({ id: `id-${round}`, unknown: randomValue(rand, 0), doc, n: round * 1.5 - 7 }), rand);
    const got = await read(Buffer.from(text), rand);
    expect([round, got.members]).toEqual([round, { id: `id-${round}`, doc, n: round * 1.5 - 7 }]);
  }
});

test("a malformed body is refused exactly when JSON.parse refuses it, in members kept or read past", async () => {
  const rand = prng(7);
  const alphabet = '{}[]",:\\ 0-1.eEtrufalsnu\t';
  for (let round = 0; round < 3000; round++) {
    // "other" is no member of the input: the reader reads it past, yet must judge it as JSON.parse does.
    const text = JSON.stringify({ id: "x", [round % 2 ? "doc" : "other"]: randomValue(rand, 1) });
    const at = Math.floor(rand() * text.length);
    // Through bytes and back, as a cut surrogate pair would reach the server.
    const mutated = Buffer.from(rand() < 0.5
      ? text.slice(0, at) + alphabet[Math.floor(rand() * alphabet.length)] + text.slice(at + 1)
      : text.slice(0, at) + text.slice(at + 1)).toString();
    let want: unknown;
    try {
      want = JSON.parse(mutated);
    } catch {
      want = undefined;
    }
    const wantObject = typeof want === "object" && want !== null && !Array.isArray(want);
    const got = await read(Buffer.from(mutated), rand).then((r) => r.members, (e: Error) => e.name);
    if (!wantObject) expect([mutated, got]).toEqual([mutated, "SerializationException"]);
    else {
      const { id, doc, n } = want as Record<string, unknown>;
      const kept = Object.fromEntries(Object.entries({ id, doc, n }).filter(([, v]) => v !== undefined));
      expect([mutated, got]).toEqual([mutated, kept]);
    }
  }
});

test("the blob's bytes, before or after the other members, split anywhere", async () => {
  const rand = prng(9);
  for (let round = 0; round < 200; round++) {
    const bytes = Buffer.from(Array.from({ length: Math.floor(rand() * 40) }, () => Math.floor(rand() * 256)));
    const b64 = bytes.toString("base64").replace(/\//g, round % 2 ? "\\/" : "/");
    const text = round % 3 === 0 ? `{"blob":"${b64}","id":"a","n":1}` : `{"id":"a","blob":"${b64}","n":1}`;
    const got = await read(Buffer.from(text), rand);
    expect([round, got.members, got.bytes?.toString("hex")]).toEqual([round, { id: "a", n: 1 }, bytes.toString("hex")]);
  }
});

test("a list over its maximum is refused as it grows past it, long before the body ends", async () => {
  const shapes: ShapeTable = {
    In: { type: "structure", members: { names: { target: "Names", max: 100 } } },
    Names: { type: "list", member: "Name" },
    Name: { type: "string" },
  };
  const body = Buffer.from(`{"names":[${'"",'.repeat(7_000_000)}""]}`);
  const source = Readable.from(Array.from({ length: Math.ceil(body.byteLength / 65536) }, (_, i) => body.subarray(i * 65536, (i + 1) * 65536)));
  const reader = readJsonBody(source as never, shapes, "In", { maxBodyBytes: 1 << 25 });
  let consumed = 0;
  let atRefusal: number | undefined;
  source.on("data", (c: Buffer) => {
    consumed += c.byteLength;
    if (atRefusal === undefined && reader.settled()) atRefusal = consumed;
  });
  const error = (await reader.ready.then(() => undefined, (e: Error) => e)) as ConstraintViolationError;
  expect(error.violations).toEqual([{ path: "names", constraint: "must have length less than or equal to 100" }]);
  expect(atRefusal).toBe(65536);
});

test.each([
  // given: the body; want: whether maxValues 4 lets it through. Unknown members and the top level are not kept values.
  ['{"id":"a","doc":[1,2]}', true], // "a", the list, 1, 2
  ['{"id":"a","doc":[1,2,3]}', false],
  ['{"id":"a","doc":{"x":{}}}', true], // "a", the object, {}
  ['{"id":"a","other":[1,2,3,4,5,6]}', true],
  ['{"id":"a","doc":[[],[],[]]}', false],
])("kept values beyond maxValues are refused with 413: %s", async (body, passes) => {
  const reader = readJsonBody(Readable.from([Buffer.from(body)]) as never, SHAPES, "In", { maxBodyBytes: 1 << 20, maxValues: 4 });
  const outcome = await reader.done.then(() => "read", (e: { type: string; statusCode: number; message: string }) => `${e.statusCode} ${e.type}: ${e.message}`);
  expect(outcome).toBe(passes ? "read" : "413 RequestEntityTooLargeException: The request body holds more than 4 values");
});

test.each([
  // given: a member the model does not know, read past; want: JSON.parse's verdict, wherever the body is split.
  '"\\a"', '"a\tb"', '"\\u12x4"', '"\\u12"', '{"k\\q":1}', '["ok","\\\\","\\"","\\u00e9\\/"]', `"${"\\u0041".repeat(300)}"`,
])("a member read past is judged as JSON.parse judges it: %s", async (value) => {
  const body = Buffer.from(`{"id":"a","other":${value}}`);
  const want = (() => {
    try {
      JSON.parse(body.toString());
      return "read";
    } catch {
      return "SerializationException";
    }
  })();
  for (let cut = 1; cut < body.byteLength; cut++) {
    const source = Readable.from([body.subarray(0, cut), body.subarray(cut)]);
    const reader = readJsonBody(source as never, SHAPES, "In", { maxBodyBytes: 1 << 20 });
    expect([cut, await reader.done.then(() => "read", (e: Error) => e.name)]).toEqual([cut, want]);
  }
});

test("an overlong member name is judged too, though it is not kept", async () => {
  const body = Buffer.from(`{"id":"a","${"k".repeat(2000)}\\q":1}`);
  const reader = readJsonBody(Readable.from([body]) as never, SHAPES, "In", { maxBodyBytes: 1 << 20 });
  expect(await reader.done.then(() => "read", (e: Error) => `${e.name}: ${e.message}`)).toBe("SerializationException: The body is not valid JSON: a string is malformed");
});
