// Growth: BatchCheckLayerAvailability latency with few and with many stored layers; CompleteLayerUpload for a big and
// a small layer (no re-read: the time should not grow with the layer).
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EmbeddedStore } from "../src/storage/embedded";
import { startEcr } from "./processes";
import type { Row } from "./row";
import { Layer, pushRaw } from "./uploads";

const REGISTRY = "000000000000";

/** A data dir whose repository "bench" holds `n` small layers, made through the storage API. */
async function seed(n: number): Promise<{ dir: string; digests: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), "ecr-growth-"));
  const store = await EmbeddedStore.open({ dataDir: dir, fsync: false });
  await store.createRepository(REGISTRY, { name: "bench", createdAt: Date.now(), imageTagMutability: "MUTABLE", scanOnPush: false, encryptionType: "AES256" });
  const digests: string[] = [];
  for (let i = 0; i < n; i++) {
    const bytes = Buffer.from(`layer-${i}`);
    const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
    const id = `seed-${i}`;
    await store.createUpload(REGISTRY, { id, repository: "bench", createdAt: 0, touchedAt: Date.now(), length: 0, parts: 0 });
    await store.writePart(REGISTRY, id, [bytes]);
    await store.commitPart(REGISTRY, id, { id, repository: "bench", createdAt: 0, touchedAt: Date.now(), length: bytes.byteLength, parts: 1 });
    await store.completeUpload(REGISTRY, id, { digest, size: bytes.byteLength });
    digests.push(digest);
  }
  await store.close();
  return { dir, digests };
}

async function checkLatencyMs(url: string, digests: string[], requests: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  try {
    for (let i = 0; i < requests; i++) {
      const body = JSON.stringify({ repositoryName: "bench", layerDigests: Array.from({ length: 10 }, (_, j) => digests[(i * 10 + j * 7919) % digests.length]) });
      const t0 = performance.now();
      await new Promise<void>((resolve, reject) => {
        const req = request(`${url}/`, {
          method: "POST",
          agent,
          headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AmazonEC2ContainerRegistry_V20150921.BatchCheckLayerAvailability", "content-length": Buffer.byteLength(body) },
        }, (res) => {
          res.resume();
          res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
        });
        req.on("error", reject);
        req.end(body);
      });
      times.push(performance.now() - t0);
    }
  } finally {
    agent.destroy();
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

export async function growth(stored: number[], smallLayer: number, bigCompleteMs: number): Promise<Row[]> {
  const latencies: number[] = [];
  for (const n of stored) {
    const { dir, digests } = await seed(n);
    const proc = await startEcr({ fsync: true, dataDir: dir });
    try {
      await checkLatencyMs(proc.url, digests, 50);
      latencies.push(await checkLatencyMs(proc.url, digests, 500));
    } finally {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const proc = await startEcr({ fsync: true });
  let smallCompleteMs: number;
  try {
    const times = [];
    for (let i = 0; i < 3; i++) times.push((await pushRaw(proc.url, new Layer(smallLayer, 20 * 1024 * 1024))).completeMs);
    smallCompleteMs = times.sort((a, b) => a - b)[1];
  } finally {
    await proc.stop();
  }
  const ratio = latencies[1] / latencies[0];
  const completeRatio = bigCompleteMs / smallCompleteMs;
  return [
    { measure: `BatchCheckLayerAvailability median latency, ${stored[0]} stored layers`, value: `${latencies[0].toFixed(2)} ms` },
    { measure: `BatchCheckLayerAvailability median latency, ${stored[1]} stored layers`, value: `${latencies[1].toFixed(2)} ms`, ratio: `${ratio.toFixed(2)}×`, target: "≤ 1.5×", ok: ratio <= 1.5 },
    { measure: `CompleteLayerUpload, ${smallLayer / 1024 / 1024} MiB layer`, value: `${smallCompleteMs.toFixed(1)} ms` },
    { measure: "CompleteLayerUpload, the benchmark's big layer", value: `${bigCompleteMs.toFixed(1)} ms`, ratio: `${completeRatio.toFixed(2)}×`, target: "≤ 2×", ok: completeRatio <= 2 },
  ];
}
