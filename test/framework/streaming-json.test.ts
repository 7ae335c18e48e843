// The streaming parser gives the same members and blob bytes however the body is split into chunks.
import { Readable } from "node:stream";
import { parseStreaming, type StreamedBlobSpec } from "../../src/framework/streaming-json";

const SPEC: StreamedBlobSpec = { member: "blob", maxBytes: 1 << 20, requiredBefore: ["id"], otherMembers: ["id", "meta", "n", "flag", "list"] };

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

async function parse(body: Buffer, rand: () => number) {
  const result = await parseStreaming(chunked(body, rand) as never, SPEC, { maxBodyBytes: 1 << 24 });
  const { blob, ...members } = result.members;
  const bytes = blob ? await (blob as { toBuffer(): Promise<Buffer> }).toBuffer() : undefined;
  await result.done;
  return { members, bytes };
}

test("the same result for every way of splitting the body", async () => {
  const rand = prng(42);
  for (let round = 0; round < 300; round++) {
    const bytes = Buffer.from(Array.from({ length: Math.floor(rand() * 40) }, () => Math.floor(rand() * 256)));
    const members = {
      id: `id-"quoted" \\ ${round} \u00e9`,
      meta: { nested: [1, { deep: "}" }, "]"], empty: {} },
      n: round * 1.5 - 7,
      flag: round % 2 === 0,
      list: [null, true, "x,y"],
    };
    const spaced = round % 3 === 0 ? " \n " : "";
    const body = Buffer.from(
      `${spaced}{${spaced}"id"${spaced}:${spaced}${JSON.stringify(members.id)},"meta":${JSON.stringify(members.meta)},` +
        `"n":${members.n}${spaced},"flag":${members.flag},"list":${JSON.stringify(members.list)},` +
        `"blob"${spaced}:${spaced}"${bytes.toString("base64").replace(/\//g, round % 2 ? "\\/" : "/")}"${spaced}}${spaced}`,
    );
    const got = await parse(body, rand);
    expect([round, got.members]).toEqual([round, members]);
    expect([round, got.bytes?.toString("hex")]).toEqual([round, bytes.toString("hex")]);
  }
});

test("a number at the very end of the object, split anywhere", async () => {
  const rand = prng(7);
  for (let round = 0; round < 50; round++) {
    const got = await parse(Buffer.from(`{"id":"a","blob":"QUJD","unmodeled":12345}`), rand);
    expect(got.members).toEqual({ id: "a", unmodeled: 12345 });
  }
});

test("a modeled member after a streamed blob is refused, however it is split", async () => {
  const rand = prng(9);
  for (let round = 0; round < 50; round++) {
    await expect(parse(Buffer.from(`{"id":"a","blob":"QUJD","n":1}`), rand)).rejects.toThrow("Member 'n' comes after 'blob'; it must come before it");
  }
});

test("a member name with an escaped quote, split at every position", async () => {
  const body = Buffer.from(`{"id":"a","we\\"ird":1,"blob":"QUJD"}`);
  for (let cut = 1; cut < body.byteLength; cut++) {
    const result = await parseStreaming(Readable.from([body.subarray(0, cut), body.subarray(cut)]) as never, SPEC, { maxBodyBytes: 1 << 20 });
    const { blob, ...members } = result.members;
    expect([cut, members, (await (blob as { toBuffer(): Promise<Buffer> }).toBuffer()).toString()]).toEqual([cut, { id: "a", 'we"ird': 1 }, "ABC"]);
  }
});
