// Small requests: BatchCheckLayerAvailability per second with 50 connections (wrk), against a bare node:http server.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startBare, startEcr, type Proc } from "./processes";
import type { Row } from "./row";

const WRK = "/usr/bin/wrk";

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
wrk.body = '{"repositoryName":"bench","layerDigests":["sha256:${"a".repeat(64)}"]}'
wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
wrk.headers["X-Amz-Target"] = "AmazonEC2ContainerRegistry_V20150921.BatchCheckLayerAvailability"
`,
  );
  const rate = async (start: () => Promise<Proc>) => {
    const proc = await start();
    try {
      await wrk(proc.url, script, 1); // warm-up
      const runs = [];
      for (let i = 0; i < 3; i++) runs.push(await wrk(proc.url, script, seconds));
      return runs.sort((a, b) => a - b);
    } finally {
      await proc.stop();
    }
  };
  try {
    const ecr = await rate(() => startEcr({ fsync: true }));
    const bare = await rate(startBare);
    const ratio = ecr[1] / bare[1];
    const fmt = (r: number[]) => `${r[1].toFixed(0)} req/s (${r[0].toFixed(0)}–${r[2].toFixed(0)})`;
    return [
      { measure: "BatchCheckLayerAvailability, 50 connections", value: fmt(ecr) },
      { measure: "bare node:http server, fixed JSON, 50 connections", value: fmt(bare) },
      { measure: "small requests: ECR / bare", value: "", ratio: `${ratio.toFixed(2)}×`, target: "≥ 0.6×", ok: ratio >= 0.6 },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
