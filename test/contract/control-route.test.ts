// The kit over HTTP on a command-line server: off unless --contract-control, then driven from outside the process
// (here with fetch and the aws CLI).
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeWith, awsTools } from "../helpers/requirements";
import { run } from "../helpers/run";
import { startServerProcess, type ServerProcess } from "../helpers/server-process";

const AWS = "/usr/bin/aws";
let work: string;
beforeAll(() => (work = mkdtempSync(join(tmpdir(), "ecr-control-"))));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const api = (url: string, operation: string, body: object) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": `AmazonEC2ContainerRegistry_V20150921.${operation}` }, body: JSON.stringify(body) });

async function server(args: string[]): Promise<ServerProcess> {
  return startServerProcess(["--port", "0", "--data-dir", mkdtempSync(join(work, "data-")), "--no-fsync", "--repository", "app", ...args]);
}

test("without --contract-control the control paths are not served, and a rule posted there changes nothing", async () => {
  const s = await server([]);
  try {
    const post = await fetch(`${s.url}/__contract/faults`, { method: "POST", body: JSON.stringify({ match: { operation: "InitiateLayerUpload" }, effect: { type: "status", status: 503 } }) });
    // The API's answer to a request that is no API call, not the kit's.
    expect(post.status).toBe(404);
    expect(((await post.json()) as { __type: string }).__type).not.toBe(undefined);
    for (const path of ["faults", "journal"]) expect((await fetch(`${s.url}/__contract/${path}`)).headers.get("content-type")).toBe("application/x-amz-json-1.1");
    expect((await api(s.url, "InitiateLayerUpload", { repositoryName: "app" })).status).toBe(200);
  } finally {
    await s.stop();
  }
});

test("with it: rules go in and out over HTTP, a bad rule is refused with the reason, the journal comes back as JSON lines", async () => {
  const s = await server(["--contract-control", "--journal-size", "3"]);
  try {
    expect(s.output()).toMatch(/contract-testing control route at http:\/\/127\.0\.0\.1:\d+\/__contract\//);
    const bad = await fetch(`${s.url}/__contract/faults`, { method: "POST", body: JSON.stringify({ match: { operation: "InitiateLayerUpload" }, effect: { type: "error", error: "LayerPartTooSmallException" } }) });
    expect([bad.status, await bad.json()]).toEqual([400, { error: expect.stringMatching(/^InitiateLayerUpload does not declare LayerPartTooSmallException; it declares /) }]);
    const notJson = await fetch(`${s.url}/__contract/faults`, { method: "POST", body: "{" });
    expect(notJson.status).toBe(400);
    // A list is all or nothing.
    const mixed = await fetch(`${s.url}/__contract/faults`, { method: "POST", body: JSON.stringify([{ effect: { type: "status", status: 503 } }, { effect: { type: "latency", ms: -1 } }]) });
    expect(mixed.status).toBe(400);
    expect(await (await fetch(`${s.url}/__contract/faults`)).json()).toEqual({ rules: [] });

    const added = await fetch(`${s.url}/__contract/faults`, { method: "POST", body: JSON.stringify({ id: "unavailable", match: { operation: "InitiateLayerUpload" }, times: 1, effect: { type: "status", status: 503 } }) });
    expect(added.status).toBe(201);
    expect(await added.json()).toEqual({ rules: [{ id: "unavailable", match: { operation: "InitiateLayerUpload" }, times: 1, effect: { type: "status", status: 503 }, matched: 0, fired: 0 }] });
    const first = await api(s.url, "InitiateLayerUpload", { repositoryName: "app" });
    expect([first.status, await first.text(), first.headers.get("content-length")]).toEqual([503, "", "0"]);
    expect((await api(s.url, "InitiateLayerUpload", { repositoryName: "app" })).status).toBe(200);
    expect(await (await fetch(`${s.url}/__contract/faults`)).json()).toMatchObject({ rules: [{ id: "unavailable", matched: 2, fired: 1 }] });

    // The journal keeps the last 3 requests (--journal-size 3); the control route's own requests are not in it.
    for (let i = 0; i < 2; i++) await api(s.url, "DescribeRepositories", {});
    const journal = await fetch(`${s.url}/__contract/journal`);
    expect(journal.headers.get("content-type")).toBe("application/x-ndjson");
    const lines = (await journal.text()).trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((e) => [e.seq, e.operation, e.status])).toEqual([
      [2, "InitiateLayerUpload", 200],
      [3, "DescribeRepositories", 200],
      [4, "DescribeRepositories", 200],
    ]);
    const filtered = await (await fetch(`${s.url}/__contract/journal?operation=InitiateLayerUpload`)).text();
    expect(filtered.trim().split("\n").map((l) => JSON.parse(l).seq)).toEqual([2]);
    expect((await fetch(`${s.url}/__contract/journal?colour=blue`)).status).toBe(400);
    expect((await fetch(`${s.url}/__contract/faults/unavailable`, { method: "DELETE" })).status).toBe(204);
    expect((await fetch(`${s.url}/__contract/faults/unavailable`, { method: "DELETE" })).status).toBe(404);
    expect((await fetch(`${s.url}/__contract/journal`, { method: "DELETE" })).status).toBe(204);
    expect(await (await fetch(`${s.url}/__contract/journal`)).text()).toBe("");
  } finally {
    await s.stop();
  }
});

