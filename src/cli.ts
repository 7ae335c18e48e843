#!/usr/bin/env node
// `ecr-layer-server` (`npm start` in a clone): serves ECR on 127.0.0.1 until SIGINT or SIGTERM. `ecr-layer-server fsck`
// checks a data dir offline.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import pino from "pino";
import SonicBoom from "sonic-boom";
import { DEFAULT_JOURNAL_SIZE } from "./contract/journal";
import { commandScanner } from "./ecr/scanning/scanner";
import { startEcrServer } from "./ecr/start";
import { fsck } from "./storage/embedded/fsck";
import { EmbeddedStore } from "./storage/embedded/store";

const USAGE = `usage: ecr-layer-server [--host H] [--port P] [--data-dir D] [--registry-id ID] [--region R]
                    [--replica-region R]...
                    [--repository NAME]... [--upload-ttl SECONDS] [--no-fsync] [--auth none|sigv4 --credentials FILE]
                    [--headers-timeout SECONDS] [--request-timeout SECONDS] [--body-idle-timeout SECONDS]
                    [--shutdown-grace SECONDS]
                    [--part-size BYTES] [--download-url-ttl SECONDS] [--registry-host HOST[:PORT]]
                    [--lifecycle-interval SECONDS] [--blob-mounting] [--archive-restore SECONDS]
                    [--scanner COMMAND [--scan-timeout SECONDS]]
                    [--upstream HOST=URL]... [--upstream-secrets FILE] [--upstream-refresh SECONDS]
                    [--contract-control [--journal-size N]]
Flags may also come from the environment: ECR_HOST, ECR_PORT, ECR_DATA_DIR, ECR_REGISTRY_ID, ECR_REGION,
ECR_REPLICA_REGIONS and ECR_REPOSITORIES (comma-separated), ECR_UPLOAD_TTL, ECR_FSYNC=false, ECR_AUTH, ECR_CREDENTIALS, ECR_HEADERS_TIMEOUT,
ECR_REQUEST_TIMEOUT, ECR_BODY_IDLE_TIMEOUT, ECR_SHUTDOWN_GRACE, ECR_PART_SIZE, ECR_DOWNLOAD_URL_TTL, ECR_REGISTRY_HOST,
ECR_LIFECYCLE_INTERVAL (how often lifecycle policies are evaluated; default 3600), ECR_BLOB_MOUNTING=true,
ECR_ARCHIVE_RESTORE (how long restoring an archived image takes; default 10), ECR_SCANNER, ECR_SCAN_TIMEOUT (default 600),
ECR_CONTRACT_CONTROL=true,
ECR_JOURNAL_SIZE.
--scanner runs COMMAND (a program and arguments, split at spaces) to scan an image: the last argument is an OCI image
layout of the image; it prints {"findings": [{"name", "severity", "description", "uri", "attributes"}],
"vulnerabilitySourceUpdatedAt"} or {"unsupported": "why"} and exits 0 (see the README). Without it scans fail, saying so.
--replica-region holds another region beside --region: its own registries, stored under <data-dir>/regions/<region>,
served to clients configured for that region; images replicate to it.
--upstream maps an upstream registry host that pull through cache rules may name to the URL it is really reached at
(e.g. registry-1.docker.io=http://127.0.0.1:5000); other hosts are reached over https, and rules may name only ECR's
supported upstreams or a mapped host. --upstream-secrets names a JSON file standing in for Secrets Manager:
{"<secret ARN>": {"username": "...", "accessToken": "..."}}. A cached tag is checked upstream again when pulled
--upstream-refresh seconds after its last check (default 86400). Also ECR_UPSTREAMS (comma-separated),
ECR_UPSTREAM_SECRETS, ECR_UPSTREAM_REFRESH.
--contract-control serves the contract-testing kit (fault rules, request journal) over HTTP under /__contract/, with
no authentication: for test servers only. The journal keeps the last --journal-size requests (default 1000).
       ecr-layer-server fsck [--data-dir D]   re-hashes every layer and checks every record against the bytes (server stopped)
--credentials names a JSON file: {"<access key id>": {"secretAccessKey": "...", "accountId": "123456789012",
"sessionToken": "..." (optional), "principalArn": "arn:aws:iam::123456789012:user/ci" (optional; the account's root
otherwise: whom policies and pull time update exclusions name)}}.`;

