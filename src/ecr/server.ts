// Assembles the ECR service: the generated definition, the hand-written handlers, storage, and the upload sweeper.
import type { RequestListener } from "node:http";
import { join } from "node:path";
import { HttpRequest } from "@smithy/protocol-http";
import type { Logger } from "pino";
import { ServerException } from "../../generated/errors";
import { createServiceHandler } from "../../generated/service";
import { createRequestListener, type RequestContext, type ServiceHandler } from "../framework";
import { sigv4Authenticator, type Credential } from "../framework/auth/sigv4";
import { DEFAULT_ACCOUNT_ID, DEFAULT_REGION } from "../framework/service";
import { EmbeddedStore } from "../storage/embedded/store";
import type { RegistryStore } from "../storage/types";
import { DownloadUrls } from "./download-urls";
import { invalidParameter } from "./errors";
import { createDownloadListener } from "./downloads";
import { handlers } from "./handlers";
import type { Context } from "./handlers/context";
import { DEFAULT_SETTINGS, type EcrSettings } from "./settings";
import { KeyedLock } from "./keyed-lock";
import { RegistryPasswords } from "./registry-passwords";
import { UploadSessions } from "./upload-sessions";
import { LifecycleEvaluator, timerSchedule, type Schedule } from "./lifecycle/scheduler";
import { LifecyclePreviews } from "./lifecycle/previews";
import { authorize, PolicyCache } from "./policies/access";
import { createRegistryListener, type SharedContext } from "../registry/listener";
import { ContractKit } from "../contract/kit";
import { CONTROL_PREFIX, createControlListener } from "../contract/control-route";
import { definition } from "../../generated/service";
import { ecrErrorFields } from "./contract-fields";
import type { Scanner } from "./scanning/scanner";
import { ImageScans } from "./scanning/scans";
import { Replications } from "./replication/replications";
import { Regions, requestRegion } from "./regions";

export interface EcrOptions {
  /** The registry (account) id requests belong to. */
  registryId?: string;
  /** The region requests are served in (us-east-1 by default). */
  region?: string;
  /**
   * Further regions this server holds, each with its own registries and storage (under `<dataDir>/regions/<region>`):
   * replication destinations, served to clients configured for that region (by the region a request is signed for, or
   * a registry host naming it).
   */
  regions?: string[];
  dataDir: string;
  /** fsync before acknowledging (default true); off only for fast test runs. */
  fsync?: boolean;
  settings?: Partial<EcrSettings>;
  /** Repositories to create at start-up when missing: in the registry, or with sigv4 in each configured account's. */
  repositories?: string[];
  maxBodyBytes?: number;
  maxBodyValues?: number;
  maxBodiesInFlight?: number;
  maxBodiesPerCaller?: number;
  bodyIdleTimeoutMs?: number;
  /** `none` (the default): any request, signed or not, is the default registry's. `sigv4`: requests must be signed. */
  auth?: { mode: "none" } | { mode: "sigv4"; credentials: Record<string, Credential> };
  logger?: Logger;
  /** Epoch milliseconds; for tests. */
  now?: () => number;
  /** Another storage (a networked one, or one that injects faults); the embedded store in dataDir by default. */
  store?: RegistryStore;
  /** Scans images (StartImageScan, scan on push); none by default, and scans then fail saying so. */
  scanner?: Scanner;
  /** How the lifecycle evaluation is scheduled; timers by default. A test passes one that it runs by hand. */
  schedule?: Schedule;
  /**
   * The contract-testing kit: fault rules and a request journal (`service.contract`). `control` also serves it over
   * HTTP under /__contract/ (never without it).
   */
  contract?: boolean | ContractOptions;
}

export interface ContractOptions {
  /** Journal entries kept; default 1,000. */
  journalSize?: number;
  /** Serve the kit over HTTP under /__contract/ (for servers driven from other languages). */
  control?: boolean;
}

export interface EcrService {
  /** The API alone (POST /). */
  handler: ServiceHandler;
  /** The API, the registry protocol (/v2/) and the layer download endpoint, for node:http. */
  listener: RequestListener;
  store: RegistryStore;
  settings: EcrSettings;
  /** The contract-testing kit, when the service was created with `contract`. */
  contract?: ContractKit;
  /** Evaluates the lifecycle policies that are due now (the schedule does this on its own); how many images expired. */
  runLifecycle(): Promise<number>;
  /** Resolves once no image scan is queued or running. */
  scansIdle(): Promise<void>;
  /** Resolves once no image copy (replication) is queued or running, in any region. */
  replicationsIdle(): Promise<void>;
  /** The services of the further regions the server holds, by region. */
  regions: ReadonlyMap<string, EcrService>;
  /** Stops the sweeper and closes storage (after the HTTP server stopped). */
  close(): Promise<void>;
}

