// The package as users get it: `npm pack`, installed into a separate temporary project, then imported from plain
// Node (ESM and CommonJS) and strict TypeScript, started from its command, used to generate and serve another model,
// and embedded by the README's recipes, each run as written.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient } from "@aws-sdk/client-ecr";
import { ecrClient } from "../helpers/ecr-client";
import { describeWith, pythonTests } from "../helpers/requirements";
import { run } from "../helpers/run";
import { startServerProcess, type ServerProcess } from "../helpers/server-process";

const ROOT = resolve(__dirname, "../..");
const WORK = mkdtempSync(join(tmpdir(), "ecr-package-"));
const APP = join(WORK, "app");
const BIN = join(APP, "node_modules/.bin");
/** What the consumer installs besides the package: the versions this repository's lockfile has, so npm's cache serves them. */
const PEERS = ["@aws-sdk/client-ecr", "express", "fastify", "typescript", "@types/node"].map(
  (name) => `${name}@${JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8")).version}`,
);
const STRICT = {
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  module: "nodenext",
  moduleResolution: "nodenext",
  target: "es2022",
  skipLibCheck: false,
  types: ["node"],
};

let procs: ServerProcess[] = [];
const start = async (...args: Parameters<typeof startServerProcess>) => {
  const p = await startServerProcess(...args);
  procs.push(p);
  return p;
};

async function sh(cmd: string, args: string[], cwd = APP) {
  const r = await run(cmd, args, { cwd, env: { ...process.env, npm_config_update_notifier: "false" } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

async function node(file: string, source: string) {
  writeFileSync(join(APP, file), source);
  return sh(process.execPath, [file]);
}

beforeAll(async () => {
  const packed = await sh("npm", ["pack", "--pack-destination", WORK], ROOT);
  const tarball = join(WORK, packed.stdout.trim().split("\n").pop()!);
  mkdirSync(APP);
  // A fresh project; npm 11 runs better-sqlite3's native build only when allowed.
  writeFileSync(join(APP, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true, allowScripts: { "better-sqlite3": true } }));
  await sh("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball, ...PEERS]);
}, 600_000);

afterEach(async () => {
  await Promise.all(procs.map((p) => p.stop("SIGKILL")));
  procs = [];
});

afterAll(() => rmSync(WORK, { recursive: true, force: true }));

test("ships compiled code, declarations and the Python fixture, and nothing of the repository's tests or tsx", () => {
  const pkg = join(APP, "node_modules/ecr-layer-server");
  for (const f of ["dist/src/index.js", "dist/src/index.d.ts", "dist/src/cli.js", "dist/codegen/main.js", "examples/python/conftest.py"]) {
    expect([f, existsSync(join(pkg, f))]).toEqual([f, true]);
  }
  for (const f of ["src", "test", "bench", "model", "generated", "dist/src/index.ts", "dist/build.tsbuildinfo"]) expect([f, existsSync(join(pkg, f))]).toEqual([f, false]);
  expect(existsSync(join(APP, "node_modules/tsx"))).toBe(false);
});

test("plain Node imports each entry point by name, from ESM and from CommonJS", async () => {
  const esm = await node(
    "esm.mjs",
    `import { createEcrService, startEcrServer, createServiceHandler, RepositoryNotFoundException } from "ecr-layer-server";
import { buildService, createRequestListener, listen, ServiceException } from "ecr-layer-server/framework";
import { startTestEcr } from "ecr-layer-server/testing";
import { generate } from "ecr-layer-server/codegen";
console.log([createEcrService, startEcrServer, createServiceHandler, buildService, createRequestListener, listen, startTestEcr, generate].map((f) => typeof f).join(" "));
console.log(new RepositoryNotFoundException({ message: "m" }) instanceof ServiceException);
`,
  );
  expect(esm.stdout).toBe(`${Array(8).fill("function").join(" ")}\ntrue\n`);
  const cjs = await node(
    "cjs.cjs",
    `const { startEcrServer } = require("ecr-layer-server");
const { listen } = require("ecr-layer-server/framework");
const { startTestEcr } = require("ecr-layer-server/testing");
const { generate } = require("ecr-layer-server/codegen");
console.log([startEcrServer, listen, startTestEcr, generate].map((f) => typeof f).join(" "));
`,
  );
  expect(cjs.stdout).toBe("function function function function\n");
});

test("a strict nodenext TypeScript project compiles against the declarations, and its test helper serves the SDK", async () => {
  const dir = join(APP, "ts");
  mkdirSync(dir);
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { ...STRICT, outDir: "out" }, include: ["*.mts", "*.cts"] }));
  writeFileSync(
    join(dir, "main.mts"),
    `import { ECRClient, CreateRepositoryCommand, DescribeRepositoriesCommand } from "@aws-sdk/client-ecr";
import { type EcrOptions, type EcrTypes, RepositoryNotFoundException } from "ecr-layer-server";
import type { RequestContext, ServiceHandler } from "ecr-layer-server/framework";
import { startTestEcr, type TestEcr } from "ecr-layer-server/testing";
import type { GenerateOptions } from "ecr-layer-server/codegen";

const options: EcrOptions = { dataDir: "unused", fsync: false, settings: { blobMounting: true } };
const generateOptions: GenerateOptions = { modelPath: "model.json", outDir: "generated" };
const context: RequestContext | undefined = undefined;
void [options, generateOptions, context, RepositoryNotFoundException];
const ecr: TestEcr = await startTestEcr({ registryId: "123456789012" });
const handler: ServiceHandler = ecr.service.handler;
const client = new ECRClient(ecr.clientConfig);
await client.send(new CreateRepositoryCommand({ repositoryName: "app" }));
const { repositories } = await client.send(new DescribeRepositoriesCommand({}));
const repository: EcrTypes.Repository = { repositoryName: "app", repositoryUri: repositories?.[0]?.repositoryUri };
console.log(handler.definition.name, repository.repositoryUri);
await ecr.close();
`,
  );
  writeFileSync(join(dir, "main.cts"), `import { startEcrServer } from "ecr-layer-server";\nimport { listen } from "ecr-layer-server/framework";\nconsole.log(typeof startEcrServer, typeof listen);\n`);
  const tsc = await run(join(BIN, "tsc"), ["-p", dir], { cwd: dir });
  expect(tsc.stdout + tsc.stderr).toBe("");
  const esm = await sh(process.execPath, [join(dir, "out/main.mjs")]);
  expect(esm.stdout).toBe("AmazonEC2ContainerRegistry_V20150921 123456789012.dkr.ecr.us-east-1.amazonaws.com/app\n");
  const cjs = await sh(process.execPath, [join(dir, "out/main.cjs")]);
  expect(cjs.stdout).toBe("function function\n");
}, 120_000);

