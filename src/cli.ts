// `npm start`: serves the ECR API on 127.0.0.1 until SIGINT or SIGTERM.
import { parseArgs } from "node:util";
import pino from "pino";
import { createEcrHandler } from "./ecr/server";
import { listen } from "./framework";

const USAGE = `usage: npm start -- [--host H] [--port P] [--data-dir D] [--registry-id ID] [--region R]
Each flag may also come from the environment: ECR_HOST, ECR_PORT, ECR_DATA_DIR, ECR_REGISTRY_ID, ECR_REGION.`;

async function main(): Promise<void> {
  const env = process.env;
  const { values } = parseArgs({
    options: {
      host: { type: "string", default: env.ECR_HOST ?? "127.0.0.1" },
      port: { type: "string", default: env.ECR_PORT ?? "8787" },
      "data-dir": { type: "string", default: env.ECR_DATA_DIR ?? "data" },
      "registry-id": { type: "string", default: env.ECR_REGISTRY_ID ?? "000000000000" },
      region: { type: "string", default: env.ECR_REGION ?? "us-east-1" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0-65535, not ${values.port}`);
  if (!/^[0-9]{12}$/.test(values["registry-id"]!)) throw new Error(`--registry-id must be 12 digits, not ${values["registry-id"]}`);

  const logger = pino({ level: env.LOG_LEVEL ?? "info" });
  const handler = createEcrHandler({
    registryId: values["registry-id"],
    region: values.region,
    dataDir: values["data-dir"],
    logger,
  });
  const server = await listen(handler, { host: values.host, port });
  console.log(`ECR API listening on ${server.url}`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping: finishing requests in flight");
    server.close().then(
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

main().catch((e) => {
  console.error(`ecr-layer-server: ${(e as Error).message}`);
  console.error(USAGE);
  process.exit(2);
});