export async function createEcrService(options: EcrOptions): Promise<EcrService> {
  const held = new Regions();
  const primary = await createRegionService(options, held);
  const others = new Map<string, RegionService>();
  const closeAll = async () => {
    // No copy may still be writing into a region whose storage closes.
    await Promise.all([primary, ...others.values()].map((s) => s.stopBackground()));
    for (const s of others.values()) {
      await s.handler.idle();
      await s.close();
    }
    await primary.close();
  };
  try {
    for (const region of new Set(options.regions ?? [])) {
      if (region === primary.region || others.has(region)) continue;
      // The contract kit and start-up repositories are the primary region's.
      const regionOptions = { ...options, region, regions: [], dataDir: join(options.dataDir, "regions", region), store: undefined, contract: undefined, repositories: [] };
      others.set(region, await createRegionService(regionOptions, held));
    }
  } catch (e) {
    await closeAll();
    throw e;
  }
  // Copies left under way resume once every destination is held.
  for (const s of [primary, ...others.values()]) s.startBackground();
  // What embedders see: the service, not the region plumbing.
  const { region: _region, startBackground: _start, stopBackground: _stop, ...service } = primary;
  if (!others.size) return { ...service, close: closeAll };
  return {
    ...service,
    listener: (req, res) => (others.get(requestRegion(req) ?? "") ?? primary).listener(req, res),
    runLifecycle: async () => {
      let n = 0;
      for (const s of [primary, ...others.values()]) n += await s.runLifecycle();
      return n;
    },
    scansIdle: async () => void (await Promise.all([primary, ...others.values()].map((s) => s.scansIdle()))),
    replicationsIdle: async () => {
      // One pass suffices: what arrives in a region is never copied on, so no queue refills another.
      for (const s of [primary, ...others.values()]) await s.replicationsIdle();
    },
    regions: others,
    close: closeAll,
  };
}

interface RegionService extends EcrService {
  region: string;
  /** Starts the background work that may reach other regions (copies left under way). */
  startBackground(): void;
  /** Stops the background work (scans, copies); what is under way resumes at the next start. */
  stopBackground(): Promise<void>;
}

