// `npm run bench [-- --smoke]`: measures the server against baselines in the same run and prints a table of
// figures and ratios. The machine is small and noisy: medians of several runs, with min–max; the ratios count.
import { parseArgs } from "node:util";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
import { memory, startDiscard, startEcr, startRegistry, type Proc } from "./processes";
import { growth } from "./growth";
import { records } from "./records";
import { smallRequests } from "./small-requests";
import { Layer, pushDiscard, pushRaw, pushRegistry, pushSdk, type PushTimes } from "./uploads";

const MiB = 1024 * 1024;
const { values } = parseArgs({ options: { smoke: { type: "boolean", default: false } } });
const smoke = values.smoke!;
const SIZES = smoke
  ? { layer: 60 * MiB, runs: 1, concurrent: 20 * MiB, small: 1, stored: { layers: 1000, repositories: 1000, images: 100 }, tenMiB: 10 * MiB, images: { count: 2000, expiring: 200 } }
  : { layer: 1024 * MiB, runs: 3, concurrent: 200 * MiB, small: 5, stored: { layers: 1_000_000, repositories: 100_000, images: 10_000 }, tenMiB: 10 * MiB, images: { count: 100_000, expiring: 5000 } };
const PART = 20 * MiB;

import type { Row } from "./row";
import { images } from "./images";
const rows: Row[] = [];
const MBps = (bytes: number, s: number) => bytes / 1e6 / s;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const spread = (xs: number[], unit: string, digits = 0) =>
  `${median(xs).toFixed(digits)} ${unit}${xs.length > 1 ? ` (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})` : ""}`;

/** Runs `push` `runs` times against a fresh server each time; returns MB/s, and peak RSS above idle. */
async function measure(start: () => Promise<Proc | undefined>, push: (url: string) => Promise<PushTimes>, bytes: number, runs: number) {
  const speeds: number[] = [];
  const peaks: number[] = [];
  const completes: number[] = [];
  for (let i = 0; i < runs; i++) {
    const proc = await start();
    if (!proc) return undefined;
    try {
      await push(proc.url); // a small warm-up push, so that start-up costs are not counted
      const idle = memory(proc.pid).rss;
      const t = await push(proc.url);
      speeds.push(MBps(bytes, t.seconds));
      peaks.push((memory(proc.pid).peak - idle) / MiB);
      completes.push(t.completeMs);
    } finally {
      await proc.stop();
    }
  }
  return { speeds, peaks, completes };
}

