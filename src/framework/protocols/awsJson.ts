// The awsJson1_0/awsJson1_1 protocols: POST / with X-Amz-Target routing, JSON bodies, `__type` errors.
import type { OperationDescription, ServiceDefinition } from "../definition";
import { ProtocolError, unknownOperation } from "../errors";

export interface AwsJsonProtocol {
  contentType: string;
  /** Picks the operation for a request, or throws the error to answer with. */
  route(method: string, path: string, headers: Readonly<Record<string, string>>): OperationDescription;
}

export function awsJsonProtocol(definition: ServiceDefinition): AwsJsonProtocol {
  const contentType = definition.protocol === "awsJson1_0" ? "application/x-amz-json-1.0" : "application/x-amz-json-1.1";
  const prefix = `${definition.name}.`;
  return {
    contentType,
    route(method, path, headers) {
      if (method.toUpperCase() !== "POST") {
        throw new ProtocolError("UnknownOperationException", 405, `This service accepts only POST requests, not ${method}`, { allow: "POST" });
      }
      if (path !== "/") throw unknownOperation(`This service is served at POST /, not at ${path}`, 404);
      const target = headers["x-amz-target"];
      if (!target) throw unknownOperation("The request has no X-Amz-Target header naming the operation");
      const name = target.startsWith(prefix) ? target.slice(prefix.length) : undefined;
      if (name === undefined || !Object.hasOwn(definition.operations, name)) {
        throw unknownOperation(`The operation ${target} is not known to this service (expected ${prefix}<Operation>)`);
      }
      const mediaType = (headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
      if (mediaType !== contentType) {
        throw new ProtocolError(
          "UnsupportedMediaTypeException",
          415,
          `Content-Type must be ${contentType}${mediaType ? `, not ${mediaType}` : ""}`,
        );
      }
      return definition.operations[name];
    },
  };
}
