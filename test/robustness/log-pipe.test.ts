// Logging never blocks serving or stopping: with stdout a pipe whose reader has gone, or one nobody reads (full),
// the server keeps answering and SIGTERM ends it within its grace period.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "../..");
const GRACE_S = 2;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

async function describeRepositories(url: string): Promise<number> {
  const res = await fetch(`${url}/`, {
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories" },
    body: "{}",
    signal: AbortSignal.timeout(5000),
  });
  await res.text();
  return res.status;
}

async function waitForPort(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      await describeRepositories(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error("server did not start");
}

const cases: [string, (child: ChildProcess) => void][] = [
  ["the pipe's reader has gone (EPIPE)", (child) => child.stdout!.destroy()],
  ["the pipe is full: its reader never reads", (child) => child.stdout!.pause()],
];

test.each(cases)("%s: requests are answered, and SIGTERM stops the server within its grace", async (_name, breakStdout) => {
  const dir = mkdtempSync(join(tmpdir(), "ecr-pipe-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ["--import", "tsx", resolve(ROOT, "src/cli.ts"), "--port", String(port), "--data-dir", dir, "--shutdown-grace", String(GRACE_S)], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "ignore"],
  });
  const exited = new Promise<number | string>((r) => child.on("exit", (code, signal) => r(code ?? signal ?? -1)));
  try {
    breakStdout(child);
    await waitForPort(url, child);
    // 2,000 request lines are far more than a pipe holds (64 KiB).
    for (let i = 0; i < 2000; i++) expect(await describeRepositories(url)).toBe(200);
    const stopping = Date.now();
    child.kill("SIGTERM");
    const timeout = new Promise<string>((r) => setTimeout(() => r("still running"), (GRACE_S + 3) * 1000).unref());
    expect(await Promise.race([exited, timeout])).toBe(0);
    expect(Date.now() - stopping).toBeLessThan((GRACE_S + 3) * 1000);
  } finally {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