async function main() {
  const layer = new Layer(SIZES.layer, PART);
  const warm = new Layer(2 * MiB, 2 * MiB);
  const withWarmup = (push: (url: string, l: Layer) => Promise<PushTimes>) => {
    let first = true;
    return (url: string) => {
      const l = first ? warm : layer;
      first = !first;
      return push(url, l);
    };
  };
  console.log(`# benchmark (${smoke ? "smoke" : "full"}): ${SIZES.layer / MiB} MiB layer in ${PART / MiB} MiB parts, ${SIZES.runs} run(s) each`);

  // 1 and 2: upload throughput and memory.
  const ecr = await measure(() => startEcr({ fsync: true }), withWarmup(pushRaw), SIZES.layer, SIZES.runs);
  const relaxed = await measure(() => startEcr({ fsync: false }), withWarmup(pushRaw), SIZES.layer, SIZES.runs);
  const sdk = await measure(() => startEcr({ fsync: true }), withWarmup(pushSdk), SIZES.layer, 1);
  const registry = await measure(startRegistry, withWarmup(pushRegistry), SIZES.layer, SIZES.runs);
  const v2 = await measure(() => startEcr({ fsync: true }), withWarmup(pushRegistry), SIZES.layer, SIZES.runs);
  const discard = await measure(startDiscard, withWarmup(pushDiscard), SIZES.layer, SIZES.runs);

  const ecrMBps = median(ecr!.speeds);
  rows.push({ measure: "UploadLayerPart, prepared bodies, fsync (decoded MB/s)", value: spread(ecr!.speeds, "MB/s") });
  rows.push({ measure: "UploadLayerPart, @aws-sdk/client-ecr (decoded MB/s)", value: spread(sdk!.speeds, "MB/s") });
  if (registry) {
    const r = median(registry.speeds);
    rows.push({ measure: "docker-registry, raw 20 MiB PATCHes (MB/s)", value: spread(registry.speeds, "MB/s") });
    rows.push({ measure: "ECR / docker-registry throughput", value: "", ratio: `${(ecrMBps / r).toFixed(2)}×`, target: "≥ 1.0×", ok: ecrMBps >= r });
    rows.push({ measure: "docker-registry peak RSS above idle", value: spread(registry.peaks, "MiB") });
    const v2MBps = median(v2!.speeds);
    rows.push({ measure: "ECR registry protocol, raw 20 MiB PATCHes, fsync (MB/s)", value: spread(v2!.speeds, "MB/s") });
    rows.push({ measure: "ECR /v2 / docker-registry throughput", value: "", ratio: `${(v2MBps / r).toFixed(2)}×`, target: "≥ 1.2×", ok: v2MBps >= 1.2 * r });
    const v2Peak = median(v2!.peaks);
    rows.push({ measure: "ECR /v2 peak RSS above idle, one upload", value: spread(v2!.peaks, "MiB"), target: "≤ 64 MiB", ok: v2Peak <= 64 });
  } else {
    rows.push({ measure: "docker-registry", value: "not installed (apt-get install docker-registry)" });
  }
  rows.push({ measure: "loopback limit: a server discarding the same bodies (MB/s)", value: spread(discard!.speeds, "MB/s"), ratio: `${(ecrMBps / median(discard!.speeds)).toFixed(2)}× (ECR / limit)` });
  const peak = median(ecr!.peaks);
  rows.push({ measure: "ECR peak RSS above idle, one upload", value: spread(ecr!.peaks, "MiB"), target: "≤ 64 MiB", ok: peak <= 64 });

  // 5: durability cost.
  const relaxedMBps = median(relaxed!.speeds);
  rows.push({ measure: "UploadLayerPart, --no-fsync (decoded MB/s)", value: spread(relaxed!.speeds, "MB/s"), ratio: `${(ecrMBps / relaxedMBps).toFixed(2)}× (fsync / relaxed)` });

  // 2b: eight uploads at once.
  const repositories = Array.from({ length: 8 }, (_, i) => `bench${i}`);
  const proc = await startEcr({ fsync: true, repositories: ["bench", ...repositories] });
  try {
    const each = new Layer(SIZES.concurrent, PART);
    await pushRaw(proc.url, warm);
    const idle = memory(proc.pid).rss;
    const t0 = performance.now();
    await Promise.all(repositories.map((r) => pushRaw(proc.url, each, r)));
    const seconds = (performance.now() - t0) / 1000;
    const peak8 = (memory(proc.pid).peak - idle) / MiB;
    rows.push({ measure: "8 uploads at once: aggregate MB/s", value: `${MBps(8 * SIZES.concurrent, seconds).toFixed(0)} MB/s` });
    rows.push({ measure: "8 uploads at once: peak RSS above idle", value: `${peak8.toFixed(0)} MiB`, target: "≤ 128 MiB", ok: peak8 <= 128 });
  } finally {
    await proc.stop();
  }

  // 3: small requests.
  rows.push(...(await smallRequests(SIZES.small)));

  // 4: growth, and records at scale.
  rows.push(...(await growth(SIZES.tenMiB, median(ecr!.completes))));
  rows.push(...(await records(SIZES.stored, 100)));

  // 6: images at scale, and a lifecycle run beside requests.
  rows.push(...(await images(SIZES.images.count, SIZES.images.expiring)));

  print();
}

function print() {
  const w = [0, 0, 0, 0];
  const cells = rows.map((r) => [r.measure, r.value, r.ratio ?? "", r.target ? `${r.target} ${r.ok ? "met" : "MISSED"}` : ""]);
  for (const c of cells) c.forEach((x, i) => (w[i] = Math.max(w[i], x.length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(w[i])).join(" | ")} |`;
  console.log(line(["measure", "value", "ratio", "target"]));
  console.log(`|${w.map((n) => "-".repeat(n + 2)).join("|")}|`);
  for (const c of cells) console.log(line(c));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

