// Runs the codegen on a model into test/.generated/<name>/ (inside the project, so imports resolve) and returns the folder.
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { generate } from "../../codegen/generate";

export function generateInto(modelPath: string, name: string, opts: { handlers?: boolean } = {}): string {
  const dir = resolve(__dirname, "../.generated", name);
  rmSync(dir, { recursive: true, force: true });
  const out = resolve(dir, "generated");
  const { generated, stubs } = generate({
    modelPath,
    outDir: out,
    handlersDir: opts.handlers ? resolve(dir, "handlers") : undefined,
    // The framework's source, as this repository's own generated code imports it (users import the package).
    framework: resolve(__dirname, "../../src/framework"),
  });
  for (const [p, text] of Object.entries({ ...generated, ...stubs })) {
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
  return dir;
}

/** Type-checks a generated folder's code and stubs under the project's strict settings; the compiler's output. */
export function typeCheck(dir: string): string {
  const root = resolve(__dirname, "../..");
  writeFileSync(
    resolve(dir, "tsconfig.json"),
    JSON.stringify({ extends: resolve(root, "tsconfig.json"), compilerOptions: { noEmit: true, types: ["node"] }, include: ["generated/**/*", "handlers/**/*"] }),
  );
  const r = spawnSync(process.execPath, [resolve(root, "node_modules/typescript/bin/tsc"), "-p", dir], { encoding: "utf8" });
  return r.stdout + r.stderr + (r.status === 0 ? "" : `(exit ${r.status})`);
}
