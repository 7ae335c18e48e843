// Images at scale: DescribeImages' first page with 100,000 images in the repository against 100, and request latency
// while a lifecycle evaluation reads those 100,000 images and expires some of them.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { Agent, request } from "node:http";
import Database from "better-sqlite3";
import { SQL } from "../src/storage/sql/queries";
import { startEcr } from "./processes";
import type { Row } from "./row";
import { REGISTRY, seed } from "./seed";

const TARGET = "AmazonEC2ContainerRegistry_V20150921.";

function call(url: string, agent: Agent, op: string, input: object): Promise<{ status: number; body: string }> {
  const body = JSON.stringify(input);
  return new Promise((resolve, reject) => {
    const req = request(`${url}/`, {
      method: "POST",
      agent,
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": TARGET + op, "content-length": Buffer.byteLength(body) },
    }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Latencies (ms) of `op` called `n` times, one at a time; stops early when `until` says so. */
async function latencies(url: string, op: string, input: () => object, n: number, until?: () => boolean): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  try {
    for (let i = 0; i < n && !until?.(); i++) {
      const t0 = performance.now();
      const res = await call(url, agent, op, input());
      if (res.status !== 200) throw new Error(`${op}: ${res.status} ${res.body}`);
      times.push(performance.now() - t0);
    }
  } finally {
    agent.destroy();
  }
  return times.sort((a, b) => a - b);
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

async function describeFirstPage(dir: string): Promise<number> {
  const proc = await startEcr({ fsync: true, dataDir: dir, repositories: [] });
  try {
    await latencies(proc.url, "DescribeImages", () => ({ repositoryName: "bench" }), 20);
    return pct(await latencies(proc.url, "DescribeImages", () => ({ repositoryName: "bench" }), 200), 0.5);
  } finally {
    await proc.stop();
  }
}

export async function images(count: number, expiring: number): Promise<Row[]> {
  const many = await seed({ layers: 2 * count, repositories: 0, images: count });
  const few = await seed({ layers: 200, repositories: 0, images: 100 });
  try {
    const big = await describeFirstPage(many.dir);
    const small = await describeFirstPage(few.dir);
    const ratio = big / small;
    const check = (digests: string[]) => {
      let i = 0;
      return () => ({ repositoryName: "bench", layerDigests: Array.from({ length: 10 }, () => digests[(i++ * 7919) % digests.length]) });
    };

    // Idle, then during an evaluation: the seeded images are tagged v0, v1, ...; the policy keeps all but `expiring`.
    const proc = await startEcr({ fsync: true, dataDir: many.dir, repositories: [], args: ["--lifecycle-interval", "3600"] });
    let idleP99: number;
    try {
      await latencies(proc.url, "BatchCheckLayerAvailability", check(many.digests), 100);
      idleP99 = pct(await latencies(proc.url, "BatchCheckLayerAvailability", check(many.digests), 1000), 0.99);
    } finally {
      await proc.stop();
    }
    const policy = JSON.stringify({
      rules: [{ rulePriority: 1, description: "keep the newest images", selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: count - expiring }, action: { type: "expire" } }],
    });
    const db = new Database(join(many.dir, "records.db"));
    db.prepare(SQL.putLifecyclePolicy).run(REGISTRY, "bench", policy);
    db.close();
    // Evaluated a second after start-up: the probe runs from start-up until the policy says it was evaluated.
    const busy = await startEcr({ fsync: true, dataDir: many.dir, repositories: [], args: ["--lifecycle-interval", "1"] });
    let during: number[];
    let evaluationS = 0;
    try {
      const t0 = performance.now();
      let evaluated = false;
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const watch = (async () => {
        while (!evaluated) {
          await new Promise((r) => setTimeout(r, 100));
          const res = await call(busy.url, agent, "GetLifecyclePolicy", { repositoryName: "bench" });
          evaluated = JSON.parse(res.body).lastEvaluatedAt !== undefined;
        }
        evaluationS = (performance.now() - t0) / 1000;
        agent.destroy();
      })();
      during = await latencies(busy.url, "BatchCheckLayerAvailability", check(many.digests), 1e9, () => evaluated);
      await watch;
    } finally {
      await busy.stop();
    }
    const records = new Database(join(many.dir, "records.db"), { readonly: true });
    const left = (records.prepare(SQL.countImages).get(REGISTRY, "bench") as { n: number }).n;
    records.close();
    if (left !== count - expiring) throw new Error(`the lifecycle run left ${left} images, not ${count - expiring}`);
    const duringP99 = pct(during, 0.99);
    const stall = duringP99 / idleP99;
    return [
      { measure: "DescribeImages first page, 100 images", value: `${small.toFixed(2)} ms` },
      { measure: `DescribeImages first page, ${count.toLocaleString("en")} images`, value: `${big.toFixed(2)} ms`, ratio: `${ratio.toFixed(2)}×`, target: "≤ 1.5×", ok: ratio <= 1.5 },
      { measure: "BatchCheckLayerAvailability p99, idle", value: `${idleP99.toFixed(2)} ms` },
      {
        measure: `BatchCheckLayerAvailability p99 during a lifecycle run over ${count.toLocaleString("en")} images (${expiring.toLocaleString("en")} expired, ${evaluationS.toFixed(1)} s, ${during.length} requests)`,
        value: `${duringP99.toFixed(2)} ms`,
        ratio: `${stall.toFixed(2)}×`,
        target: "≤ 3×",
        ok: stall <= 3,
      },
    ];
  } finally {
    rmSync(many.dir, { recursive: true, force: true });
    rmSync(few.dir, { recursive: true, force: true });
  }
}
