// Emits generated/service.ts: the service definition, the typed service interface and its handler factory.
import { CodegenError, shapeName, trait } from "../model";
import { docComment, EmitContext, handlerInputType, header, operationIo, quote, streamingBlob, tsRef, unsupportedReason } from "./common";

export function emitService(ctx: EmitContext): string {
  const { model, serviceId } = ctx;
  const service = model.shape(serviceId);
  const protocol = trait(service.traits, "aws.protocols#awsJson1_0") !== undefined ? "awsJson1_0" : "awsJson1_1";
  if (trait(service.traits, `aws.protocols#${protocol}`) === undefined) {
    throw new CodegenError(serviceId, "the runtime serves the awsJson1_0 and awsJson1_1 protocols only; the service has neither trait");
  }
  const signingName = trait<{ name: string }>(service.traits, "aws.auth#sigv4")?.name;
  // Operations the framework cannot serve answer 501 by themselves: they have no method to implement.
  const ops = model.operations(serviceId).filter((opId) => !unsupportedReason(model, opId));
  const methods = ops.map((opId) => {
    const { output } = operationIo(model, opId);
    const type = (id: string) => (id.startsWith("smithy.api#") ? tsRef(model, id) : `T.${tsRef(model, id)}`);
    return (
      docComment(model.shape(opId).traits, "  ") +
      `  ${shapeName(opId)}(input: ${handlerInputType(model, opId, "T.")}, context: Context): Promise<${type(output)}>;\n`
    );
  });
  const fw = ctx.frameworkImport;
  return (
    header(ctx.modelPath) +
    `import { buildService, type RequestContext, type ServiceDefinition, type ServiceHandler, type ServiceOptions${ops.some((o) => streamingBlob(model, o)) ? ", type StreamingInput" : ""} } from ${quote(fw)};\n` +
    `import { errorClasses } from "./errors.js";\n` +
    `import { operations } from "./operations.js";\n` +
    `import { shapes } from "./shapes.js";\n` +
    `import type * as T from "./types.js";\n\n` +
    `export const definition: ServiceDefinition = {\n` +
    `  id: ${quote(serviceId)},\n` +
    `  name: ${quote(shapeName(serviceId))},\n` +
    `  version: ${quote(service.version ?? "")},\n` +
    `  protocol: ${quote(protocol)},\n` +
    (signingName ? `  signingName: ${quote(signingName)},\n` : "") +
    `  operations,\n  shapes,\n  errorClasses,\n};\n\n` +
    docComment(service.traits) +
    `export interface Service<Context extends RequestContext = RequestContext> {\n${methods.join("")}}\n\n` +
    `/** Serves \`impl\`; throws when an operation has no handler. */\n` +
    `export function createServiceHandler<Context extends RequestContext>(\n` +
    `  impl: Service<Context>,\n  options: ServiceOptions<Context> = {},\n): ServiceHandler {\n` +
    `  return buildService(definition, impl, options);\n}\n`
  );
}
