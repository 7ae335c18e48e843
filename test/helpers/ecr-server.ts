// A real ECR server on 127.0.0.1 (ephemeral port) over a temporary data dir, with an SDK client pointed at it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ECRClient } from "@aws-sdk/client-ecr";
import type { EcrOptions, EcrService } from "../../src/ecr/server";
import { startEcrServer } from "../../src/ecr/start";
import type { ListenOptions } from "../../src/framework/node";
import { ecrClient } from "./ecr-client";

export interface TestEcr {
  url: string;
  client: ECRClient;
  ecr: EcrService;
  dataDir: string;
  /** Stops the server and storage, keeping the data dir. */
  stop(): Promise<void>;
  /** Stops and removes the data dir. */
  close(): Promise<void>;
}

export const REGISTRY = "123456789012";

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), "ecr-test-"));
}

export async function startEcr(options: Partial<EcrOptions> & { listen?: ListenOptions } = {}): Promise<TestEcr> {
  const dataDir = options.dataDir ?? tempDataDir();
  const running = await startEcrServer({ registryId: REGISTRY, region: "us-east-1", fsync: false, ...options, dataDir });
  return {
    url: running.url,
    client: ecrClient(running.url),
    ecr: running.service,
    dataDir,
    stop: () => running.close(),
    async close() {
      await running.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Awaits a promise that must reject, and returns the error. */
export async function failure(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected the call to fail, but it succeeded");
}
