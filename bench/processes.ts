// The servers a benchmark run measures side by side, each in its own process or server, and their memory.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "..");

export interface Proc {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Resident and peak resident memory of a process, in bytes (from /proc). */
export function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb("VmRSS"), peak: kb("VmHWM") };
}

function waitFor(child: ChildProcess, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  return new Promise((resolveMatch, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d;
      const m = pattern.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveMatch(m);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", () => reject(new Error(`${what} exited:\n${out}`)));
  });
}

function stopper(child: ChildProcess, cleanup: () => void) {
  return () =>
    new Promise<void>((r) => {
      if (child.exitCode !== null || child.signalCode !== null) return r(cleanup());
      child.on("exit", () => r(cleanup()));
      child.kill("SIGTERM");
    });
}

/** The ECR server, as `npm start` runs it, on a fresh data dir (or the one given). */
export async function startEcr(opts: { fsync: boolean; dataDir?: string; repositories?: string[]; auth?: string; args?: string[] }): Promise<Proc> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), "ecr-bench-"));
  const args = ["--import", "tsx", join(ROOT, "src/cli.ts"), "--port", "0", "--data-dir", dataDir];
  if (!opts.fsync) args.push("--no-fsync");
  if (opts.auth) args.push("--auth", "sigv4", "--credentials", opts.auth);
  for (const r of opts.repositories ?? ["bench"]) args.push("--repository", r);
  args.push(...(opts.args ?? []));
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, LOG_LEVEL: "warn" }, stdio: ["ignore", "pipe", "pipe"] });
  const m = await waitFor(child, /listening on (http:\/\/\S+)/, "the ECR server");
  return { url: m[1], pid: child.pid!, stop: stopper(child, () => (opts.dataDir ? undefined : rmSync(dataDir, { recursive: true, force: true }))) };
}

/**
 * Debian's docker-registry (the CNCF distribution registry) with filesystem storage in a temp dir, if installed; with
 * `htpasswd` (its lines, bcrypt), callers must authenticate (Basic).
 */
export async function startRegistry(opts: { htpasswd?: string } = {}): Promise<Proc | undefined> {
  const bin = "/usr/bin/docker-registry";
  try {
    readFileSync(bin);
  } catch {
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), "registry-bench-"));
  const port = await freePort();
  const config = join(dir, "config.yml");
  writeFileSync(
    config,
    `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: 127.0.0.1:${port}\n` +
      (opts.htpasswd ? `auth:\n  htpasswd:\n    realm: test-upstream\n    path: ${dir}/htpasswd\n` : ""),
  );
  if (opts.htpasswd) writeFileSync(join(dir, "htpasswd"), opts.htpasswd);
  const child = spawn(bin, ["serve", config], { stdio: ["ignore", "pipe", "pipe"] });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (await fetch(`${url}/v2/`).then((r) => r.ok || r.status === 401, () => false)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, pid: child.pid!, stop: stopper(child, () => rmSync(dir, { recursive: true, force: true })) };
}

/** A node:http server that reads and discards every body: the loopback limit for a node client. */
export async function startDiscard(): Promise<Proc & { server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/x-amz-json-1.1", "content-length": 2 });
      res.end("{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, pid: process.pid, server, stop: () => new Promise((r) => server.close(() => r())) };
}

/** A bare node:http server answering a fixed JSON, the ceiling for small requests. */
export async function startBare(): Promise<Proc> {
  const child = spawn(
    process.execPath,
    [
      "-e",
      `const body = JSON.stringify({layers:[{layerDigest:"sha256:${"a".repeat(64)}",layerAvailability:"UNAVAILABLE"}],failures:[]});
       const s = require("node:http").createServer((req, res) => { req.resume(); req.on("end", () => { res.writeHead(200, {"content-type": "application/x-amz-json-1.1", "content-length": Buffer.byteLength(body)}); res.end(body); }); });
       s.listen(0, "127.0.0.1", () => console.log("listening on http://127.0.0.1:" + s.address().port));
       process.on("SIGTERM", () => process.exit(0));`,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const m = await waitFor(child, /listening on (http:\/\/\S+)/, "the bare server");
  return { url: m[1], pid: child.pid!, stop: stopper(child, () => undefined) };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
