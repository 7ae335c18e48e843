// The pluggable scanner: a function given one image as an OCI image layout, answering its findings. The command
// scanner runs a program for it (`--scanner`): the layout's directory is its last argument, the image is named in
// ECR_SCAN_REGISTRY_ID, ECR_SCAN_REPOSITORY and ECR_SCAN_IMAGE_DIGEST, and it prints one JSON report on stdout and
// exits 0; any other exit fails the scan with stderr's last line as the reason. The report is checked before a
// finding of it is stored.
import { spawn } from "node:child_process";
import Ajv from "ajv";

export interface ScanTarget {
  registryId: string;
  repositoryName: string;
  imageDigest: string;
  /** An OCI image layout holding this image alone, tagged with its digest; removed once the scan ends. */
  layoutDir: string;
}

export interface ScanFinding {
  name: string;
  severity: "INFORMATIONAL" | "LOW" | "MEDIUM" | "HIGH" | "CRITICAL" | "UNDEFINED";
  description?: string;
  uri?: string;
  attributes?: { key: string; value?: string }[];
}

/** A scanner's answer: the findings (and when its vulnerability data was last updated), or why it cannot scan the image. */
export type ScanReport = { findings: ScanFinding[]; vulnerabilitySourceUpdatedAt?: string } | { unsupported: string };

/** Scans one image; rejects (with a reason worth showing) when the scan failed. Stops when `signal` aborts. */
export type Scanner = (target: ScanTarget, signal: AbortSignal) => Promise<ScanReport>;

/** A scan that failed, with the reason its status shows. */
export class ScanFailure extends Error {}

/** At most this many findings per image are kept. */
export const MAX_FINDINGS = 100_000;

const FINDING = {
  type: "object",
  required: ["name", "severity"],
  additionalProperties: false,
  properties: {
    name: { type: "string", minLength: 1, maxLength: 1024 },
    severity: { enum: ["INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL", "UNDEFINED"] },
    description: { type: "string", maxLength: 65536 },
    uri: { type: "string", maxLength: 2048 },
    // AWS's Attribute shape: at most 50, keys 1 to 128 characters, values 1 to 256.
    attributes: {
      type: "array",
      maxItems: 50,
      items: {
        type: "object",
        required: ["key"],
        additionalProperties: false,
        properties: { key: { type: "string", minLength: 1, maxLength: 128 }, value: { type: "string", minLength: 1, maxLength: 256 } },
      },
    },
  },
};
const REPORT = {
  oneOf: [
    {
      type: "object",
      required: ["findings"],
      additionalProperties: false,
      properties: { findings: { type: "array", maxItems: MAX_FINDINGS, items: FINDING }, vulnerabilitySourceUpdatedAt: { type: "string", format: "date-time" } },
    },
    { type: "object", required: ["unsupported"], additionalProperties: false, properties: { unsupported: { type: "string", minLength: 1, maxLength: 512 } } },
  ],
};

let validate: ((value: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null } | undefined;

/** The report a scanner gave, checked; a ScanFailure naming the first problem otherwise. */
export function checkReport(value: unknown): ScanReport {
  validate ??= new Ajv({ allErrors: false, formats: { "date-time": (s: string) => !Number.isNaN(Date.parse(s)) } }).compile(REPORT);
  if (validate(value)) return value as ScanReport;
  const e = validate.errors?.[0];
  throw new ScanFailure(`The scanner's report is not valid: ${e ? `${e.instancePath || "report"} ${e.message}` : "unreadable"}`);
}

/** Reports bigger than this fail the scan (the findings limit with room to spare). */
const MAX_REPORT_BYTES = 64 * 1024 * 1024;
const MAX_REASON = 512;

/** After the scanner exits, how long its output may still come (from a child it left holding the pipes). */
const AFTER_EXIT_MS = 1000;
/** After SIGTERM, how long a scanner has before SIGKILL. */
const KILL_GRACE_MS = 2000;

/**
 * A scanner that runs `argv` (a program and its first arguments) on each image. It runs in its own process group, so
 * that stopping it (abort, timeout) stops whatever it started too: SIGTERM, then SIGKILL. The scan ends when the
 * program exits, whatever its children do; they are killed then.
 */
export function commandScanner(argv: readonly string[]): Scanner {
  if (!argv.length) throw new Error("the scanner command is empty");
  return (target, signal) =>
    new Promise<ScanReport>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const child = spawn(argv[0], [...argv.slice(1), target.layoutDir], {
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
        env: { ...process.env, ECR_SCAN_REGISTRY_ID: target.registryId, ECR_SCAN_REPOSITORY: target.repositoryName, ECR_SCAN_IMAGE_DIGEST: target.imageDigest },
      });
      const killGroup = (sig: NodeJS.Signals) => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, sig);
        } catch {
          // The group is gone already.
        }
      };
      const out: Buffer[] = [];
      let outBytes = 0;
      let err = "";
      let tooBig = false;
      let exit: { code: number | null; sig: NodeJS.Signals | null } | undefined;
      let settled = false;
      let afterExit: NodeJS.Timeout | undefined;
      const settle = (answer: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(afterExit);
        signal.removeEventListener("abort", onAbort);
        child.stdout.destroy();
        child.stderr.destroy();
        answer();
      };
      const onAbort = () => {
        killGroup("SIGTERM");
        setTimeout(() => killGroup("SIGKILL"), KILL_GRACE_MS).unref();
        settle(() => reject(signal.reason));
      };
      signal.addEventListener("abort", onAbort, { once: true });
      child.stdout.on("data", (chunk: Buffer) => {
        outBytes += chunk.byteLength;
        if (outBytes <= MAX_REPORT_BYTES) return void out.push(chunk);
        tooBig = true;
        killGroup("SIGKILL");
      });
      // Only the end of stderr matters: its last line is the reason a scan failed.
      child.stderr.on("data", (chunk: Buffer) => (err = (err + chunk.toString("utf8")).slice(-4096)));
      child.on("error", (e: NodeJS.ErrnoException) => settle(() => reject(new ScanFailure(`The scanner could not be started: ${e.code ?? e.message}`))));
      const done = () =>
        settle(() => {
          // Whatever the scanner left running is of no use now.
          killGroup("SIGKILL");
          if (tooBig) return reject(new ScanFailure(`The scanner's report is larger than ${MAX_REPORT_BYTES} bytes`));
          const { code, sig } = exit!;
          if (code !== 0) {
            const last = err.trim().split("\n").pop()?.trim();
            const how = sig ? `was stopped by ${sig}` : `exited with status ${code}`;
            return reject(new ScanFailure(`The scanner ${how}${last ? `: ${last}` : ""}`.slice(0, MAX_REASON)));
          }
          try {
            // Checked, as any scanner's report is, by the scan that asked.
            resolve(JSON.parse(Buffer.concat(out).toString("utf8")) as ScanReport);
          } catch {
            reject(new ScanFailure("The scanner's report is not JSON"));
          }
        });
      child.on("exit", (code, sig) => {
        exit = { code, sig };
        // Normally 'close' follows at once; a child left holding the pipes must not hold the scan.
        afterExit = setTimeout(done, AFTER_EXIT_MS);
      });
      child.on("close", () => {
        if (exit) done();
      });
    });
}
