// Handler stubs: one file per operation in the handlers folder, plus the folder's context type and index.
// They are written only when missing; the codegen never overwrites hand-written code.
import { shapeName } from "../model";
import { EmitContext, handlerInputType, operationIo, quote, streamingBlob, tsRef, unsupportedReason } from "./common";

export interface StubPaths {
  /** Import specifier of the generated folder as seen from the handlers folder. */
  generated: string;
  /** Import specifier of the framework as seen from the handlers folder. */
  framework: string;
}

/** File name (relative to the handlers folder) to content. */
export function emitStubs(ctx: EmitContext, paths: StubPaths): Record<string, string> {
  const { model } = ctx;
  const ops = model.operations(ctx.serviceId).filter((id) => !unsupportedReason(model, id)).map((id) => [id, shapeName(id)] as const);
  const files: Record<string, string> = {};
  const note = "Written once by ecr-layer-codegen, which never overwrites it.";
  for (const [opId, name] of ops) {
    const { input, output } = operationIo(model, opId);
    const types = [input, output].filter((id) => !id.startsWith("smithy.api#")).map((id) => tsRef(model, id));
    files[`${name}.ts`] =
      `// The ${name} handler. ${note}\n` +
      `import { NotImplementedError${streamingBlob(model, opId) ? ", type StreamingInput" : ""} } from ${quote(paths.framework)};\n` +
      (types.length ? `import type { ${[...new Set(types)].join(", ")} } from ${quote(`${paths.generated}/types.js`)};\n` : "") +
      `import type { Context } from "./context.js";\n\n` +
      `export async function ${name}(input: ${handlerInputType(model, opId, "")}, context: Context): Promise<${tsRef(model, output)}> {\n` +
      `  throw new NotImplementedError(${quote(name)});\n}\n`;
  }
  files["context.ts"] =
    `// What every handler receives besides its input. ${note}\n` +
    `import type { RequestContext } from ${quote(paths.framework)};\n\n` +
    `export type Context = RequestContext;\n`;
  files["index.ts"] =
    `// The service implementation: one handler per operation. ${note}\n` +
    `// When the model gains an operation, the type check fails here until its handler is added.\n` +
    `import type { Service } from ${quote(`${paths.generated}/service.js`)};\n` +
    `import type { Context } from "./context.js";\n` +
    ops.map(([, name]) => `import { ${name} } from "./${name}.js";\n`).join("") +
    `\nexport const handlers: Service<Context> = {\n${ops.map(([, n]) => `  ${n},\n`).join("")}};\n`;
  return files;
}
