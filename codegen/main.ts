#!/usr/bin/env node
// The codegen command: `ecr-layer-codegen [model.json] [--out DIR] [--handlers DIR] [--service ID] [--framework F] [--check]`.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { GENERATED_HEADER } from "./emit/common";
import { generate } from "./generate";

function main(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: "string", default: "generated" },
      handlers: { type: "string" },
      service: { type: "string" },
      framework: { type: "string" },
      check: { type: "boolean", default: false },
    },
  });
  const modelPath = positionals[0] ?? "model/ecr.json";
  const outDir = resolve(values.out!);
  const { generated, stubs, warnings } = generate({
    modelPath,
    outDir,
    handlersDir: values.handlers,
    serviceId: values.service,
    framework: values.framework,
  });
  const show = (p: string) => relative(process.cwd(), p);
  for (const w of warnings) console.error(`warning: ${w}`);

  // Only files the codegen wrote (they start with its header) are ever removed from the output folder.
  const existing = existsSync(outDir) ? readdirSync(outDir).map((f) => resolve(outDir, f)) : [];
  const stale = existing.filter((p) => !(p in generated) && isGenerated(p));
  const changed = Object.keys(generated).filter((p) => !existsSync(p) || readFileSync(p, "utf8") !== generated[p]);

  if (values.check) {
    const missingStubs = Object.keys(stubs).filter((p) => !existsSync(p));
    for (const p of changed) console.error(`out of date: ${show(p)}`);
    for (const p of stale) console.error(`not generated from the model: ${show(p)}`);
    for (const p of missingStubs) console.error(`missing handler: ${show(p)}`);
    if (changed.length || stale.length || missingStubs.length) {
      console.error("generated code differs from the model: run the codegen again without --check");
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

function isGenerated(path: string): boolean {
  try {
    return statSync(path).isFile() && readFileSync(path, "utf8").startsWith(GENERATED_HEADER);
  } catch {
    return false;
  }
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  console.error(`codegen: ${(e as Error).message}`);
  process.exitCode = 2;
}
