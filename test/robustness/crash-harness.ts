// The crash harness: concurrent layer pushes against the server as a child process (fsync on), SIGKILLed at random
// moments and restarted on the same data dir; clients resume from what the server says it has. Afterwards it checks
// that every completed layer's bytes hash to its digest, that no acknowledged byte was lost, that no upload claims
// bytes it does not have, and that nothing is left over once uploads expire.
// Run alone: `npx tsx test/robustness/crash-harness.ts [clients] [layersPerClient] [kills]`.
import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  BatchCheckLayerAvailabilityCommand,
  CompleteLayerUploadCommand,
  ECRClient,
  InitiateLayerUploadCommand,
  UploadLayerPartCommand,
} from "@aws-sdk/client-ecr";

const ROOT = resolve(__dirname, "../..");
const REGISTRY = "000000000000";
const MiB = 1024 * 1024;
const PART = 5 * MiB;
const sha256 = (b: Uint8Array) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

export interface CrashReport {
  kills: number;
  pushes: number;
  resumed: number;
  verifiedBytes: number;
  problems: string[];
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export async function runCrashHarness(opts: { clients: number; layersPerClient: number; kills: number; log?: (s: string) => void }): Promise<CrashReport> {
  const log = opts.log ?? (() => undefined);
  const dataDir = mkdtempSync(join(tmpdir(), "ecr-crash-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const start = async (extra: string[] = []) => {
    child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "src/cli.ts"), "--port", String(port), "--data-dir", dataDir, "--repository", "crash", ...extra], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: "error" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.resume();
    child.stderr!.resume();
    for (let i = 0; i < 300; i++) {
      if (await fetch(`${url}/`).then(() => true, () => false)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("the server did not come back");
  };
  const kill = () => new Promise<void>((r) => (child!.exitCode !== null ? r() : (child!.once("exit", () => r()), child!.kill("SIGKILL"))));

  const report: CrashReport = { kills: 0, pushes: 0, resumed: 0, verifiedBytes: 0, problems: [] };
  const completed = new Map<string, number>(); // digest -> size
  const client = new ECRClient({ endpoint: url, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" }, maxAttempts: 1 });
  let down = false;

  const pushOne = async (layer: Buffer) => {
    let crashed = false;
    /** Retries a call across crashes, as a client retries 5xx and lost connections: it waits for the server. */
    const call = async <T>(f: () => Promise<T>): Promise<T> => {
      for (;;) {
        try {
          return await f();
        } catch (e) {
          const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
          if (status !== undefined && status < 500) throw e;
          crashed = true;
          await new Promise((r) => setTimeout(r, 50));
          while (down) await new Promise((r) => setTimeout(r, 20));
        }
      }
    };
    const { uploadId } = await call(() => client.send(new InitiateLayerUploadCommand({ repositoryName: "crash" })));
    let acked = 0; // bytes the server acknowledged
    while (acked < layer.byteLength) {
      const first = acked;
      const last = Math.min(first + PART, layer.byteLength) - 1;
      try {
        await call(() =>
          client.send(new UploadLayerPartCommand({ repositoryName: "crash", uploadId, partFirstByte: first, partLastByte: last, layerPartBlob: layer.subarray(first, last + 1) })),
        );
        acked = last + 1;
      } catch (e) {
        const err = e as { name?: string; lastValidByteReceived?: number };
        if (err.name !== "InvalidLayerPartException") throw e;
        // The server lost its answer to a crash, or kept the part: resume from what it has.
        const has = err.lastValidByteReceived! + 1;
        if (has < acked) report.problems.push(`upload ${uploadId} lost acknowledged bytes: has ${has}, ${acked} were acknowledged`);
        if (has > layer.byteLength) report.problems.push(`upload ${uploadId} claims ${has} bytes of a ${layer.byteLength}-byte layer`);
        acked = has;
      }
    }
    try {
      await call(() => client.send(new CompleteLayerUploadCommand({ repositoryName: "crash", uploadId, layerDigests: [sha256(layer)] })));
    } catch (e) {
      // A completion whose answer a crash lost: the upload is gone, and the layer must be there.
      if ((e as { name?: string }).name !== "UploadNotFoundException") throw e;
    }
    completed.set(sha256(layer), layer.byteLength);
    report.pushes++;
    if (crashed) report.resumed++;
  };

  await start();
  const killer = (async () => {
    while (report.kills < opts.kills) {
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 600));
      down = true;
      await kill();
      report.kills++;
      log(`kill ${report.kills}`);
      await start();
      down = false;
    }
  })();
  await Promise.all(
    Array.from({ length: opts.clients }, async () => {
      // At least layersPerClient layers each, and on until every kill has happened.
      for (let i = 0; i < opts.layersPerClient || report.kills < opts.kills; i++) await pushOne(randomBytes(1 + Math.floor(Math.random() * 12 * MiB)));
    }),
  );
  await killer;

  // Every completed layer: available with its size, and its stored bytes hash to its digest.
  const digests = [...completed.keys()];
  for (let i = 0; i < digests.length; i += 100) {
    const check = await client.send(new BatchCheckLayerAvailabilityCommand({ repositoryName: "crash", layerDigests: digests.slice(i, i + 100) }));
    for (const l of check.layers ?? []) {
      if (l.layerAvailability !== "AVAILABLE" || l.layerSize !== completed.get(l.layerDigest!)) report.problems.push(`layer ${l.layerDigest} is ${l.layerAvailability} with size ${l.layerSize}`);
    }
  }
  for (const [digest] of completed) {
    const bytes = readFileSync(join(dataDir, "blobs", REGISTRY, "sha256", digest.slice(7)));
    if (sha256(bytes) !== digest) report.problems.push(`layer ${digest} has bytes hashing to ${sha256(bytes)}`);
    report.verifiedBytes += bytes.byteLength;
  }

  // Once uploads expire, nothing is left over: no upload files, and blobs are exactly the completed layers.
  await kill();
  await start(["--upload-ttl", "0.2"]);
  await new Promise((r) => setTimeout(r, 800));
  const leftovers = readdirSync(join(dataDir, "uploads", REGISTRY));
  if (leftovers.length) report.problems.push(`upload files left after expiry: ${leftovers.join(", ")}`);
  const blobs = readdirSync(join(dataDir, "blobs", REGISTRY, "sha256")).sort();
  const want = digests.map((d) => d.slice(7)).sort();
  if (JSON.stringify(blobs) !== JSON.stringify(want)) report.problems.push(`blobs on disk differ from completed layers: ${blobs.length} vs ${want.length}`);

  client.destroy();
  await kill();
  rmSync(dataDir, { recursive: true, force: true });
  return report;
}

if (require.main === module) {
  const [clients = "6", layers = "5", kills = "8"] = process.argv.slice(2);
  runCrashHarness({ clients: Number(clients), layersPerClient: Number(layers), kills: Number(kills), log: console.log }).then((r) => {
    console.log(`kills ${r.kills}, pushes ${r.pushes}, resumed uploads ${r.resumed}, verified bytes ${r.verifiedBytes}`);
    for (const p of r.problems) console.log(`PROBLEM: ${p}`);
    process.exit(r.problems.length ? 1 : 0);
  });
}