test("the ecr-layer-server command serves the SDK and stops cleanly", async () => {
  const server = await start(["--port", "0", "--data-dir", join(APP, "bin-data"), "--registry-id", "123456789012"], {}, { command: [join(BIN, "ecr-layer-server")], cwd: APP });
  await ecrClient(server.url).send(new CreateRepositoryCommand({ repositoryName: "app" }));
  const { repositories } = await ecrClient(server.url).send(new DescribeRepositoriesCommand({}));
  expect(repositories!.map((r) => r.repositoryUri)).toEqual(["123456789012.dkr.ecr.us-east-1.amazonaws.com/app"]);
  expect(await server.stop("SIGTERM")).toBe(0);
});

test("ecr-layer-codegen generates a service from a user's model into an ESM project, which compiles strictly and serves", async () => {
  const dir = join(APP, "echo");
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  cpSync(join(ROOT, "test/fixtures/echo.json"), join(dir, "echo.json"));
  const generated = await sh(join(BIN, "ecr-layer-codegen"), ["echo.json", "--out", "generated", "--handlers", "handlers"], dir);
  expect(generated.stdout).toContain("wrote stub handlers/Echo.ts");
  // The user writes one handler; the others stay stubs.
  writeFileSync(
    join(dir, "handlers/Echo.ts"),
    `import type { EchoInput, EchoOutput } from "../generated/types.js";
import type { Context } from "./context.js";
export async function Echo(input: EchoInput, context: Context): Promise<EchoOutput> {
  return { name: \`\${input.name} from \${context.accountId}\` };
}
`,
  );
  writeFileSync(
    join(dir, "server.ts"),
    `import { listen } from "ecr-layer-server/framework";
import { createServiceHandler } from "./generated/service.js";
import { handlers } from "./handlers/index.js";
const server = await listen(createServiceHandler(handlers), { port: 0 });
console.log(\`listening on \${server.url}\`);
process.on("SIGTERM", () => server.close().then(() => process.exit(0)));
`,
  );
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { ...STRICT, outDir: "out" }, include: ["server.ts", "generated", "handlers"] }));
  const tsc = await run(join(BIN, "tsc"), ["-p", dir], { cwd: dir });
  expect(tsc.stdout + tsc.stderr).toBe("");
  // Generating again leaves the handler alone.
  const again = await sh(join(BIN, "ecr-layer-codegen"), ["echo.json", "--out", "generated", "--handlers", "handlers"], dir);
  expect(again.stdout).toBe("generated/: 0 of 6 files changed, 0 removed\n");
  expect(readFileSync(join(dir, "handlers/Echo.ts"), "utf8")).toContain("from ${context.accountId}");

  const server = await start([], {}, { command: [process.execPath, "out/server.js"], cwd: dir });
  const call = async (op: string, body: unknown) => {
    const res = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": `EchoService.${op}` },
      body: JSON.stringify(body),
    });
    return [res.status, await res.json()];
  };
  expect(await call("Echo", { name: "hi" })).toEqual([200, { name: "hi from 000000000000" }]);
  expect(await call("Ping", {})).toEqual([501, { __type: "NotImplemented", message: "The operation Ping is not implemented by this server yet" }]);
  expect(await server.stop("SIGTERM")).toBe(0);
}, 120_000);

