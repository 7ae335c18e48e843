// The codegen command: `tsx codegen/main.ts [model.json] [--out DIR] [--handlers DIR] [--service ID] [--check]`.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { generate } from "./generate";

function main(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: "string", default: "generated" },
      handlers: { type: "string" },
      service: { type: "string" },
      check: { type: "boolean", default: false },
    },
  });
  const modelPath = positionals[0] ?? "model/ecr.json";
  const outDir = resolve(values.out!);
  const { generated, stubs } = generate({ modelPath, outDir, handlersDir: values.handlers, serviceId: values.service });
  const show = (p: string) => relative(process.cwd(), p);

  const existing = existsSync(outDir) ? readdirSync(outDir).map((f) => resolve(outDir, f)) : [];
  const stale = existing.filter((p) => !(p in generated));
  const changed = Object.keys(generated).filter((p) => !existsSync(p) || readFileSync(p, "utf8") !== generated[p]);

  if (values.check) {
    const missingStubs = Object.keys(stubs).filter((p) => !existsSync(p));
    for (const p of changed) console.error(`out of date: ${show(p)}`);
    for (const p of stale) console.error(`not generated from the model: ${show(p)}`);
    for (const p of missingStubs) console.error(`missing handler: ${show(p)}`);
    if (changed.length || stale.length || missingStubs.length) {
      console.error("generated code differs from the model: run `npm run codegen`");
      return 1;
    }
    console.log(`${show(outDir)}/ is up to date with ${modelPath}`);
    return 0;
  }

  mkdirSync(outDir, { recursive: true });
  for (const p of stale) rmSync(p);
  for (const p of changed) writeFileSync(p, generated[p]);
  for (const [p, text] of Object.entries(stubs)) {
    if (existsSync(p)) continue;
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
    console.log(`wrote stub ${show(p)}`);
  }
  console.log(`${show(outDir)}/: ${changed.length} of ${Object.keys(generated).length} files changed, ${stale.length} removed`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  console.error(`codegen: ${(e as Error).message}`);
  process.exitCode = 2;
}
