// Turns a model into the generated files and the handler stubs, in memory.
import { relative, resolve, sep } from "node:path";
import { assertUniqueNames, Model } from "./model";
import { EmitContext, unsupportedReason } from "./emit/common";
import { emitErrors } from "./emit/errors";
import { emitOperations } from "./emit/operations";
import { emitService } from "./emit/service";
import { emitShapes } from "./emit/shapes";
import { emitStubs } from "./emit/stubs";
import { emitTypes } from "./emit/types";
import { emitValidators } from "./emit/validators";

/** This package's name: generated code imports the framework as `<name>/framework` unless told otherwise. */
export const PACKAGE_NAME = "ecr-layer-server";
export const FRAMEWORK_PACKAGE = `${PACKAGE_NAME}/framework`;

export interface GenerateOptions {
  modelPath: string;
  outDir: string;
  handlersDir?: string;
  serviceId?: string;
  /**
   * How generated code imports the framework: a package specifier (default `ecr-layer-server/framework`), or a path to
   * the framework's folder starting with `.` or `/` (this repository generates against its own source this way).
   */
  framework?: string;
}

export interface Generated {
  /** Generated files by absolute path; always rewritten. */
  generated: Record<string, string>;
  /** Handler stubs by absolute path; written only when missing. */
  stubs: Record<string, string>;
  /** What the generated code leaves out, one line each (e.g. a pattern no linear-time engine can run). */
  warnings: string[];
}

export function generate(opts: GenerateOptions): Generated {
  const model = Model.load(opts.modelPath);
  const [serviceId] = model.service(opts.serviceId);
  const shapes = model.closure(serviceId);
  assertUniqueNames(shapes);
  const outDir = resolve(opts.outDir);
  const warnings = new Set<string>();
  const ctx: EmitContext = {
    model,
    serviceId,
    shapes,
    frameworkImport: frameworkImport(outDir, opts.framework),
    modelPath: relative(process.cwd(), resolve(opts.modelPath)).split(sep).join("/"),
    warn: (message) => warnings.add(message),
  };
  for (const opId of model.operations(serviceId)) {
    const why = unsupportedReason(model, opId);
    if (why) ctx.warn(`${opId}: ${why}, which the framework cannot serve: it is generated to answer 501 NotImplemented, and needs no handler`);
  }
  const files: Record<string, string> = {
    "types.ts": emitTypes(ctx),
    "errors.ts": emitErrors(ctx),
    "shapes.ts": emitShapes(ctx),
    "validators.ts": emitValidators(ctx),
    "operations.ts": emitOperations(ctx),
    "service.ts": emitService(ctx),
  };
  const generated = Object.fromEntries(Object.entries(files).map(([f, text]) => [resolve(outDir, f), text]));
  const stubs: Record<string, string> = {};
  if (opts.handlersDir) {
    const dir = resolve(opts.handlersDir);
    const paths = { generated: importPath(dir, outDir), framework: frameworkImport(dir, opts.framework) };
    for (const [f, text] of Object.entries(emitStubs(ctx, paths))) stubs[resolve(dir, f)] = text;
  }
  return { generated, stubs, warnings: [...warnings] };
}

/** The framework's import specifier from a folder: the package's, or a relative path to its index module. */
function frameworkImport(fromDir: string, framework = FRAMEWORK_PACKAGE): string {
  if (!framework.startsWith(".") && !framework.startsWith("/")) return framework;
  return `${importPath(fromDir, resolve(framework))}/index.js`;
}

/** A relative import specifier from one folder to another, always starting with a dot. */
export function importPath(fromDir: string, toDir: string): string {
  const rel = relative(fromDir, toDir).split(sep).join("/");
  return rel.startsWith(".") ? rel : `./${rel}`;
}
