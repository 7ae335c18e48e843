// One call from options to a listening ECR: the API, the registry protocol and layer downloads on one node:http port.
import type { Server } from "node:http";
import { listen, type ListenOptions } from "../framework";
import { createEcrService, type EcrOptions, type EcrService } from "./server";

export interface EcrServerOptions extends EcrOptions {
  /** Where and how to listen; 127.0.0.1 on an ephemeral port by default. */
  listen?: ListenOptions;
}

export interface RunningEcrServer {
  /** e.g. http://127.0.0.1:43117: the SDKs' endpoint, and `<host:port>` of it for `docker login`. */
  url: string;
  server: Server;
  service: EcrService;
  /**
   * Stops accepting, lets requests in flight finish (cut off after `graceMs`, when given), then closes storage. The
   * data dir stays.
   */
  close(graceMs?: number): Promise<void>;
}

export async function startEcrServer(options: EcrServerOptions): Promise<RunningEcrServer> {
  const { listen: listenOptions, ...ecrOptions } = options;
  const service = await createEcrService(ecrOptions);
  let running;
  try {
    running = await listen(service.listener, listenOptions);
  } catch (e) {
    await service.close();
    throw e;
  }
  let closing: Promise<void> | undefined;
  const close = async (graceMs?: number) => {
    // A latency rule's pause would hold a request (and so the stop) past the grace period.
    service.contract?.cancelWaits();
    await running.close(graceMs);
    await service.handler.idle();
    await service.close();
  };
  return { url: running.url, server: running.server, service, close: (graceMs) => (closing ??= close(graceMs)) };
}
