// What an injected error's modeled fields say about stored state, as ECR's own answer would: an
// InvalidLayerPartException names the upload's last committed byte.
import type { ErrorFields } from "../contract/kit";
import type { Context } from "./handlers/context";
import { registryOf } from "./repositories";
import { uploadedLength } from "./uploads";

export const ecrErrorFields: ErrorFields = async (error, exchange) => {
  const input = exchange.input;
  const context = exchange.context as Context | undefined;
  if (error !== "InvalidLayerPartException" || !input || !context || typeof input.uploadId !== "string" || typeof input.repositoryName !== "string") return {};
  try {
    const length = await uploadedLength(context, registryOf(input, context), input.repositoryName, input.uploadId);
    return { lastValidByteReceived: length - 1 };
  } catch {
    // No such upload: the injected error says only what the input does.
    return {};
  }
};