describe("the README's recipes, as written", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const recipes = [...readme.matchAll(/<!-- recipe: (\S+) -->\n```js\n([\s\S]*?)```\n/g)].map((m) => [m[1]!, m[2]!] as const);

  test("there are three: node:http, express and fastify", () => {
    expect(recipes.map(([file]) => file)).toEqual(["node-http.mjs", "express.mjs", "fastify.mjs"]);
  });

  test.each(recipes)("%s serves the API, the registry protocol and its own routes, and stops on SIGTERM", async (file, source) => {
    const dir = join(APP, file.replace(/\.mjs$/, ""));
    mkdirSync(dir);
    writeFileSync(join(dir, file), source);
    const server = await start([], { PORT: "0" }, { command: [process.execPath, file], cwd: dir });
    const client = new ECRClient({ endpoint: server.url, region: "us-east-1", credentials: { accessKeyId: "k", secretAccessKey: "s" } });
    await client.send(new CreateRepositoryCommand({ repositoryName: "app" }));
    const { repositories } = await client.send(new DescribeRepositoriesCommand({}));
    expect(repositories!.map((r) => r.repositoryName)).toEqual(["app"]);
    const v2 = await fetch(`${server.url}/v2/app/tags/list`);
    expect([v2.status, v2.headers.get("docker-distribution-api-version"), await v2.json()]).toEqual([200, "registry/2.0", { name: "app", tags: [] }]);
    const health = await fetch(`${server.url}/health`);
    expect([health.status, await health.text()]).toEqual([200, "ok\n"]);
    expect(existsSync(join(dir, "ecr-data"))).toBe(true);
    expect(await server.stop("SIGTERM")).toBe(0);
  }, 60_000);

  test("a body parser mounted ahead of the listener gets an error that says what to change", async () => {
    const dir = join(APP, "parser-first");
    mkdirSync(dir);
    const [, express] = recipes.find(([file]) => file === "express.mjs")!;
    const misordered = express.replace("const app = express();\n", 'const app = express();\napp.use(express.raw({ type: "*/*" }));\n');
    expect(misordered).not.toBe(express);
    writeFileSync(join(dir, "app.mjs"), misordered);
    const server = await start([], { PORT: "0" }, { command: [process.execPath, "app.mjs"], cwd: dir });
    const client = new ECRClient({ endpoint: server.url, region: "us-east-1", credentials: { accessKeyId: "k", secretAccessKey: "s" }, maxAttempts: 1 });
    const err = await client.send(new CreateRepositoryCommand({ repositoryName: "app" })).catch((e) => e);
    expect([err.name, err.$metadata.httpStatusCode]).toEqual(["InternalFailure", 500]);
    expect(err.message).toMatch(/^The request body was read before this server got the request, most likely by a body parser mounted ahead of it/);
    const v2 = await fetch(`${server.url}/v2/app/blobs/uploads/`, { method: "POST", body: "x" });
    expect([v2.status, ((await v2.json()) as { errors: { code: string }[] }).errors[0]!.code]).toEqual([500, "UNKNOWN"]);
  }, 60_000);
});

describeWith(pythonTests, "the Python fixture shipped in examples/python", () => {
  test("pytest runs the example suite with it, starting the installed command through npx", async () => {
    const dir = join(APP, "py");
    cpSync(join(APP, "node_modules/ecr-layer-server/examples/python"), dir, { recursive: true });
    const r = await run("/usr/bin/python3", ["-m", "pytest", "-q", "-p", "no:cacheprovider", dir], { cwd: APP });
    expect(r.stdout).toMatch(/\b4 passed\b/);
    expect(r.status).toBe(0);
    // The fixture stopped the server it started, though npx ran it as a grandchild.
    const left = await run("pgrep", ["-f", `${BIN}/ecr-layer-server --port 0`]);
    expect(left.stdout).toBe("");
  }, 120_000);
});