/** One region's service: its storage, handlers, registry protocol and background work. */
async function createRegionService(options: EcrOptions, held: Regions): Promise<RegionService> {
  const region = options.region ?? DEFAULT_REGION;
  const settings = { ...DEFAULT_SETTINGS, ...options.settings };
  const now = options.now ?? Date.now;
  const log = options.logger;
  const contractOptions = options.contract === true ? {} : options.contract || undefined;
  const contract = contractOptions ? new ContractKit({ definition, journalSize: contractOptions.journalSize, errorFields: ecrErrorFields }) : undefined;
  const store =
    options.store ??
    (await EmbeddedStore.open({
      dataDir: options.dataDir,
      fsync: options.fsync ?? true,
      log: (msg, fields) => log?.warn(fields ?? {}, msg),
      ...(contract ? { io: contract.disk.io } : {}),
    }));
  const sessions = new UploadSessions(store);
  const repositoryLocks = new KeyedLock();
  const secret = await store.signingKey();
  const downloads = new DownloadUrls(secret, settings.downloadUrlTtlMs, now, region);
  const registryPasswords = new RegistryPasswords(secret, now, region);
  const lifecyclePreviews = new LifecyclePreviews();
  const policies = new PolicyCache();
  const scans = new ImageScans(store, options.scanner, join(options.dataDir, "scan-layouts"), settings.scanTimeoutMs, now, (fields, msg) => log?.info(fields, msg));
  const replications = new Replications(store, held, (fields, msg) => log?.info(fields, msg));
  const shared: SharedContext = { store, sessions, repositoryLocks, downloads, registryPasswords, settings, now, lifecyclePreviews, policies, scans, replications };
  held.hold(region, shared);
  const serviceOptions = {
    accountId: options.registryId,
    region: options.region,
    maxBodyBytes: options.maxBodyBytes,
    maxBodyValues: options.maxBodyValues,
    maxBodiesInFlight: options.maxBodiesInFlight,
    maxBodiesPerCaller: options.maxBodiesPerCaller,
    bodyIdleTimeoutMs: options.bodyIdleTimeoutMs,
    logger: options.logger,
    // ECR's own server error, which SDKs know and retry; what went wrong stays in the log.
    internalError: () => new ServerException({ message: "The server failed to process the request; it may be retried" }),
    constraintError: invalidParameter,
    // Object.assign onto the per-request object: on Node 20 a spread followed by more properties costs microseconds.
    context: (base: RequestContext) => Object.assign(base, shared),
    authorize,
    ...(contract ? { hooks: contract.apiHooks } : {}),
  };
  const handler = createServiceHandler<Context>(handlers, {
    ...serviceOptions,
    ...(options.auth?.mode === "sigv4"
      ? { authenticator: sigv4Authenticator({ service: "ecr", region: options.region ?? DEFAULT_REGION, credentials: options.auth.credentials, now }) }
      : {}),
  });
  const api = createRequestListener(handler);
  const download = createDownloadListener(store, downloads, log);
  const registry = createRegistryListener({
    shared,
    accountId: options.registryId ?? DEFAULT_ACCOUNT_ID,
    region: options.region ?? DEFAULT_REGION,
    requireLogin: options.auth?.mode === "sigv4",
    logger: log,
    maxBodiesInFlight: options.maxBodiesInFlight,
    maxBodiesPerCaller: options.maxBodiesPerCaller,
    bodyIdleTimeoutMs: options.bodyIdleTimeoutMs,
    ...(contract ? { hooks: contract.registryHooks } : {}),
  });
  const control = contract && contractOptions?.control ? createControlListener(contract) : undefined;
  // One port: the API at POST /, the registry protocol under /v2/, layer downloads under /layers/.
  const listener: RequestListener = (req, res) => {
    const url = req.url ?? "/";
    if (url.startsWith("/v2/") || url === "/v2") registry(req, res);
    else if (url.startsWith("/layers/")) download(req, res);
    else if (control && url.startsWith(CONTROL_PREFIX)) control(req, res);
    else api(req, res);
  };

  // Idle uploads are swept at start-up and then regularly, so their space comes back.
  const sweep = () =>
    store
      .expireUploads(now() - settings.uploadTtlMs)
      .then(async (n) => {
        await sessions.prune();
        if (n) log?.info({ expired: n }, "expired idle uploads");
      })
      .catch((e) => log?.error({ err: e }, "upload sweep failed"));
  await sweep();
  await scans.resume();
  const timer = setInterval(sweep, Math.max(100, Math.min(settings.uploadTtlMs / 2, 60_000)));
  timer.unref();

  const lifecycle = new LifecycleEvaluator(store, repositoryLocks, settings.lifecycleIntervalMs, now, (fields, msg) => log?.info(fields, msg));
  const runLifecycle = () => lifecycle.runDue();
  const stopLifecycle = (options.schedule ?? timerSchedule)(async () => void (await runLifecycle()), Math.max(1000, Math.min(settings.lifecycleIntervalMs, 60_000)));

  const stopBackground = async () => {
    await scans.stop();
    await replications.stop();
  };
  const close = async () => {
    clearInterval(timer);
    stopLifecycle();
    await lifecycle.stop();
    await stopBackground();
    await store.close();
  };
  try {
    // Start-up repositories go into every registry a caller can reach: the default one, or with sigv4 each configured
    // account's. The server's own requests need no signature.
    const accounts = options.auth?.mode === "sigv4" ? [...new Set(Object.values(options.auth.credentials).map((c) => c.accountId))] : [options.registryId ?? DEFAULT_ACCOUNT_ID];
    for (const accountId of options.repositories?.length ? accounts : []) {
      // The server's own requests are no client's: not journaled, never faulted.
      const internal = createServiceHandler<Context>(handlers, { ...serviceOptions, hooks: undefined, accountId });
      for (const name of options.repositories!) await createRepositoryIfMissing(internal, name);
    }
  } catch (e) {
    await close();
    throw e;
  }
  return {
    region,
    handler,
    listener,
    store,
    settings,
    runLifecycle,
    scansIdle: () => scans.idle(),
    replicationsIdle: () => replications.idle(),
    regions: new Map(),
    startBackground: () => replications.kick(),
    stopBackground,
    close,
    ...(contract ? { contract } : {}),
  };
}

/** Through the service itself, so the name is validated like any request's. */
async function createRepositoryIfMissing(handler: ServiceHandler, name: string): Promise<void> {
  const res = await handler.handle(
    new HttpRequest({
      method: "POST",
      path: "/",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": `${handler.definition.name}.CreateRepository` },
      body: JSON.stringify({ repositoryName: name }),
    }),
  );
  if (res.statusCode === 200) return;
  const err = JSON.parse(res.body);
  if (err.__type !== "RepositoryAlreadyExistsException") throw new Error(`cannot create repository '${name}': ${err.__type}: ${err.message}`);
}
