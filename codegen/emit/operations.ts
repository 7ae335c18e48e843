// Emits generated/operations.ts: per-operation metadata (name, X-Amz-Target, input/output shapes, errors, validator).
import { shapeName } from "../model";
import { EmitContext, header, operationIo, quote, streamingBlob, tableKey, unsupportedReason } from "./common";

export function emitOperations(ctx: EmitContext): string {
  const { model } = ctx;
  const serviceName = shapeName(ctx.serviceId);
  const ops = model.operations(ctx.serviceId);
  const entries = ops.map((opId) => {
    const name = shapeName(opId);
    const { input, output } = operationIo(model, opId);
    const errors = model.operationErrors(ctx.serviceId, opId).map((e) => quote(shapeName(e)));
    const streaming = streamingBlob(model, opId);
    const unsupported = unsupportedReason(model, opId);
    return (
      `  ${name}: {\n` +
      `    name: ${quote(name)},\n` +
      `    target: ${quote(`${serviceName}.${name}`)},\n` +
      `    input: ${quote(tableKey(input))},\n` +
      `    output: ${quote(tableKey(output))},\n` +
      `    errors: [${errors.join(", ")}],\n` +
      (input.startsWith("smithy.api#") ? "" : `    validate: validators.${name},\n`) +
      (streaming ? `    streaming: ${JSON.stringify(streaming)},\n` : "") +
      (unsupported ? `    unsupported: ${quote(unsupported)},\n` : "") +
      `  },\n`
    );
  });
  return (
    header(ctx.modelPath) +
    `import type { OperationDescription } from ${quote(ctx.frameworkImport)};\n` +
    `import * as validators from "./validators.js";\n\n` +
    `export const operations = {\n${entries.join("")}} satisfies Record<string, OperationDescription>;\n`
  );
}
