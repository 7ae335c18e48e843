// The benchmark's smoke form: it runs, prints its table, and the figures are sane. (Targets are judged by
// `npm run bench`, never by a timed test.)
import { resolve } from "node:path";
import { benchTools, describeWith } from "./helpers/requirements";
import { run } from "./helpers/run";

describeWith(benchTools, "the benchmark", () => {
  test("npm run bench -- --smoke prints a full table of sane figures", async () => {
    const root = resolve(__dirname, "..");
    const r = await run(process.execPath, ["--import", "tsx", resolve(root, "bench/main.ts"), "--smoke"], { cwd: root, env: process.env });
    expect(r.stderr.replace(/npm warn.*\n/g, "")).toBe("");
    expect(r.status).toBe(0);
    const rows = new Map(
      r.stdout
        .split("\n")
        .filter((l) => l.startsWith("| ") && !l.startsWith("| measure"))
        .map((l) => l.split("|").slice(1, -1).map((c) => c.trim()) as [string, string, string, string])
        .map(([measure, value, ratio, target]) => [measure, { value, ratio, target }]),
    );
    const number = (measure: string, field: "value" | "ratio" = "value") => {
      const row = rows.get(measure);
      expect([measure, row]).toEqual([measure, expect.anything()]);
      return Number(/([\d.]+)/.exec(row![field])?.[1]);
    };
    for (const m of [
      "UploadLayerPart, prepared bodies, fsync (decoded MB/s)",
      "UploadLayerPart, @aws-sdk/client-ecr (decoded MB/s)",
      "docker-registry, raw 20 MiB PATCHes (MB/s)",
      "ECR registry protocol, raw 20 MiB PATCHes, fsync (MB/s)",
      "loopback limit: a server discarding the same bodies (MB/s)",
      "UploadLayerPart, --no-fsync (decoded MB/s)",
      "8 uploads at once: aggregate MB/s",
    ]) {
      expect([m, number(m)]).toEqual([m, expect.any(Number)]);
      expect(number(m)).toBeGreaterThan(5);
      expect(number(m)).toBeLessThan(20_000);
    }
    expect(number("ECR peak RSS above idle, one upload")).toBeLessThan(1024);
    expect(number("ECR /v2 peak RSS above idle, one upload")).toBeLessThan(1024);
    expect(number("ECR /v2 / docker-registry throughput", "ratio")).toBeGreaterThan(0);
    expect(number("BatchCheckLayerAvailability, 50 connections")).toBeGreaterThan(100);
    expect(number("small requests: ECR / bare", "ratio")).toBeGreaterThan(0);
    expect(number("BatchCheckLayerAvailability median latency, 1000 stored layers")).toBeGreaterThan(0);
    expect(number("BatchCheckLayerAvailability median latency, 1000 stored layers", "ratio")).toBeGreaterThan(0);
    expect(number("start-up to listening, 1,000 layers, 1,000 repositories, 100 images")).toBeGreaterThan(0);
    expect(number("idle RSS, 1,000 layers, 1,000 repositories, 100 images")).toBeGreaterThan(10);
    expect(number("CompleteLayerUpload, the benchmark's big layer", "ratio")).toBeGreaterThan(0);
    expect(number("DescribeImages first page, 2,000 images", "ratio")).toBeGreaterThan(0);
    expect(number("BatchCheckLayerAvailability p99, idle")).toBeGreaterThan(0);
    const lifecycle = [...rows.keys()].find((m) => m.startsWith("BatchCheckLayerAvailability p99 during a lifecycle run over 2,000 images (200 expired"));
    expect(number(lifecycle!, "ratio")).toBeGreaterThan(0);
  }, 300_000);
});