async function main(): Promise<void> {
  const env = process.env;
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      host: { type: "string", default: env.ECR_HOST ?? "127.0.0.1" },
      port: { type: "string", default: env.ECR_PORT ?? "8787" },
      "data-dir": { type: "string", default: env.ECR_DATA_DIR ?? "data" },
      "registry-id": { type: "string", default: env.ECR_REGISTRY_ID ?? "000000000000" },
      region: { type: "string", default: env.ECR_REGION ?? "us-east-1" },
      "replica-region": { type: "string", multiple: true, default: env.ECR_REPLICA_REGIONS ? env.ECR_REPLICA_REGIONS.split(",") : [] },
      repository: { type: "string", multiple: true, default: env.ECR_REPOSITORIES ? env.ECR_REPOSITORIES.split(",") : [] },
      "upload-ttl": { type: "string", default: env.ECR_UPLOAD_TTL ?? String(24 * 60 * 60) },
      "no-fsync": { type: "boolean", default: env.ECR_FSYNC === "false" },
      auth: { type: "string", default: env.ECR_AUTH ?? "none" },
      credentials: { type: "string", default: env.ECR_CREDENTIALS },
      "headers-timeout": { type: "string", default: env.ECR_HEADERS_TIMEOUT ?? "60" },
      "request-timeout": { type: "string", default: env.ECR_REQUEST_TIMEOUT ?? "300" },
      "body-idle-timeout": { type: "string", default: env.ECR_BODY_IDLE_TIMEOUT ?? "20" },
      "shutdown-grace": { type: "string", default: env.ECR_SHUTDOWN_GRACE ?? "10" },
      "part-size": { type: "string", default: env.ECR_PART_SIZE ?? String(10 * 1024 * 1024) },
      "download-url-ttl": { type: "string", default: env.ECR_DOWNLOAD_URL_TTL ?? "3600" },
      "lifecycle-interval": { type: "string", default: env.ECR_LIFECYCLE_INTERVAL ?? "3600" },
      "registry-host": { type: "string", default: env.ECR_REGISTRY_HOST },
      "blob-mounting": { type: "boolean", default: env.ECR_BLOB_MOUNTING === "true" },
      "archive-restore": { type: "string", default: env.ECR_ARCHIVE_RESTORE ?? "10" },
      scanner: { type: "string", default: env.ECR_SCANNER },
      "scan-timeout": { type: "string", default: env.ECR_SCAN_TIMEOUT ?? "600" },
      upstream: { type: "string", multiple: true, default: env.ECR_UPSTREAMS ? env.ECR_UPSTREAMS.split(",") : [] },
      "upstream-secrets": { type: "string", default: env.ECR_UPSTREAM_SECRETS },
      "upstream-refresh": { type: "string", default: env.ECR_UPSTREAM_REFRESH ?? String(24 * 60 * 60) },
      "contract-control": { type: "boolean", default: env.ECR_CONTRACT_CONTROL === "true" },
      "journal-size": { type: "string", default: env.ECR_JOURNAL_SIZE ?? String(DEFAULT_JOURNAL_SIZE) },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (positionals.length > 1 || (positionals.length === 1 && positionals[0] !== "fsck")) throw new UsageError(`unknown command ${positionals.join(" ")}`);
  if (positionals[0] === "fsck") return check(resolve(values["data-dir"]!), !values["no-fsync"]);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, not ${values.port}`);
  if (!/^[0-9]{12}$/.test(values["registry-id"]!)) throw new UsageError(`--registry-id must be 12 digits, not ${values["registry-id"]}`);
  const ttl = Number(values["upload-ttl"]);
  if (!(ttl > 0)) throw new UsageError(`--upload-ttl must be a positive number of seconds, not ${values["upload-ttl"]}`);

  for (const r of [values.region!, ...values["replica-region"]!]) if (!/^[0-9a-z-]{2,25}$/.test(r)) throw new UsageError(`a region is 2-25 of a-z, 0-9 and -, not ${r}`);
  if (values.auth !== "none" && values.auth !== "sigv4") throw new UsageError(`--auth must be none or sigv4, not ${values.auth}`);
  if (values.auth === "sigv4" && !values.credentials) throw new UsageError("--auth sigv4 needs --credentials FILE");
  const auth =
    values.auth === "sigv4" ? { mode: "sigv4" as const, credentials: JSON.parse(readFileSync(values.credentials!, "utf8")) } : { mode: "none" as const };

  const journalSize = Number(values["journal-size"]);
  if (values["contract-control"] && (!Number.isInteger(journalSize) || journalSize < 1 || journalSize > 1_000_000)) throw new UsageError(`--journal-size must be 1-1000000, not ${values["journal-size"]}`);

  const logs = logDestination();
  const logger = pino({ level: env.LOG_LEVEL ?? "info" }, logs);
  const running = await startEcrServer({
    registryId: values["registry-id"],
    region: values.region,
    regions: values["replica-region"],
    dataDir: resolve(values["data-dir"]!),
    fsync: !values["no-fsync"],
    settings: {
      uploadTtlMs: ttl * 1000,
      partSize: Math.round(seconds(values["part-size"]!, "--part-size")),
      downloadUrlTtlMs: seconds(values["download-url-ttl"]!, "--download-url-ttl") * 1000,
      lifecycleIntervalMs: seconds(values["lifecycle-interval"]!, "--lifecycle-interval") * 1000,
      blobMounting: values["blob-mounting"]!,
      archiveRestoreMs: seconds(values["archive-restore"]!, "--archive-restore") * 1000,
      scanTimeoutMs: seconds(values["scan-timeout"]!, "--scan-timeout") * 1000,
      upstreams: upstreams(values.upstream!),
      upstreamSecrets: values["upstream-secrets"] ? upstreamSecrets(values["upstream-secrets"]) : {},
      upstreamRefreshMs: seconds(values["upstream-refresh"]!, "--upstream-refresh") * 1000,
      ...(values["registry-host"] ? { registryHost: hostPort(values["registry-host"]) } : {}),
    },
    repositories: values.repository,
    ...(values.scanner ? { scanner: commandScanner(values.scanner.split(/\s+/).filter(Boolean)) } : {}),
    ...(values["contract-control"] ? { contract: { control: true, journalSize } } : {}),
    bodyIdleTimeoutMs: seconds(values["body-idle-timeout"]!, "--body-idle-timeout") * 1000,
    auth,
    logger,
    listen: {
      host: values.host,
      port,
      headersTimeoutMs: seconds(values["headers-timeout"]!, "--headers-timeout") * 1000,
      requestTimeoutMs: seconds(values["request-timeout"]!, "--request-timeout") * 1000,
    },
  });
  const grace = seconds(values["shutdown-grace"]!, "--shutdown-grace");
  // Before the line tools wait for, so that it is there when they read on.
  if (values["contract-control"]) console.log(`contract-testing control route at ${running.url}/__contract/ (no authentication: for tests only)`);
  console.log(`ECR API listening on ${running.url} (registry protocol at ${running.url}/v2/)`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping: finishing requests in flight");
    // Whatever holds the stop up (a handler that never returns, storage that does not close), the process ends.
    setTimeout(() => process.exit(1), grace * 1000 + 5000).unref();
    // Requests in flight may finish within the grace period; then their connections are cut, and their parts roll back.
    running
      .close(grace * 1000)
      .then(() => flushLogs(logs, 500))
      .then(
        () => process.exit(0),
        (e) => {
          logger.error({ err: e }, "stop failed");
          process.exit(1);
        },
      );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

/**
 * Where log lines go: stdout, written in the background. Logging never blocks serving or stopping: lines a full pipe
 * cannot take are dropped past 8 MiB, and a pipe whose reader has gone (EPIPE) just ends the logging. (pino's own
 * destination flushes synchronously at exit, which never returns on a full pipe.)
 */
function logDestination(): SonicBoom {
  for (const stream of [process.stdout, process.stderr]) stream.on("error", () => undefined);
  const logs = new SonicBoom({ fd: 1, sync: false, maxLength: 8 << 20, retryEAGAIN: () => false });
  logs.on("error", () => undefined);
  return logs;
}

/** Waits for buffered log lines to be written, at most `ms`. */
function flushLogs(logs: SonicBoom, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    try {
      logs.flush(() => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

/** Checks a data dir; exits 1 when it found a problem. */
async function check(dataDir: string, fsync: boolean): Promise<void> {
  const store = await EmbeddedStore.open({ dataDir, fsync, log: (msg, fields) => console.log(`${msg} ${JSON.stringify(fields ?? {})}`) });
  try {
    const r = await fsck(store, (line) => console.log(line));
    console.log(`fsck ${dataDir}: ${r.blobs} layers (${r.blobBytes} bytes re-hashed), ${r.uploads} uploads, ${r.images} images: ${r.problems.length} problem(s)`);
    if (r.problems.length) process.exitCode = 1;
  } finally {
    await store.close();
  }
}

class UsageError extends Error {}

/** A `host[:port]` for repository URIs. */
/** `--upstream host=url`, each a registry host and the http(s) base URL it is reached at. */
function upstreams(values: string[]): Record<string, string> {
  const mapped: Record<string, string> = {};
  for (const value of values) {
    const [host, url] = [value.slice(0, value.indexOf("=")), value.slice(value.indexOf("=") + 1)];
    if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(host) || !/^https?:\/\/[^/\s]+\/?$/.test(url)) throw new UsageError(`--upstream must be HOST=http(s)://HOST[:PORT], not ${value}`);
    mapped[host.toLowerCase()] = url;
  }
  return mapped;
}

/** The --upstream-secrets file: secret ARNs and the credentials each holds. */
function upstreamSecrets(file: string): Record<string, { username: string; accessToken: string }> {
  const parsed = JSON.parse(readFileSync(file, "utf8")) as unknown;
  const ok = (v: unknown): v is { username: string; accessToken: string } =>
    typeof v === "object" && v !== null && typeof (v as { username?: unknown }).username === "string" && typeof (v as { accessToken?: unknown }).accessToken === "string";
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed) || !Object.values(parsed).every(ok)) {
    throw new UsageError(`--upstream-secrets must name a JSON object of {"<secret ARN>": {"username": "...", "accessToken": "..."}}`);
  }
  return parsed as Record<string, { username: string; accessToken: string }>;
}

function hostPort(value: string): string {
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(value)) throw new UsageError(`--registry-host must be host or host:port, not ${value}`);
  return value;
}

/** A positive number from a flag (seconds or bytes). */
function seconds(value: string, flag: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new UsageError(`${flag} must be a positive number, not ${value}`);
  return n;
}

main().catch((e) => {
  console.error(`ecr-layer-server: ${(e as Error).message}`);
  if (e instanceof UsageError) console.error(USAGE);
  process.exit(2);
});
