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

/** A scanner that runs `argv` (a program and its first arguments) on each image. */
export function commandScanner(argv: readonly string[]): Scanner {
  if (!argv.length) throw new Error("the scanner command is empty");
  return (target, signal) =>
    new Promise<ScanReport>((resolve, reject) => {
      const child = spawn(argv[0], [...argv.slice(1), target.layoutDir], {
        stdio: ["ignore", "pipe", "pipe"],
        signal,
        env: { ...process.env, ECR_SCAN_REGISTRY_ID: target.registryId, ECR_SCAN_REPOSITORY: target.repositoryName, ECR_SCAN_IMAGE_DIGEST: target.imageDigest },
      });
      const out: Buffer[] = [];
      let outBytes = 0;
      let err = "";
      let tooBig = false;
      child.stdout.on("data", (chunk: Buffer) => {
        outBytes += chunk.byteLength;
        if (outBytes > MAX_REPORT_BYTES) {
          tooBig = true;
          child.kill("SIGKILL");
        } else out.push(chunk);
      });
      // Only the end of stderr matters: its last line is the reason a scan failed.
      child.stderr.on("data", (chunk: Buffer) => (err = (err + chunk.toString("utf8")).slice(-4096)));
      child.on("error", (e: NodeJS.ErrnoException) => {
        if (e.name === "AbortError") reject(e);
        else reject(new ScanFailure(`The scanner could not be started: ${e.code ?? e.message}`));
      });
      child.on("close", (code, sig) => {
        if (signal.aborted) return reject(signal.reason);
        if (tooBig) return reject(new ScanFailure(`The scanner's report is larger than ${MAX_REPORT_BYTES} bytes`));
        if (code !== 0) {
          const last = err.trim().split("\n").pop()?.trim();
          const how = sig ? `was stopped by ${sig}` : `exited with status ${code}`;
          return reject(new ScanFailure(`The scanner ${how}${last ? `: ${last}` : ""}`.slice(0, MAX_REASON)));
        }
        let report: unknown;
        try {
          report = JSON.parse(Buffer.concat(out).toString("utf8"));
        } catch {
          return reject(new ScanFailure("The scanner's report is not JSON"));
        }
        // Checked, as any scanner's report is, by the scan that asked.
        resolve(report as ScanReport);
      });
    });
}
