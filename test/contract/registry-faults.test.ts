// The kit on the registry protocol: a real client (skopeo) against injected /v2 faults, read back from the journal.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startContractEcr, type ContractEcr } from "../../src/testing";
import { describeWith, registryTools } from "../helpers/requirements";
import { run } from "../helpers/run";

describeWith(registryTools, "skopeo against injected registry faults", () => {
  let ecr: ContractEcr;
  let dir: string;
  let layout: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ecr-contract-v2-"));
    layout = join(dir, "layout");
    writeFileSync(join(dir, "file.bin"), randomBytes(300_000));
    for (const args of [["init", "--layout", layout], ["new", "--image", `${layout}:v1`], ["insert", "--image", `${layout}:v1`, join(dir, "file.bin"), "/file.bin"]]) {
      const r = await run("umoci", args);
      expect(r.stderr).toBe("");
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(async () => (ecr = await startContractEcr({ repositories: ["skopeo/app"] })));
  afterEach(() => ecr.close());

  const copy = (...extra: string[]) => run("skopeo", ["copy", "--dest-tls-verify=false", "--dest-no-creds", ...extra, `oci:${layout}:v1`, `docker://${ecr.host}/skopeo/app:v1`]);

  test("a failed PATCH of a layer: skopeo --retry-times retries the copy, sending the same bytes again, and the push lands", async () => {
    ecr.faults.add({ match: { route: "PATCH upload" }, times: 1, effect: { type: "error", error: "TOOMANYREQUESTS" } });
    const r = await copy("--retry-times", "2");
    expect(r.stderr).toMatch(/Failed, retrying in .* \(1\/2\)\. Error: writing blob: uploading layer chunked: toomanyrequests: TOOMANYREQUESTS injected by fault rule .rule-1./);
    expect(r.status).toBe(0);
    const patches = ecr.journal.entries({ route: "PATCH upload" });
    const failed = patches.filter((e) => e.error === "TOOMANYREQUESTS");
    expect(failed.map((e) => [e.status, e.fault?.rule, e.operation, e.repository])).toEqual([[429, "rule-1", "UploadLayerPart", "skopeo/app"]]);
    // The same bytes went again, in a new upload, and that one committed them.
    // The refused chunk was read and dropped before the answer, so its digest is known.
    expect(failed[0].body!.sha256).toMatch(/^[0-9a-f]{64}$/);
    const again = patches.filter((e) => e.seq > failed[0].seq && e.body?.sha256 === failed[0].body!.sha256);
    expect(again).toHaveLength(1);
    expect(again[0].uploadId).not.toBe(failed[0].uploadId);
    expect(again[0].effects).toEqual({ bytesAppended: again[0].body!.length, firstByte: 0, uploadLength: again[0].body!.length });
    const manifests = ecr.journal.entries({ route: "PUT manifest" });
    expect(manifests.map((e) => [e.status, e.input?.reference])).toEqual([[201, "v1"]]);
    // Every request is in the journal with its route, and none of them went unanswered.
    expect(ecr.journal.entries({ protocol: "registry" }).every((e) => e.route !== undefined && e.delivered)).toBe(true);
  }, 60_000);

  test("without --retry-times the same fault fails the copy with the code skopeo was given", async () => {
    ecr.faults.add({ match: { route: "PATCH upload" }, times: 1, effect: { type: "error", error: "TOOMANYREQUESTS", message: "slow down" } });
    const r = await copy();
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/toomanyrequests: slow down/);
  }, 60_000);
});
