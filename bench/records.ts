// Records at scale: start-up time and idle memory of a server whose data dir holds a million layer records (with
// many repositories and images) against one holding a hundred, and BatchCheckLayerAvailability latency in each.
import { rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { memory, startEcr } from "./processes";
import type { Row } from "./row";
import { seed } from "./seed";

const MiB = 1024 * 1024;

export async function checkLatencyMs(url: string, digests: string[], requests: number): Promise<number> {
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
          let text = "";
          res.on("data", (d) => (text += d));
          res.on("end", () => (res.statusCode === 200 && !text.includes("UNAVAILABLE") ? resolve() : reject(new Error(`status ${res.statusCode}: ${text}`))));
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

interface Measured {
  startMs: number;
  idleMiB: number;
  latencyMs: number;
}

async function measure(dir: string, digests: string[]): Promise<Measured> {
  const t0 = performance.now();
  const proc = await startEcr({ fsync: true, dataDir: dir, repositories: [] });
  const startMs = performance.now() - t0;
  try {
    await checkLatencyMs(proc.url, digests, 50);
    const latencyMs = await checkLatencyMs(proc.url, digests, 500);
    return { startMs, idleMiB: memory(proc.pid).rss / MiB, latencyMs };
  } finally {
    await proc.stop();
  }
}

export async function records(big: { layers: number; repositories: number; images: number }, small: number): Promise<Row[]> {
  const t0 = performance.now();
  const many = await seed(big);
  const seedS = (performance.now() - t0) / 1000;
  const few = await seed({ layers: small, repositories: 0, images: 0 });
  try {
    const b = await measure(many.dir, many.digests);
    const s = await measure(few.dir, few.digests);
    const what = `${big.layers.toLocaleString("en")} layers, ${big.repositories.toLocaleString("en")} repositories, ${big.images.toLocaleString("en")} images`;
    const ratio = b.latencyMs / s.latencyMs;
    return [
      { measure: `start-up to listening, ${small} layers (seeded in ${seedS.toFixed(0)} s)`, value: `${s.startMs.toFixed(0)} ms` },
      { measure: `start-up to listening, ${what}`, value: `${b.startMs.toFixed(0)} ms`, ratio: `${(b.startMs / s.startMs).toFixed(2)}×`, target: "< 2 s", ok: b.startMs < 2000 },
      { measure: `idle RSS, ${small} layers`, value: `${s.idleMiB.toFixed(0)} MiB` },
      { measure: `idle RSS, ${what}`, value: `${b.idleMiB.toFixed(0)} MiB`, target: "< 150 MiB", ok: b.idleMiB < 150 },
      { measure: `BatchCheckLayerAvailability median latency, ${small} stored layers`, value: `${s.latencyMs.toFixed(2)} ms` },
      {
        measure: `BatchCheckLayerAvailability median latency, ${big.layers} stored layers`,
        value: `${b.latencyMs.toFixed(2)} ms`,
        ratio: `${ratio.toFixed(2)}×`,
        target: "≤ 1.5×",
        ok: ratio <= 1.5,
      },
    ];
  } finally {
    rmSync(many.dir, { recursive: true, force: true });
    rmSync(few.dir, { recursive: true, force: true });
  }
}
