// Small requests: BatchCheckLayerAvailability per second with 50 connections (wrk), against a bare node:http server.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { startBare, startEcr, type Proc } from "./processes";
import type { Row } from "./row";

const WRK = "/usr/bin/wrk";
const BODY = `{"repositoryName":"bench","layerDigests":["sha256:${"a".repeat(64)}"]}`;

/** A wrk script sending one BatchCheckLayerAvailability request signed for the server at `url`. */
async function signedLua(url: string): Promise<string> {
  const host = new URL(url).host;
  const request = new HttpRequest({
    method: "POST",
    protocol: "http:",
    hostname: host.split(":")[0],
    path: "/",
    headers: { host, "content-type": "application/x-amz-json-1.1", "x-amz-target": "AmazonEC2ContainerRegistry_V20150921.BatchCheckLayerAvailability" },
    body: BODY,
  });
  const signer = new SignatureV4({ service: "ecr", region: "us-east-1", credentials: { accessKeyId: "AKIABENCH", secretAccessKey: "bench-secret" }, sha256: Hash.bind(null, "sha256"), applyChecksum: false });
  const { headers } = await signer.sign(request);
  const lines = Object.entries(headers).filter(([k]) => k !== "host").map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`);
  return `wrk.method = "POST"\nwrk.body = '${BODY}'\n${lines.join("\n")}\n`;
}

function wrk(url: string, script: string, seconds: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(WRK, ["-t2", "-c50", `-d${seconds}s`, "-s", script, `${url}/`], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("exit", () => {
      const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
      const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out);
      if (!rps) return reject(new Error(`wrk printed no rate:\n${out}`));
      if (errors) return reject(new Error(`wrk saw ${errors[1]} error responses:\n${out}`));
      resolve(Number(rps[1]));
    });
  });
}

export async function smallRequests(seconds: number): Promise<Row[]> {
  if (!existsSync(WRK)) return [{ measure: "small requests", value: "wrk not installed (apt-get install wrk)" }];
  const dir = mkdtempSync(join(tmpdir(), "wrk-"));
  const script = join(dir, "batch-check.lua");
  writeFileSync(
    script,
    `wrk.method = "POST"
wrk.body = '${BODY}'
wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
wrk.headers["X-Amz-Target"] = "AmazonEC2ContainerRegistry_V20150921.BatchCheckLayerAvailability"
`,
  );
  const rate = async (start: () => Promise<Proc>, lua = script) => {
    const proc = await start();
    try {
      await wrk(proc.url, lua, 1); // warm-up
      const runs = [];
      for (let i = 0; i < 3; i++) runs.push(await wrk(proc.url, lua, seconds));
      return runs.sort((a, b) => a - b);
    } finally {
      await proc.stop();
    }
  };
  try {
    const ecr = await rate(() => startEcr({ fsync: true }));
    const bare = await rate(startBare);
    // With sigv4 on: one request signed ahead (a signature stays valid for 15 minutes), verified on every arrival.
    const credentials = join(dir, "credentials.json");
    writeFileSync(credentials, JSON.stringify({ AKIABENCH: { secretAccessKey: "bench-secret", accountId: "000000000000" } }));
    const signedScript = join(dir, "batch-check-signed.lua");
    const signed = await rate(async () => {
      const proc = await startEcr({ fsync: true, auth: credentials });
      writeFileSync(signedScript, await signedLua(proc.url));
      return proc;
    }, signedScript);
    // The contract-testing kit loaded (journal recording, no rule installed) against the same server without it. Both
    // run at once and are measured in turns, so that the machine's drift falls on both alike.
    const [plain, kit] = await Promise.all([startEcr({ fsync: true }), startEcr({ fsync: true, args: ["--contract-control"] })]);
    const turns: { plain: number[]; kit: number[] } = { plain: [], kit: [] };
    try {
      await wrk(plain.url, script, 1);
      await wrk(kit.url, script, 1);
      for (let i = 0; i < 5; i++) {
        turns.plain.push(await wrk(plain.url, script, seconds));
        turns.kit.push(await wrk(kit.url, script, seconds));
      }
    } finally {
      await Promise.all([plain.stop(), kit.stop()]);
    }
    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
    const [plainRuns, kitRuns] = [sorted(turns.plain), sorted(turns.kit)];
    const kitRatio = kitRuns[2] / plainRuns[2];
    const fmt5 = (r: number[]) => `${r[2].toFixed(0)} req/s (${r[0].toFixed(0)}–${r[4].toFixed(0)})`;
    const ratio = ecr[1] / bare[1];
    const fmt = (r: number[]) => `${r[1].toFixed(0)} req/s (${r[0].toFixed(0)}–${r[2].toFixed(0)})`;
    return [
      { measure: "BatchCheckLayerAvailability, 50 connections", value: fmt(ecr) },
      { measure: "bare node:http server, fixed JSON, 50 connections", value: fmt(bare) },
      { measure: "small requests: ECR / bare", value: "", ratio: `${ratio.toFixed(2)}×`, target: "≥ 0.6×", ok: ratio >= 0.6 },
      { measure: "BatchCheckLayerAvailability with sigv4 on", value: fmt(signed), ratio: `${(signed[1] / bare[1]).toFixed(2)}× bare` },
      { measure: "same, contract kit off (5 turns)", value: fmt5(plainRuns) },
      { measure: "same, contract kit loaded and idle (journal on, no rules; 5 turns)", value: fmt5(kitRuns) },
      { measure: "small requests: kit idle / kit off", value: "", ratio: `${kitRatio.toFixed(3)}×`, target: "≥ 0.95×", ok: kitRatio >= 0.95 },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