describeWith(awsTools, "the aws CLI against injected faults", () => {
  test("LimitExceededException on every part: the CLI retries it in standard mode, then reports it", async () => {
    const s = await server(["--contract-control"]);
    try {
      const env = {
        PATH: "/usr/bin:/bin", HOME: work, AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null", AWS_EC2_METADATA_DISABLED: "true",
        AWS_ACCESS_KEY_ID: "AKIACLI", AWS_SECRET_ACCESS_KEY: "secret", AWS_RETRY_MODE: "standard", AWS_MAX_ATTEMPTS: "3",
      };
      const aws = (...args: string[]) => run(AWS, ["ecr", ...args, "--endpoint-url", s.url, "--region", "us-east-1", "--output", "json"], { env });
      await fetch(`${s.url}/__contract/faults`, { method: "POST", body: JSON.stringify({ match: { operation: "UploadLayerPart" }, effect: { type: "error", error: "LimitExceededException", message: "The part limit was reached" } }) });
      const uploadId = JSON.parse((await aws("initiate-layer-upload", "--repository-name", "app")).stdout).uploadId;
      writeFileSync(join(work, "part.bin"), Buffer.alloc(1000, 7));
      const r = await aws("upload-layer-part", "--repository-name", "app", "--upload-id", uploadId, "--part-first-byte", "0", "--part-last-byte", "999", "--layer-part-blob", `fileb://${join(work, "part.bin")}`);
      expect(r.status).not.toBe(0);
      expect(r.stderr.trim()).toBe("An error occurred (LimitExceededException) when calling the UploadLayerPart operation (reached max retries: 2): The part limit was reached");
      const entries = (await (await fetch(`${s.url}/__contract/journal?operation=UploadLayerPart`)).text()).trim().split("\n").map((l) => JSON.parse(l));
      // Debian's aws CLI (2.9, with its own botocore) sends no amz-sdk-request or invocation id header: the journal
      // leaves attempt and invocationId out rather than guess them.
      expect(entries.map((e) => [e.caller.attempt ?? null, e.caller.invocationId ?? null, e.caller.accessKeyId, e.caller.signed, e.error, e.fault.rule])).toEqual([
        [null, null, "AKIACLI", true, "LimitExceededException", "rule-1"],
        [null, null, "AKIACLI", true, "LimitExceededException", "rule-1"],
        [null, null, "AKIACLI", true, "LimitExceededException", "rule-1"],
      ]);
      expect(entries.map((e) => e.input.layerPartBlob)).toEqual(Array(3).fill({ length: 1000, sha256: createHash("sha256").update(Buffer.alloc(1000, 7)).digest("hex") }));
      expect(entries[0].caller.userAgent).toMatch(/^aws-cli\//);
    } finally {
      await s.stop();
    }
  }, 60_000);
});
