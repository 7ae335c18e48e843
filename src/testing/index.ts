// `ecr-layer-server/testing`: a fresh ECR for each test suite, on an ephemeral port over a temporary data dir.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_ACCOUNT_ID, DEFAULT_REGION } from "../framework/service";
import type { EcrServerOptions, RunningEcrServer } from "../ecr/start";
import { startEcrServer } from "../ecr/start";
import type { ContractKit } from "../contract/kit";

export type { Call, CallMatch, Caller } from "../contract/calls";
export type { FaultEffect, FaultRule, FaultRuleInput, Faults } from "../contract/faults";
export type { BytesSummary, Journal, JournalEntry } from "../contract/journal";
export type { ContractKit } from "../contract/kit";
export type { DiskFaults } from "../contract/disk";
export { assertEveryAttemptSigned, assertPartsResentIdentically, assertResumedWhereTold, attemptsOf } from "./journal-assertions";

export interface TestEcrOptions extends Partial<EcrServerOptions> {
  /** Keep the temporary data dir after close() (for a failed test's post-mortem). A `dataDir` given is always kept. */
  keepData?: boolean;
}

/** What an AWS SDK client (v3 JS: `new ECRClient(clientConfig)`) needs to talk to the server. */
export interface EcrClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export interface TestEcr extends RunningEcrServer {
  /** `host:port`, for `docker login` and image references (`<host>/<repository>:<tag>`). */
  host: string;
  registryId: string;
  region: string;
  dataDir: string;
  clientConfig: EcrClientConfig;
  /** Stops the server (requests in flight are cut off after `graceMs`, 0 by default) and removes its temporary data dir. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Starts an ECR on 127.0.0.1 and an ephemeral port over a new temporary data dir, without fsync (a test run needs no
 * durability across power loss; everything else behaves as in production).
 */
export async function startTestEcr(options: TestEcrOptions = {}): Promise<TestEcr> {
  const { keepData = false, ...rest } = options;
  const dataDir = rest.dataDir ?? mkdtempSync(join(tmpdir(), "ecr-test-"));
  // Only the folder made here is ever removed.
  const removeData = !keepData && rest.dataDir === undefined;
  const registryId = rest.registryId ?? DEFAULT_ACCOUNT_ID;
  const region = rest.region ?? DEFAULT_REGION;
  let running: RunningEcrServer;
  try {
    running = await startEcrServer({ fsync: false, ...rest, registryId, region, dataDir, listen: { host: "127.0.0.1", port: 0, ...rest.listen } });
  } catch (e) {
    if (removeData) rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  const signing = rest.auth?.mode === "sigv4" ? Object.entries(rest.auth.credentials)[0] : undefined;
  const credentials = signing
    ? { accessKeyId: signing[0], secretAccessKey: signing[1].secretAccessKey, ...(signing[1].sessionToken ? { sessionToken: signing[1].sessionToken } : {}) }
    : // Without auth any credentials do; SDKs insist on having some.
      { accessKeyId: "test", secretAccessKey: "test" };
  return {
    ...running,
    host: new URL(running.url).host,
    registryId,
    region,
    dataDir,
    clientConfig: { endpoint: running.url, region, credentials },
    async close(graceMs = 0) {
      await running.close(graceMs);
      if (removeData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A test ECR with the contract-testing kit at hand. */
export interface ContractEcr extends TestEcr {
  contract: ContractKit;
  /** Fault rules: `faults.add({ match, effect, skip, times })`. */
  faults: ContractKit["faults"];
  /** Every request, API and registry protocol: `journal.entries({ operation: "UploadLayerPart" })`. */
  journal: ContractKit["journal"];
  /** The store's disk: `disk.failNextWrite()`. */
  disk: ContractKit["disk"];
}

/** startTestEcr with the contract-testing kit (fault rules and a request journal). */
export async function startContractEcr(options: TestEcrOptions = {}): Promise<ContractEcr> {
  const ecr = await startTestEcr({ ...options, contract: options.contract || true });
  const contract = ecr.service.contract!;
  return Object.assign(ecr, { contract, faults: contract.faults, journal: contract.journal, disk: contract.disk });
}
