// A registry-protocol upload is as durable as an API one: it resumes after a restart from its committed length, and a
// chunk cut off or stalled mid-way commits nothing.
import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { startEcr, tempDataDir, type TestEcr } from "../helpers/ecr-server";
import { MiB, sha256 } from "../helpers/digests";
import { v2 } from "../helpers/registry";

let dataDir: string;
let t: TestEcr;
beforeEach(async () => {
  dataDir = tempDataDir();
  t = await startEcr({ dataDir, repositories: ["app"], bodyIdleTimeoutMs: 300 });
});
afterEach(() => t.close());

async function begin(): Promise<string> {
  return new URL((await v2(t.url, "/v2/app/blobs/uploads/", { method: "POST" })).headers.location).pathname;
}

/** Sends a PATCH's headers and the first `sent` of `declared` bytes, then either cuts the connection or stalls; what came back. */
function partialPatch(path: string, declared: number, sent: number, then: "cut" | "stall"): Promise<string> {
  const { hostname, port } = new URL(t.url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`PATCH ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Length: ${declared}\r\n\r\n`);
      socket.write(randomBytes(sent), () => {
        if (then === "cut") setTimeout(() => socket.destroy(), 50);
      });
    });
    let answer = "";
    socket.on("data", (d) => (answer += d));
    socket.on("error", () => undefined);
    socket.on("close", () => resolve(answer));
  });
}

test("an upload resumes after a restart from its committed length, and completes", async () => {
  const bytes = randomBytes(6 * MiB + 1234);
  const path = await begin();
  expect((await v2(t.url, path, { method: "PATCH", body: bytes.subarray(0, 6 * MiB) })).status).toBe(201);
  await t.stop();
  t = await startEcr({ dataDir, repositories: ["app"] });
  expect((await v2(t.url, path)).headers.range).toBe(`0-${6 * MiB - 1}`);
  expect((await v2(t.url, path, { method: "PATCH", body: bytes.subarray(6 * MiB), headers: { "content-range": `${6 * MiB}-${bytes.byteLength - 1}` } })).status).toBe(201);
  expect((await v2(t.url, `${path}?digest=${sha256(bytes)}`, { method: "PUT" })).status).toBe(201);
  const blob = await v2(t.url, `/v2/app/blobs/${sha256(bytes)}`);
  expect(Buffer.from(await (await fetch(blob.headers.location)).arrayBuffer()).equals(bytes)).toBe(true);
});

test.each([["cut off by the client", "cut"], ["stalled", "stall"]] as const)("a chunk %s mid-way commits nothing; the upload goes on from where it was", async (_, how) => {
  const bytes = randomBytes(6 * MiB + 10);
  const path = await begin();
  await v2(t.url, path, { method: "PATCH", body: bytes.subarray(0, 6 * MiB) });
  // A stalled body is cut off by the server after the idle timeout (300 ms here); a cut one by the client.
  const answer = await partialPatch(path, 4 * MiB, 2 * MiB, how);
  // A stalled client is told why before its connection closes.
  if (how === "stall") expect(answer).toMatch(/^HTTP\/1\.1 408 [\s\S]*connection: close[\s\S]*"code":"BLOB_UPLOAD_INVALID"/i);
  expect((await v2(t.url, path)).headers.range).toBe(`0-${6 * MiB - 1}`);
  await v2(t.url, path, { method: "PATCH", body: bytes.subarray(6 * MiB) });
  const done = await v2(t.url, `${path}?digest=${sha256(bytes)}`, { method: "PUT" });
  expect([done.status, done.headers["docker-content-digest"]]).toEqual([201, sha256(bytes)]);
});
