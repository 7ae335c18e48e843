// What a request costs is bounded by the model, not by what a client sends: bodies that once held the event loop for
// tens of seconds and grew the server by gigabytes are refused with a short message, measured on the server process.
import { request } from "node:http";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServerProcess, type ServerProcess } from "../helpers/server-process";

const TARGET = "AmazonEC2ContainerRegistry_V20150921.";

let server: ServerProcess;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ecr-cost-"));
  server = await startServerProcess(["--port", "0", "--data-dir", dir, "--repository", "app"]);
});
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The server's resident set now, and the most it has had since the last reset, in bytes. */
function memory(): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${server.child.pid}/status`, "utf8");
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)![1]) * 1024;
  return { rss: kib("VmRSS"), peak: kib("VmHWM") };
}

/** Sends `body` in 1 MiB writes with its Content-Length and resolves with the answer, even one given before the body ends. */
function send(operation: string, body: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(server.url);
    const req = request({
      host: url.hostname, port: url.port, method: "POST", path: "/",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": TARGET + operation, "content-length": body.byteLength },
    });
    let answered = false;
    req.on("response", (res) => {
      answered = true;
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on("error", (e) => {
      if (!answered) reject(e);
    });
    let at = 0;
    const write = () => {
      while (at < body.byteLength && !answered) {
        const next = body.subarray(at, at + (1 << 20));
        at += next.byteLength;
        if (!req.write(next)) return void req.once("drain", write);
      }
      if (at >= body.byteLength) req.end();
    };
    write();
  });
}

const invalid = (message: string) => ({ status: 400, __type: "InvalidParameterException", message });

const cases: [string, string, Buffer, { status: number; __type: string; message: string }][] = [
  [
    "7,000,000 empty layerDigests",
    "CompleteLayerUpload",
    Buffer.from(`{"repositoryName":"app","uploadId":"u","layerDigests":[${'"",'.repeat(7_000_000 - 1)}""]}`),
    invalid("Invalid parameter at 'layerDigests' failed to satisfy constraint: 'must have length less than or equal to 100'"),
  ],
  [
    "2,000,000 repository names",
    "DescribeRepositories",
    Buffer.from(`{"repositoryNames":[${'"a",'.repeat(2_000_000 - 1)}"a"]}`),
    invalid("Invalid parameter at 'repositoryNames' failed to satisfy constraint: 'must have length less than or equal to 100'"),
  ],
  [
    "a 20 MB repository name",
    "CreateRepository",
    Buffer.from(`{"repositoryName":"${"a".repeat(20_000_000)}"}`),
    invalid("Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must have length less than or equal to 256'"),
  ],
  [
    // TagList has no @length in the model: the reader's cap on kept values bounds it.
    "9,000,000 empty tags",
    "CreateRepository",
    Buffer.from(`{"repositoryName":"tagged","tags":[${"{},".repeat(9_000_000 - 1)}{}]}`),
    { status: 413, __type: "RequestEntityTooLargeException", message: "The request body holds more than 100000 values" },
  ],
];

test.each(cases)("%s: a short refusal, and the server grows by less than the body", async (_name, operation, body, want) => {
  writeFileSync(`/proc/${server.child.pid}/clear_refs`, "5"); // resets the peak to the current resident set
  const before = memory();
  const answer = await send(operation, body);
  const after = memory();
  expect(answer.body.length).toBeLessThan(2048);
  const { status, ...error } = want;
  expect([answer.status, JSON.parse(answer.body)]).toEqual([status, error]);
  expect(after.peak - before.rss).toBeLessThan(body.byteLength);
});
